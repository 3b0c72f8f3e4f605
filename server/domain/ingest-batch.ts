import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { preparedStatement } from '../db/statements.ts';
import type { InboundMessage } from '../../channels/types.ts';
import { planSenders, settlePlans, type SenderPlan } from './identity-lookup.ts';
import type { StoreKeys } from './message-store.ts';
import { forgetThreadOwner, planIngestTexts, rememberThreadOwner, type IngestTextPlan } from './ingest-text.ts';
import type { TextTokens } from './search-tokens.ts';
import {
  auditStaging,
  batchStatement,
  batchValues,
  blindMentionTokens,
  blindSearchVector,
  ingestStatement,
  insertedColumns,
  messageReceived,
  statementValues,
  type IngestRow,
} from './ingest-statements.ts';

const p = sql.placeholder;

/**
 * A message alone whose sender and thread are known (the common case on a quiet server), with plain
 * parameters: it costs PostgreSQL less than the recordset statement, and far less than ingestStatement,
 * whose inserts of a contact, an identity and a conversation cost their executor start-up even when
 * they insert nothing. Returns one row always; id is null when nothing was inserted (unknown sender or
 * thread, or a replay): the caller then takes the message through ingestStatement.
 */
const knownThreadStatement = preparedStatement<IngestRow>(sql`
  with known_contact as (
    select i.contact_id as id, i.id as identity_id from contact_identities i
    where i.kind = ${p('senderKind')}::identity_kind and i.address_token = ${p('senderToken')}::text
  ), known_conversation as (
    select cv.id, cv.channel, cv.subject, cv.assignee_id, a.name as assignee_name, cv.created_at,
      cv.team_id, t.name as team_name, cv.contact_id
    from conversations cv left join agents a on a.id = cv.assignee_id left join teams t on t.id = cv.team_id
    where cv.inbox_id = ${p('inboxId')}::uuid and cv.thread_key = ${p('threadKey')}::text
      and cv.deleted_at is null
    order by cv.created_at desc limit 1
  ), inserted as (
    insert into messages (id, conversation_id, channel, direction, kind, author_kind, author_identity_id, body, html,
      language, external_id, delivery_state, metadata, occurred_at, search_vector, mention_tokens)
    select ${p('messageId')}::uuid, known_conversation.id, ${p('channel')}::channel, 'inbound'::message_direction,
      'message'::message_kind, 'contact'::author_kind, known_contact.identity_id, ${p('sealedText')}::text,
      ${p('sealedHtml')}::text, ${p('language')}::text, ${p('externalId')}::text, 'received'::delivery_state,
      ${p('metadata')}::jsonb, ${p('occurredAt')}::timestamptz, ${blindSearchVector}, ${blindMentionTokens}
    from known_conversation cross join known_contact
    -- Stored only in a conversation of the contact whose key sealed the text (ingest-text.ts).
    where known_conversation.contact_id = ${p('owner')}::uuid
    on conflict do nothing
    returning *
  ), touched as (
    update conversations cv
    set last_message_at = inserted.created_at, updated_at = inserted.created_at,
      status = case when cv.status = 'resolved' then 'open'::conversation_status else cv.status end
    from inserted where cv.id = inserted.conversation_id
    returning cv.status
  ), audited as (
    ${auditStaging}
    select ${messageReceived('inserted', 'known_contact.id', sql`false`, sql`null`)}
    from inserted cross join known_contact
  )
  select ${insertedColumns}, known_contact.id as x_contact_id, known_conversation.id as x_conversation_id,
    known_conversation.channel as x_channel, touched.status as x_status, known_conversation.subject as x_subject,
    known_conversation.assignee_id as x_assignee_id, known_conversation.assignee_name as x_assignee_name,
    known_conversation.team_id as x_team_id, known_conversation.team_name as x_team_name,
    known_conversation.created_at as x_created_at, known_conversation.contact_id as x_key_owner,
    false as x_new_conversation
  from (select 1) as one
    left join known_contact on true left join known_conversation on true
    left join inserted on true left join touched on true`);

type Pending = {
  msg: InboundMessage;
  openStatus: 'bot' | 'open';
  resolve: (row: IngestRow | null) => void;
  reject: (err: unknown) => void;
};

/** A batch never grows past this, so one statement stays short. */
const MAX_BATCH = 64;
/**
 * A statement running longer than this is stalled (a lock wait, a slow disk): the next batch goes beside it.
 * Not less: on a busy server an ordinary statement takes a few ms, and a 2 ms threshold took it for a stall and
 * split the waiting messages into more, smaller statements, each paying PostgreSQL's per-statement cost again
 * (bench:ingest, README "Benchmarks": about 10-15 % more CPU per message). A message waits at most this long
 * behind a running statement before its own goes beside it.
 */
const STALL_MS = 10;
const MAX_IN_FLIGHT = 4;

