import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { preparedStatement } from '../db/statements.ts';
import type { InboundMessage } from '../../channels/types.ts';
import { blindingOf, sealTexts, type StoreKeys } from './message-store.ts';

/**
 * Inbound text sealed before the ingest statement stores it (issue 22): the key is the conversation's contact's,
 * which the statement would only find itself, so one look-up per batch names it first (the thread's latest
 * conversation's contact, else the sender's contact), and a sender nobody knows gets the id of the contact the
 * statement will create. The message's id is chosen here too: the text is sealed in its row's context.
 *
 * Between the look-up and the statement another server may store the same new sender first. While that statement
 * is still open, ours fails on the identity's unique key and ingest retries with a fresh look-up (ingest.ts). Once
 * it has committed, ours finds that contact and stores the text sealed under the key made for the planned id, which
 * no contact has, so erasing the contact would not shred it: NOT guarded yet (the statement should compare the
 * conversation's contact with the key's owner and fail on a difference, for a retry with a fresh look-up).
 */
export type IngestTextPlan = {
  id: string;
  /** The id the statement gives a contact it creates for an unknown sender. */
  newContactId: string;
  body: string;
  html: string | null;
};

export type IngestPads = { ipad: Buffer; opad: Buffer };

const p = sql.placeholder;

const ownersStatement = preparedStatement<{ idx: number; owner: string | null }>(sql`
  select t.idx, coalesce(
    (select cv.contact_id from conversations cv
      where cv.inbox_id = t.inbox_id and cv.thread_key = t.thread_key and cv.deleted_at is null
      order by cv.created_at desc limit 1),
    (select i.contact_id from contact_identities i
      where i.kind = t.sender_kind::identity_kind and i.address = t.sender_address)) as owner
  from unnest((select ${p('idx')}::int[]), (select ${p('inboxId')}::uuid[]), (select ${p('threadKey')}::text[]),
    (select ${p('senderKind')}::text[]), (select ${p('senderAddress')}::text[]))
    as t(idx, inbox_id, thread_key, sender_kind, sender_address)`);

/** Each message's id and sealed text (one look-up and one encryptMany for the batch), and the index's pads. */
export async function planIngestTexts(
  db: Db,
  keys: StoreKeys,
  msgs: ReadonlyArray<InboundMessage>,
): Promise<{ plans: IngestTextPlan[]; pads: IngestPads }> {
  const [owners, blinding] = await Promise.all([
    ownersStatement(db, {
      idx: msgs.map((_, i) => i),
      inboxId: msgs.map((m) => m.inboxId),
      threadKey: msgs.map((m) => m.threadKey),
      senderKind: msgs.map((m) => m.sender.kind),
      senderAddress: msgs.map((m) => m.sender.address),
    }),
    blindingOf(keys),
  ]);
  const ownerOf = new Map(owners.map((o) => [Number(o.idx), o.owner]));
  const drafts = msgs.map((msg, i) => {
    const newContactId = randomUUID();
    return { id: randomUUID(), newContactId, contactId: ownerOf.get(i) ?? newContactId, msg };
  });
  // An unknown sender's contact id was generated just now: its key is created without looking for one first.
  const newContacts = new Set(drafts.filter((d) => d.contactId === d.newContactId).map((d) => d.contactId));
  const sealed = await sealTexts(
    keys,
    drafts.map((d) => ({ id: d.id, contactId: d.contactId, body: d.msg.text, html: d.msg.html ?? null })),
    newContacts,
  );
  return {
    plans: drafts.map((d, i) => ({ id: d.id, newContactId: d.newContactId, ...sealed[i]! })),
    pads: { ipad: blinding.ipad, opad: blinding.opad },
  };
}
