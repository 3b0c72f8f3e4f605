import { eq } from 'drizzle-orm';
import { sealFieldsOf } from '../../server/domain/contact-fields.ts';
import type { Db } from '../../server/db/client.ts';
import { contactIdentities, contacts, conversations, inboxes, messages } from '../../drizzle/schema/index.ts';
import { identityRow } from './identities.ts';

type Person = { name: string; email: string; phone: string; locale: string | null };

/** One contact with an email and a phone identity, one conversation and its inbound messages, as ingest writes them. */
export async function seedConversation(
  db: Db,
  inboxId: string,
  person: Person,
  conversation: { subject?: string; status?: 'open' | 'pending' | 'resolved'; at: Date; texts: string[] },
) {
  // Name, email and phone sealed with the contact's key and the name's tokens, as ingest stores them (issue 22).
  const { name, email, phone, locale } = person;
  const [contact] = await db.insert(contacts).values({ locale }).returning();
  await db
    .update(contacts)
    .set(await sealFieldsOf(db, contact!.id, { name, email, phone }))
    .where(eq(contacts.id, contact!.id));
  const identities = await db
    .insert(contactIdentities)
    .values([
      await identityRow(db, contact!.id, 'email', person.email),
      await identityRow(db, contact!.id, 'phone', person.phone),
    ])
    .returning();
  const [row] = await db
    .insert(conversations)
    .values({
      inboxId,
      contactId: contact!.id,
      channel: 'email',
      status: conversation.status ?? 'open',
      threadKey: `thread-${contact!.id}`,
      subject: conversation.subject ?? null,
      createdAt: conversation.at,
      lastMessageAt: conversation.at,
    })
    .returning();
  const rows = await db
    .insert(messages)
    .values(
      conversation.texts.map((body, i) => ({
        conversationId: row!.id,
        channel: 'email' as const,
        direction: 'inbound' as const,
        authorKind: 'contact' as const,
        authorIdentityId: identities[0]!.id,
        body,
        deliveryState: 'received' as const,
        createdAt: new Date(conversation.at.getTime() - (conversation.texts.length - i) * 1000),
      })),
    )
    .returning();
  return { contactId: contact!.id, conversationId: row!.id, messageIds: rows.map((m) => m.id) };
}

export async function emailInbox(db: Db, name: string) {
  const [inbox] = await db.insert(inboxes).values({ name, channel: 'email' }).returning();
  return inbox!.id;
}
