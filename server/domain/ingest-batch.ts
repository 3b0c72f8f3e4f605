import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { preparedStatement } from '../db/statements.ts';
import type { InboundMessage } from '../../channels/types.ts';

/** The row of a message the batch inserted: the message's columns and the x_ columns ingest reads. */
export type BatchRow = Record<string, unknown> & { x_idx: number };

const p = sql.placeholder;

/**
 * The common case of ingest (a known sender writing into an existing conversation) for MANY messages
 * in ONE statement: a statement is atomic, so every message of the batch commits together, and
 * PostgreSQL pays the per-statement and per-commit cost (round trip, executor start-up, WAL flush)
 * once per batch instead of once per message. Messages whose identity or conversation is unknown,
 * or whose external id is already stored, are simply not inserted; the caller takes them through
 * the full single-message statement.
 * ingest() never has two messages of one thread in flight at once, so a batch holds at most one
 * message per conversation.
 */
const knownThreadsStatement = preparedStatement<BatchRow>(sql`
  with input as (
    select * from jsonb_to_recordset(${p('batch')}::jsonb) as t(
      idx int, channel channel, sender_kind identity_kind, sender_address text, inbox_id uuid, thread_key text,
      body text, html text, external_id text, metadata jsonb, occurred_at timestamptz)
  ), known as (
    select input.*, c.id as contact_id, c.name as contact_name, cv.id as conversation_id, cv.channel as cv_channel,
      cv.subject, cv.assignee_id, cv.assignee_name, cv.created_at as cv_created_at
    from input
      -- Lateral, so each message is an index lookup: a join would be planned for the 100 rows
      -- PostgreSQL assumes a set-returning function yields, i.e. a scan of every identity.
      cross join lateral (
        select c.id, c.name from contact_identities i join contacts c on c.id = i.contact_id
        where i.kind = input.sender_kind and i.address = input.sender_address) c
      cross join lateral (
        select cv.id, cv.channel, cv.subject, cv.assignee_id, a.name as assignee_name, cv.created_at
        from conversations cv left join agents a on a.id = cv.assignee_id
        where cv.inbox_id = input.inbox_id and cv.thread_key = input.thread_key
        order by cv.created_at desc limit 1) cv
  ), inserted as (
    insert into messages (conversation_id, channel, direction, kind, author_kind, body, html, external_id,
      delivery_state, metadata, occurred_at)
    select conversation_id, channel, 'inbound'::message_direction, 'message'::message_kind, 'contact'::author_kind,
      body, html, external_id, 'received'::delivery_state, metadata, occurred_at
    from known
    on conflict do nothing
    returning *
  ), touched as (
    update conversations cv
    set last_message_at = inserted.created_at, updated_at = inserted.created_at,
      status = case when cv.status = 'resolved' then 'open'::conversation_status else cv.status end
    from inserted where cv.id = inserted.conversation_id
    returning cv.id, cv.status
  )
  select inserted.*, known.idx as x_idx, known.contact_id as x_contact_id, known.contact_name as x_contact_name,
    known.conversation_id as x_conversation_id, known.cv_channel as x_channel, touched.status as x_status,
    known.subject as x_subject, known.assignee_id as x_assignee_id, known.assignee_name as x_assignee_name,
    known.cv_created_at as x_created_at
  from inserted
    join known on known.channel = inserted.channel and known.external_id = inserted.external_id
    join touched on touched.id = inserted.conversation_id`);

/**
 * The same for ONE message, with plain parameters: a batch of one is the common case on a quiet
 * server, and this statement costs PostgreSQL less than the recordset one. Returns one row always;
 * id is null when nothing was inserted (unknown sender or thread, or a replay).
 */
