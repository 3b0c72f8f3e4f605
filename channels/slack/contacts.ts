import { and, eq, isNull } from 'drizzle-orm';
import type { webApi } from '@slack/bolt';
import { findIdentity, newIdentity, sealFieldsOf, storableText, type Db } from '../../server/channel-port.ts';
import { contactIdentities, contacts } from '../../drizzle/schema/index.ts';
import type { InboundMessage } from '../types.ts';

export type SlackProfile = { name?: string; email?: string };

/** The Slack user id inside an identity address (team:user). */
export const slackUserId = (address: string) => address.slice(address.indexOf(':') + 1);

/**
 * Name and email of a Slack user (users.info; the email needs the users:read.email scope). A failure
 * here must not lose the customer's message: the contact is then created without them.
 */
export async function lookUpProfile(client: webApi.WebClient, userId: string): Promise<SlackProfile> {
  try {
    const { user } = await client.users.info({ user: userId });
    const name = user?.profile?.real_name || user?.real_name || user?.profile?.display_name || user?.name || undefined;
    const email = user?.profile?.email?.trim().toLowerCase() || undefined;
    // Whatever a profile holds, it must not fail the message's storage.
    return { name: name && storableText(name), email: email && storableText(email) };
  } catch {
    return {};
  }
}

/**
 * Resolves the sender of a Slack message to a contact before ingest. A known Slack identity needs
 * nothing. A new one is looked up with users.info: when the email address already belongs to a
 * contact (say, someone who wrote by email before), the Slack identity joins that contact, so one
 * person stays one contact across channels; otherwise ingest creates the contact with the name.
 */
export async function resolveSlackSender(
  db: Db,
  client: webApi.WebClient,
  msg: InboundMessage,
): Promise<{ message: InboundMessage; profile: SlackProfile | null }> {
  if (await findIdentity(db, 'slack', msg.sender.address)) return { message: msg, profile: null };
  const profile = await lookUpProfile(client, slackUserId(msg.sender.address));
  if (profile.email) {
    const byEmail = await findIdentity(db, 'email', profile.email);
    if (byEmail) {
      await db
        .insert(contactIdentities)
        .values(await newIdentity(db, byEmail.contactId, 'slack', msg.sender.address))
        .onConflictDoNothing();
    }
  }
  return { message: { ...msg, sender: { ...msg.sender, ...(profile.name ? { name: profile.name } : {}) } }, profile };
}

/** After ingest created the contact: its email from Slack, as a detail and as an identity for the email channel. */
export async function recordSlackEmail(db: Db, contactId: string, profile: SlackProfile | null): Promise<void> {
  if (!profile?.email) return;
  // Sealed with the contact's key (server/domain/contact-fields.ts), only when the contact has no email yet.
  await db
    .update(contacts)
    .set(await sealFieldsOf(db, contactId, { email: profile.email }))
    .where(and(eq(contacts.id, contactId), isNull(contacts.sealedEmail)));
  await db
    .insert(contactIdentities)
    .values(await newIdentity(db, contactId, 'email', profile.email))
    .onConflictDoNothing();
}
