import { and, desc, eq, gt, inArray, or, sql, type SQL } from 'drizzle-orm';
import { openSubjects, tokenOfAddress, type Db, type TextKeys } from '../../server/channel-port.ts';
import {
  chatVisitorStates,
  contactIdentities,
  conversationParticipants,
  conversations,
  messages,
} from '../../drizzle/schema/index.ts';
import { emailExternalId, ownMessageUuid } from './message-ids.ts';
import type { ParsedEmail } from './parse.ts';

export type ThreadMatch =
  | { threadKey: string; via: 'references' | 'subject' | 'new' }
  /** The mail answers a conversation its sender takes no part in: it opens a conversation of its own. */
  | { threadKey: string; via: 'not_a_participant'; conversationId: string }
  /**
   * The mail answers a chat reply we emailed to a visitor who left (server/domain/presence-followup.ts): it goes
   * into that chat conversation, in the chat's inbox, when its sender is the address the visitor left.
   */
  | { threadKey: string; via: 'chat_followup'; inboxId: string };

/**
 * True when the address whose token this is took part in the conversation: its contact, or a participant (From/To/Cc
 * of its mails). Identities are found by their keyed token (server/domain/identity-address.ts).
 */
function isParticipant(token: string): SQL<boolean> {
  return sql<boolean>`(
    exists (select 1 from ${contactIdentities} ci
      where ci.contact_id = ${conversations.contactId} and ci.kind = 'email' and ci.address_token = ${token})
    or exists (select 1 from ${conversationParticipants} cp join ${contactIdentities} ci on ci.id = cp.identity_id
      where cp.conversation_id = ${conversations.id} and ci.kind = 'email' and ci.address_token = ${token}))`;
}

const REPLY_PREFIX = /^\s*((re|aw|sv|vs|antw|odp|wg|fwd?|tr|rv|r)\s*(\[\d+\])?\s*[:：]\s*)+/i;

/** "Re: AW: Fwd:  Order 1234 " -> "order 1234": what two messages of one thread share in their subjects. */
export function normalizeSubject(subject: string | null | undefined): string {
  return (subject ?? '').replace(REPLY_PREFIX, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

/**
 * Which conversation a mail belongs to, as the thread key ingest() looks conversations up by:
 *   1. any Message-ID in References / In-Reply-To that we stored (inbound mail, or our own replies,
 *      recognised by their pi.<message id> form even when only that reference survived), or that is
 *      a conversation's thread key (its root);
 *   2. else the same sender and the same subject (reply prefixes ignored), only within
 *      `subjectDays` of that conversation's last message, so an old subject never captures new mail;
 *   3. else a new conversation keyed by the thread's root: the first reference, or the mail itself.
 * Headers are written by the sender, so they cannot alone let a mail into a conversation: a mail found by its
 * headers joins only when its From took part in that conversation (its contact, or an address in the From, To
 * or Cc of one of its mails), or when it is a bounce quoting one of our own Message-IDs (random, unguessable).
 * Any other mail opens a conversation of its own, keyed by its own Message-ID, and says why (via
 * 'not_a_participant'): a stranger with the victim's Message-ID can neither speak in the victim's conversation
 * nor receive its replies. Of several conversations the references match, one the sender took part in wins.
 */
export async function resolveThread(
  db: Db,
  /** Opens subjects stored sealed with the contact's data key (server/domain/message-text.ts). */
  keys: TextKeys,
  inboxId: string,
  email: ParsedEmail,
  subjectDays: number,
): Promise<ThreadMatch> {
  const fromToken = tokenOfAddress(db, 'email', email.from.address);
  const refs = email.references.filter((r) => r !== email.messageId);
  if (refs.length > 0) {
    const ownIds = refs.map(ownMessageUuid).filter((id): id is string => id !== null);
    if (ownIds.length && !email.automated) {
      const [chat] = await db
        .select({ inboxId: conversations.inboxId, threadKey: conversations.threadKey })
        .from(messages)
        .innerJoin(conversations, eq(conversations.id, messages.conversationId))
        .innerJoin(chatVisitorStates, eq(chatVisitorStates.conversationId, conversations.id))
        .innerJoin(contactIdentities, eq(contactIdentities.id, chatVisitorStates.followupIdentityId))
        .where(
          and(
            inArray(messages.id, ownIds),
            eq(conversations.channel, 'chat'),
            eq(contactIdentities.addressToken, fromToken),
          ),
        )
        .limit(1);
      if (chat) return { threadKey: chat.threadKey, via: 'chat_followup', inboxId: chat.inboxId };
    }
    const externalIds = refs.map((r) => emailExternalId(inboxId, r));
    const matchers = [
      inArray(messages.externalId, externalIds),
      ...(ownIds.length ? [inArray(messages.id, ownIds)] : []),
    ];
    const bouncedOwn =
      email.automated === 'bounce' && ownIds.length
        ? sql<boolean>`bool_or(${inArray(messages.id, ownIds)})`
        : sql<boolean>`false`;
    const participant = sql<boolean>`(${isParticipant(fromToken)} or ${bouncedOwn})`;
    const [byMessage] = await db
      .select({ id: conversations.id, threadKey: conversations.threadKey, participant })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(and(eq(conversations.inboxId, inboxId), eq(messages.channel, 'email'), or(...matchers)))
      .groupBy(conversations.id)
      .orderBy(desc(participant), desc(sql`max(${messages.createdAt})`))
      .limit(1);
    const byRoot = byMessage
      ? undefined
      : (
          await db
            .select({
              id: conversations.id,
              threadKey: conversations.threadKey,
              participant: isParticipant(fromToken),
            })
            .from(conversations)
            .where(and(eq(conversations.inboxId, inboxId), inArray(conversations.threadKey, refs)))
            .orderBy(desc(isParticipant(fromToken)), desc(conversations.lastMessageAt))
            .limit(1)
        )[0];
    const match = byMessage ?? byRoot;
    if (match?.participant) return { threadKey: match.threadKey, via: 'references' };
    if (match)
      return { threadKey: strangerThreadKey(email.messageId), via: 'not_a_participant', conversationId: match.id };
  }
  const subject = normalizeSubject(email.subject);
  if (subject !== '' && subjectDays > 0) {
    const since = new Date(Date.now() - subjectDays * 86_400_000);
    const stored = await db
      .select({ id: conversations.id, threadKey: conversations.threadKey, subject: conversations.subject })
      .from(conversations)
      .innerJoin(contactIdentities, eq(contactIdentities.contactId, conversations.contactId))
      .where(
        and(
          eq(conversations.inboxId, inboxId),
          eq(conversations.channel, 'email'),
          eq(contactIdentities.kind, 'email'),
          eq(contactIdentities.addressToken, fromToken),
          gt(conversations.lastMessageAt, since),
        ),
      )
      .orderBy(desc(conversations.lastMessageAt))
      .limit(50);
    const candidates = await openSubjects(keys, stored);
    const match = candidates.find((c) => normalizeSubject(c.subject) === subject);
    if (match) return { threadKey: match.threadKey, via: 'subject' };
  }
  return { threadKey: refs[0] ?? email.messageId, via: 'new' };
}

/**
 * The thread key of a conversation a stranger's mail opens: its own Message-ID, prefixed so that it can never
 * equal a thread root of the conversation it tried to join (Message-IDs are stored in their <...> form).
 * Later mail of that thread finds it through its stored messages (step 1).
 */
export const strangerThreadKey = (messageId: string) => `own:${messageId}`;
