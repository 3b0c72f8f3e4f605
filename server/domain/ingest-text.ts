import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { preparedStatement } from '../db/statements.ts';
import type { InboundMessage } from '../../channels/types.ts';
import type { SenderPlan } from './identity-lookup.ts';
import { sealTexts, textTokensOf, type StoreKeys } from './message-store.ts';
import type { TextTokens } from './search-tokens.ts';

/**
 * Inbound text sealed before the ingest statement stores it (issue 22): the key is the conversation's contact's,
 * which the statement would only find itself, so one look-up per batch names it first (the thread's latest
 * conversation's contact, else the sender's contact, by the identity's token), and a sender nobody knows gets the
 * id of the contact the statement will create (identity-lookup.ts planSenders: from the key pool, its key already
 * made). The message's id is chosen here too: the text is sealed in its row's context.
 *
 * Between the look-up and the statement another server may store the same new sender first. While that statement
 * is still open, ours fails on the identity's unique key and ingest retries with a fresh look-up (ingest.ts). Once
 * it has committed, ours finds that contact and stores the text sealed under the key made for the planned id, which
 * no contact has, so erasing the contact would not shred it: NOT guarded yet (the statement should compare the
 * conversation's contact with the key's owner and fail on a difference, for a retry with a fresh look-up).
 */
export type IngestTextPlan = {
  id: string;
  body: string;
  html: string | null;
};

const p = sql.placeholder;

const ownersStatement = preparedStatement<{ idx: number; owner: string | null }>(sql`
  select t.idx, coalesce(
    (select cv.contact_id from conversations cv
      where cv.inbox_id = t.inbox_id and cv.thread_key = t.thread_key and cv.deleted_at is null
      order by cv.created_at desc limit 1),
    (select i.contact_id from contact_identities i
      where i.kind = t.sender_kind::identity_kind and i.address_token = t.sender_token)) as owner
  from unnest((select ${p('idx')}::int[]), (select ${p('inboxId')}::uuid[]), (select ${p('threadKey')}::text[]),
    (select ${p('senderKind')}::text[]), (select ${p('senderToken')}::text[]))
    as t(idx, inbox_id, thread_key, sender_kind, sender_token)`);

/** A sender planned as known that was gone (erased) before its text could be sealed: the batch plans again. */
export class SenderGoneError extends Error {
  constructor() {
    super('a sender planned as known is gone');
  }
}

/** Each message's id and sealed text (one look-up and one encryptMany for the batch), and the index's tokens. */
export async function planIngestTexts(
  db: Db,
  keys: StoreKeys,
  msgs: ReadonlyArray<InboundMessage>,
  senders: ReadonlyArray<SenderPlan>,
): Promise<{ plans: IngestTextPlan[]; tokens: TextTokens }> {
  const [owners, tokens] = await Promise.all([
    ownersStatement(db, {
      idx: msgs.map((_, i) => i),
      inboxId: msgs.map((m) => m.inboxId),
      threadKey: msgs.map((m) => m.threadKey),
      senderKind: msgs.map((m) => m.sender.kind),
      senderToken: senders.map((s) => s.token),
    }),
    textTokensOf(keys),
  ]);
  const ownerOf = new Map(owners.map((o) => [Number(o.idx), o.owner]));
  const drafts = msgs.map((msg, i) => {
    // A new sender's key came from the pool with its id (cached there): no key is created or looked up here.
    const contactId = ownerOf.get(i) ?? senders[i]!.newContactId;
    if (!contactId) throw new SenderGoneError();
    return { id: randomUUID(), contactId, msg };
  });
  const sealed = await sealTexts(
    keys,
    drafts.map((d) => ({ id: d.id, contactId: d.contactId, body: d.msg.text, html: d.msg.html ?? null })),
  );
  return { plans: drafts.map((d, i) => ({ id: d.id, ...sealed[i]! })), tokens };
}
