import { and, desc, eq, gt, inArray, or } from 'drizzle-orm';
import type { Db } from '../../server/channel-port.ts';
import { contactIdentities, conversations, messages } from '../../drizzle/schema/index.ts';
import { emailExternalId, ownMessageUuid } from './message-ids.ts';
import type { ParsedEmail } from './parse.ts';

export type ThreadMatch = { threadKey: string; via: 'references' | 'subject' | 'new' };

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
 */
export async function resolveThread(
  db: Db,
  inboxId: string,
  email: ParsedEmail,
  subjectDays: number,
): Promise<ThreadMatch> {
  const refs = email.references.filter((r) => r !== email.messageId);
  if (refs.length > 0) {
    const ownIds = refs.map(ownMessageUuid).filter((id): id is string => id !== null);
    const externalIds = refs.map((r) => emailExternalId(inboxId, r));
    const matchers = [
      inArray(messages.externalId, externalIds),
      ...(ownIds.length ? [inArray(messages.id, ownIds)] : []),
    ];
    const [byMessage] = await db
      .select({ threadKey: conversations.threadKey })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(and(eq(conversations.inboxId, inboxId), eq(messages.channel, 'email'), or(...matchers)))
      .orderBy(desc(messages.createdAt))
      .limit(1);
    if (byMessage) return { threadKey: byMessage.threadKey, via: 'references' };
    const [byRoot] = await db
      .select({ threadKey: conversations.threadKey })
      .from(conversations)
      .where(and(eq(conversations.inboxId, inboxId), inArray(conversations.threadKey, refs)))
      .orderBy(desc(conversations.lastMessageAt))
      .limit(1);
    if (byRoot) return { threadKey: byRoot.threadKey, via: 'references' };
  }
  const subject = normalizeSubject(email.subject);
  if (subject !== '' && subjectDays > 0) {
    const since = new Date(Date.now() - subjectDays * 86_400_000);
    const candidates = await db
      .select({ threadKey: conversations.threadKey, subject: conversations.subject })
      .from(conversations)
      .innerJoin(contactIdentities, eq(contactIdentities.contactId, conversations.contactId))
      .where(
        and(
          eq(conversations.inboxId, inboxId),
          eq(conversations.channel, 'email'),
          eq(contactIdentities.kind, 'email'),
          eq(contactIdentities.address, email.from.address),
          gt(conversations.lastMessageAt, since),
        ),
      )
      .orderBy(desc(conversations.lastMessageAt))
      .limit(50);
    const match = candidates.find((c) => normalizeSubject(c.subject) === subject);
    if (match) return { threadKey: match.threadKey, via: 'subject' };
  }
  return { threadKey: refs[0] ?? email.messageId, via: 'new' };
}
