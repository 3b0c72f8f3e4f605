import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { preparedStatement } from '../db/statements.ts';
import type { InboundMessage } from '../../channels/types.ts';
import type { SenderPlan } from './identity-lookup.ts';
import { sealTexts, textTokensOf, type StoreKeys } from './message-store.ts';
import type { TextTokens } from './search-tokens.ts';
import { subjectVectorOf } from './subject-store.ts';

/**
 * Inbound text sealed before the ingest statement stores it (issue 22): the key is the conversation's contact's,
 * which the statement would only find itself, so the key's owner is named first. It is the thread's latest
 * conversation's contact, else the sender's contact, else (a sender nobody knows) the contact the statement will
 * create (identity-lookup.ts planSenders: its id from the key pool, its key already made). The message's id is
 * chosen here too: the text is sealed in its row's context.
 *
 * The owner is taken from what this process saw last (the thread's owner when it stored a message of it, the
 * sender's contact when it last met the sender), so a batch of known threads costs no look-up: a statement per
 * batch is the whole price of ingest, and one more round trip cost it a fifth of its throughput (bench:ingest).
 * Only messages of which nothing is known are looked up, together. Every statement compares the owner with the
 * contact of the conversation it stores the message in and leaves the message out on a difference: a stale guess
 * (another server's merge, a thread moved to the trash), or another server storing the same new sender between the
 * plan and the statement, never leaves text sealed under a key its conversation's contact does not hold (erasing
 * the contact would not shred it). A message left out is planned again alone, with a fresh look-up (ingest.ts).
 *
 * The subject is sealed the same way, for the conversation the message may open: its id is chosen here as well (one
 * per message; ingest never has two messages of one thread in flight, so no two plans open the same thread) and is
 * used only when the statement opens a conversation, which it does only for the owner, as it stores the message.
 */
export type IngestTextPlan = {
  id: string;
  /** The contact whose key sealed the text: the statement stores it only in a conversation of this contact. */
  owner: string;
  body: string;
  html: string | null;
  /** The id of the conversation the statement opens when the thread has none: the subject is sealed in its context. */
  conversationId: string;
  /** The subject sealed for the owner (null without one), and subject_vector's tsvector literal of its tokens. */
  subject: string | null;
  subjectVector: string | null;
};

/** The owners of threads this process stored messages in, by inbox and thread key (bounded, least recent out). */
const OWNER_CACHE = 50_000;
const threadOwners = new WeakMap<Db, Map<string, string>>();
const threadKeyOf = (msg: Pick<InboundMessage, 'inboxId' | 'threadKey'>) => `${msg.inboxId}\n${msg.threadKey}`;

function ownersOf(db: Db) {
  let owners = threadOwners.get(db);
  if (!owners) threadOwners.set(db, (owners = new Map()));
  return owners;
}

/** After a statement: the contact the message's conversation belongs to (its row's x_key_owner). */
export function rememberThreadOwner(db: Db, msg: Pick<InboundMessage, 'inboxId' | 'threadKey'>, owner: string) {
  const owners = ownersOf(db);
  const k = threadKeyOf(msg);
  owners.delete(k);
  owners.set(k, owner);
  if (owners.size > OWNER_CACHE) owners.delete(owners.keys().next().value!);
}

/** A message was left out for its owner: the next plan of its thread looks it up. */
export const forgetThreadOwner = (db: Db, msg: Pick<InboundMessage, 'inboxId' | 'threadKey'>) =>
  ownersOf(db).delete(threadKeyOf(msg));

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

/**
 * Each message's id and sealed text (one encryptMany for the batch), and the index's tokens. `lookUp`: every owner is
 * looked up in the database (a message its batch left out), not taken from what this process saw.
 */
export async function planIngestTexts(
  db: Db,
  keys: StoreKeys,
  msgs: ReadonlyArray<InboundMessage>,
  senders: ReadonlyArray<SenderPlan>,
  options: { lookUp?: boolean } = {},
): Promise<{ plans: IngestTextPlan[]; tokens: TextTokens }> {
  const cached = ownersOf(db);
  const guessed = msgs.map((msg, i) =>
    options.lookUp ? null : (cached.get(threadKeyOf(msg)) ?? senders[i]!.knownContactId ?? senders[i]!.newContactId),
  );
  const unknown = msgs.flatMap((_, i) => (guessed[i] ? [] : [i]));
  const [owners, tokens] = await Promise.all([
    unknown.length
      ? ownersStatement(db, {
          idx: unknown,
          inboxId: unknown.map((i) => msgs[i]!.inboxId),
          threadKey: unknown.map((i) => msgs[i]!.threadKey),
          senderKind: unknown.map((i) => msgs[i]!.sender.kind),
          senderToken: unknown.map((i) => senders[i]!.token),
        })
      : [],
    textTokensOf(keys),
  ]);
  const ownerOf = new Map(owners.map((o) => [Number(o.idx), o.owner]));
  const drafts = msgs.map((msg, i) => {
    // A new sender's key came from the pool with its id (cached there): no key is created or looked up here.
    const contactId = guessed[i] ?? ownerOf.get(i) ?? senders[i]!.newContactId;
    if (!contactId) throw new SenderGoneError();
    return { id: randomUUID(), conversationId: randomUUID(), contactId, msg };
  });
  // Text and subjects in the one encryptMany of the batch.
  const sealed = await sealTexts(
    keys,
    drafts.map((d) => ({
      id: d.id,
      contactId: d.contactId,
      body: d.msg.text,
      html: d.msg.html ?? null,
      ...(d.msg.subject != null ? { subject: { conversationId: d.conversationId, text: d.msg.subject } } : {}),
    })),
  );
  return {
    plans: drafts.map((d, i) => ({
      id: d.id,
      owner: d.contactId,
      conversationId: d.conversationId,
      body: sealed[i]!.body,
      html: sealed[i]!.html,
      subject: sealed[i]!.subject,
      subjectVector: d.msg.subject != null ? subjectVectorOf(tokens, d.msg.subject) : null,
    })),
    tokens,
  };
}