/**
 * Group commit for ingest: one statement at a time, and the messages that arrive
 * while it runs go together in the next one. A quiet server sends each message at once, so it adds
 * no wait; a busy one pays PostgreSQL's per-statement cost (round trip, executor start-up, WAL
 * flush), which is most of the cost of a small insert, once per batch. Should a statement stall,
 * the next batch starts beside it after STALL_MS, so one locked conversation never holds up the
 * others. Each caller gets its answer only after its message is committed. A failing batch (one
 * malformed message fails the statement) is retried message by message, so one bad message never
 * costs the others.
 */
class IngestBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;
  private lastStartedAt = 0;
  private stallTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly keys: StoreKeys,
  ) {}

  submit(msg: InboundMessage, openStatus: 'bot' | 'open'): Promise<IngestRow | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ msg, openStatus, resolve, reject });
      this.pump();
    });
  }

  private pump() {
    while (this.queue.length > 0 && this.inFlight < MAX_IN_FLIGHT) {
      const waited = performance.now() - this.lastStartedAt;
      if (this.inFlight > 0 && waited < STALL_MS) {
        this.stallTimer ??= setTimeout(() => {
          this.stallTimer = null;
          this.pump();
        }, STALL_MS - waited);
        return;
      }
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight++;
      this.lastStartedAt = performance.now();
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(batch: Pending[]) {
    try {
      const rows = await this.execute(batch);
      batch.forEach((pending, idx) => pending.resolve(rows.get(idx) ?? null));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      await Promise.all(
        batch.map((pending) =>
          this.execute([pending]).then((rows) => pending.resolve(rows.get(0) ?? null), pending.reject),
        ),
      );
    }
  }

  /**
   * The batch's senders planned first (new ones get their contact's ids and data key from the key pool,
   * identity-lookup.ts), their texts sealed next (one look-up of the keys' owners and one encryptMany,
   * ingest-text.ts), then one statement: a message alone from a known sender goes through knownThreadStatement,
   * alone from a new one through ingestStatement, more share batchStatement.
   */
  private async execute(batch: Pending[]): Promise<Map<number, IngestRow>> {
    const senders = batch.map((b) => b.msg.sender);
    const plans = await planSenders(this.db, senders);
    let rows: Map<number, IngestRow>;
    try {
      const texts = await planIngestTexts(
        this.db,
        this.keys,
        batch.map((b) => b.msg),
        plans,
      );
      rows = await this.statement(batch, plans, texts.plans, texts.tokens);
    } catch (err) {
      await settlePlans(this.db, senders, plans, new Set());
      throw err;
    }
    const created = new Set([...rows.values()].map((r) => r.x_contact_id!));
    await settlePlans(this.db, senders, plans, created);
    batch.forEach(({ msg }, idx) => {
      const owner = rows.get(idx)?.x_key_owner;
      // Left out (a replay, or an owner that was not the conversation's): its next plan looks the owner up.
      if (owner) rememberThreadOwner(this.db, msg, owner);
      else forgetThreadOwner(this.db, msg);
    });
    // A message ingestStatement left out (the owner planned was not its conversation's contact: another writer
    // stored the same new sender meanwhile, or moved the thread) is no replay: without a row its caller plans it
    // again alone (ingest.ts ingestAlone). A contact the statement created for it was settled above as created.
    for (const [idx, row] of rows) if (row.id === null && row.x_stored === false) rows.delete(idx);
    return rows;
  }

  private async statement(
    batch: Pending[],
    plans: SenderPlan[],
    texts: IngestTextPlan[],
    tokens: TextTokens,
  ): Promise<Map<number, IngestRow>> {
    if (batch.length === 1) {
      const { msg, openStatus } = batch[0]!;
      // ingestStatement's values: knownThreadStatement reads the ones it names.
      const values = statementValues(msg, openStatus, plans[0]!, texts[0]!, tokens);
      if (plans[0]!.newContactId) {
        // A new sender alone: ingestStatement creates the contact, and recognises a replay (its row's id is null).
        const [row] = await ingestStatement(this.db, values);
        return row ? new Map([[0, row]]) : new Map();
      }
      const [row] = await knownThreadStatement(this.db, values);
      return row && row.id !== null && row.x_contact_id && row.x_conversation_id ? new Map([[0, row]]) : new Map();
    }
    const rows = await batchStatement(
      this.db,
      batchValues(
        batch.map((b, i) => ({ ...b, sender: plans[i]! })),
        texts,
        tokens,
      ),
    );
    return new Map(rows.map((row) => [Number(row.x_idx), row]));
  }
}

const batchers = new WeakMap<Db, IngestBatcher>();

/**
 * Stores the message, sharing a statement with the messages arriving at the same time; resolves its
 * row (its id null for a replay), or null when the caller must take it through ingestStatement (a replay;
 * a sender gone since it was planned as known; or, sent alone, a new thread).
 */
export function ingestBatched(
  db: Db,
  keys: StoreKeys,
  msg: InboundMessage,
  openStatus: 'bot' | 'open',
): Promise<IngestRow | null> {
  let batcher = batchers.get(db);
  if (!batcher) batchers.set(db, (batcher = new IngestBatcher(db, keys)));
  return batcher.submit(msg, openStatus);
}