const knownThreadStatement = preparedStatement<BatchRow>(sql`
  with known_contact as (
    select c.id, c.name from contact_identities i join contacts c on c.id = i.contact_id
    where i.kind = ${p('senderKind')}::identity_kind and i.address = ${p('senderAddress')}::text
  ), known_conversation as (
    select cv.id, cv.channel, cv.subject, cv.assignee_id, a.name as assignee_name, cv.created_at
    from conversations cv left join agents a on a.id = cv.assignee_id
    where cv.inbox_id = ${p('inboxId')}::uuid and cv.thread_key = ${p('threadKey')}::text
    order by cv.created_at desc limit 1
  ), inserted as (
    insert into messages (conversation_id, channel, direction, kind, author_kind, body, html, external_id,
      delivery_state, metadata, occurred_at)
    select known_conversation.id, ${p('channel')}::channel, 'inbound'::message_direction, 'message'::message_kind,
      'contact'::author_kind, ${p('text')}::text, ${p('html')}::text, ${p('externalId')}::text,
      'received'::delivery_state, ${p('metadata')}::jsonb, ${p('occurredAt')}::timestamptz
    from known_conversation cross join known_contact
    on conflict do nothing
    returning *
  ), touched as (
    update conversations cv
    set last_message_at = inserted.created_at, updated_at = inserted.created_at,
      status = case when cv.status = 'resolved' then 'open'::conversation_status else cv.status end
    from inserted where cv.id = inserted.conversation_id
    returning cv.status
  )
  select inserted.*, known_contact.id as x_contact_id, known_contact.name as x_contact_name,
    known_conversation.id as x_conversation_id, known_conversation.channel as x_channel,
    touched.status as x_status, known_conversation.subject as x_subject,
    known_conversation.assignee_id as x_assignee_id, known_conversation.assignee_name as x_assignee_name,
    known_conversation.created_at as x_created_at
  from (select 1) as one
    left join known_contact on true left join known_conversation on true
    left join inserted on true left join touched on true`);


type Pending = { msg: InboundMessage; resolve: (row: BatchRow | null) => void; reject: (err: unknown) => void };

/** A batch never grows past this, so one statement stays short. */
const MAX_BATCH = 64;
/** A statement running longer than this is stalled (a lock wait, a slow disk): the next batch goes beside it. */
const STALL_MS = 2;
const MAX_IN_FLIGHT = 4;

/**
 * Group commit for ingest's common case: one statement at a time, and the messages that arrive
 * while it runs go together in the next one. A quiet server sends each message at once, so it adds
 * no wait; a busy one pays PostgreSQL's per-statement cost (round trip, executor start-up, WAL
 * flush), which is most of the cost of a small insert, once per batch. Should a statement stall,
 * the next batch starts beside it after STALL_MS, so one locked conversation never holds up the
 * others. Each caller gets its answer only after its message is committed. A failing batch (one
 * malformed message fails the statement) is retried message by message, so one bad message never
 * costs the others.
 */
class KnownThreadBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;
  private lastStartedAt = 0;
  private stallTimer: NodeJS.Timeout | null = null;

  constructor(private readonly db: Db) {}

  submit(msg: InboundMessage): Promise<BatchRow | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ msg, resolve, reject });
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
        batch.map((pending) => this.execute([pending]).then((rows) => pending.resolve(rows.get(0) ?? null), pending.reject)),
      );
    }
  }

  private async execute(batch: Pending[]): Promise<Map<number, BatchRow>> {
    if (batch.length === 1) {
      const { msg } = batch[0]!;
      const [row] = await knownThreadStatement(this.db, {
        channel: msg.channel,
        externalId: msg.externalId,
        senderKind: msg.sender.kind,
        senderAddress: msg.sender.address,
        inboxId: msg.inboxId,
        threadKey: msg.threadKey,
        text: msg.text,
        html: msg.html ?? null,
        metadata: JSON.stringify(msg.metadata ?? {}),
        occurredAt: msg.occurredAt.toISOString(),
      });
      return row && row.id !== null && row.x_contact_id && row.x_conversation_id ? new Map([[0, row]]) : new Map();
    }
    const input = batch.map(({ msg }, idx) => ({
      idx,
      channel: msg.channel,
      sender_kind: msg.sender.kind,
      sender_address: msg.sender.address,
      inbox_id: msg.inboxId,
      thread_key: msg.threadKey,
      body: msg.text,
      html: msg.html ?? null,
      external_id: msg.externalId,
      metadata: msg.metadata ?? {},
      occurred_at: msg.occurredAt.toISOString(),
    }));
    const rows = await knownThreadsStatement(this.db, { batch: JSON.stringify(input) });
    return new Map(rows.map((row) => [Number(row.x_idx), row]));
  }
}

const batchers = new WeakMap<Db, KnownThreadBatcher>();

/**
 * Stores the message when its sender and thread are known; resolves its row, or null when the
 * caller must take it through the full statement (new sender or thread, or a replay).
 */
export function ingestKnownThread(db: Db, msg: InboundMessage): Promise<BatchRow | null> {
  let batcher = batchers.get(db);
  if (!batcher) batchers.set(db, (batcher = new KnownThreadBatcher(db)));
  return batcher.submit(msg);
}
