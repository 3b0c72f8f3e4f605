import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { rowReader } from '../db/rows.ts';
import { preparedStatement } from '../db/statements.ts';
import { ingestKnownThread } from './ingest-batch.ts';
import { SerialByKey } from './serial-by-key.ts';
import { attachments, conversations, messages } from '../../drizzle/schema/index.ts';
import type { InboundAttachment, InboundMessage } from '../../channels/types.ts';
import type { AttachmentView, ConversationView, MessageView } from '../http/views.ts';
import type { BlobStore } from '../blobs/store.ts';
import type { DomainEventBus } from './events.ts';
import type { InboxNameCache } from './inbox-names.ts';
import { notFound } from './errors.ts';
import { loadConversationView, toMessageView } from './views.ts';

export type IngestResult = {
  created: boolean;
  message: MessageView;
  conversation: ConversationView;
  contactId: string;
};

export type IngestDeps = {
  db: Db;
  events: DomainEventBus;
  inboxNames: InboxNameCache;
  /** The status a new chat conversation starts in: 'bot' while the bot is enabled. */
  chatOpenStatus?: () => 'bot' | 'open';
  /** Where inbound attachments go; required only for messages that carry some. */
  blobs?: BlobStore;
};

const UNIQUE_VIOLATION = '23505';
const isUniqueViolation = (err: unknown) =>
  typeof err === 'object' && err !== null && ((err as { code?: string }).code === UNIQUE_VIOLATION ||
    (err as { cause?: { code?: string } }).cause?.code === UNIQUE_VIOLATION);

/**
 * The single entry of every inbound message, whatever the channel: identity -> contact,
 * conversation found or opened, message stored, all in one transaction (one statement, see
 * ingestOnce; the common case shares its statement with other messages arriving at the same time,
 * see ingest-batch.ts). A replay of the same (channel, externalId) changes nothing and returns the stored
 * message. Events go out after commit.
 */
export async function ingest(deps: IngestDeps, msg: InboundMessage): Promise<IngestResult> {
  const inboxName = await deps.inboxNames.get(msg.inboxId);
  if (inboxName === undefined) throw notFound('Inbox');
  // Two first messages of a new sender can race on the identity's unique key, two deliveries of one
  // message on its external id: the loser retries and then finds the winner's contact (or message).
  for (let attempt = 0; ; attempt++) {
    try {
      const openStatus = msg.channel === 'chat' ? (deps.chatOpenStatus?.() ?? 'open') : 'open';
      const result = await threads.run(`${msg.inboxId}\n${msg.threadKey}`, () => ingestOnce(deps.db, msg, inboxName, openStatus));
      // Only messages with files pay for this; the chat hot path never enters it.
      if (msg.attachments?.length) await linkAttachments(deps, result, msg.attachments);
      if (result.created) {
        deps.events.publish('message.created', {
          message: result.message,
          conversation: result.conversation,
          route: { threadKey: msg.threadKey },
          clientId: typeof msg.metadata?.clientId === 'string' ? msg.metadata.clientId : null,
        });
      }
      return result;
    } catch (err) {
      if (attempt < 3 && isUniqueViolation(err)) continue;
      throw err;
    }
  }
}

const readMessage = rowReader(messages);
const threads = new SerialByKey();

/**
 * Stores the files of a just-ingested message and links them to its row. The message commits first
 * (one statement, the hot path); a crash before the files are linked leaves a message without them,
 * and the channel's re-delivery (IMAP re-reads an uncommitted checkpoint) arrives here as a replay
 * with no files linked yet: they are linked then. A replay whose files are already linked stores nothing.
 */
async function linkAttachments(deps: IngestDeps, result: IngestResult, files: InboundAttachment[]): Promise<void> {
  if (!deps.blobs) throw new Error('ingest of a message with attachments needs a blob store');
  const existing = result.created
    ? []
    : await deps.db
        .select({ id: attachments.id, filename: attachments.filename, contentType: attachments.contentType, size: attachments.size })
        .from(attachments)
        .where(eq(attachments.messageId, result.message.id))
        .orderBy(attachments.createdAt, attachments.id);
  if (existing.length > 0) {
    result.message.attachments = existing;
    return;
  }
  const stored: Array<typeof attachments.$inferInsert> = [];
  for (const file of files) {
    const blob = await deps.blobs.put(file.content);
    stored.push({ messageId: result.message.id, blobId: blob.id, filename: file.filename, contentType: file.contentType, size: blob.size });
  }
  try {
    const rows = await deps.db.insert(attachments).values(stored).returning();
    result.message.attachments = rows.map((r): AttachmentView => ({ id: r.id, filename: r.filename, contentType: r.contentType, size: r.size }));
  } catch (err) {
    // No row points at these blobs: remove them rather than leave files erasure could never find.
    await Promise.all(stored.map((s) => deps.blobs!.delete(s.blobId).catch(() => false)));
    throw err;
  }
}

type IngestRow = Record<string, unknown> & {
  /** The inserted message's id; null when nothing was inserted (the external id is already stored). */
  id: string | null;
  // The conversation's and contact's columns carry an x_ prefix: the message's own columns
  // (conversation_id, channel, ...) would otherwise collide with them.
  x_contact_id: string | null;
  x_contact_name: string | null;
  x_conversation_id: string | null;
  x_channel: ConversationView['channel'] | null;
  x_status: ConversationView['status'] | null;
  x_subject: string | null;
  x_assignee_id: string | null;
  x_assignee_name: string | null;
  x_created_at: string | Date | null;
};

const p = sql.placeholder;

/**
 * The whole of ingest as ONE statement, so one round trip and one implicit transaction (a statement
 * is atomic: all of it commits or none). Used when ingestKnownThread found no identity or no
 * conversation (a sender's first message, a new thread). Data-modifying CTEs:
 *   stored              the external id is already stored: then nothing below inserts (a replay)
 *   known_contact       the sender's identity -> contact, else new_contact + new_identity
 *   known_conversation  the thread's latest conversation in the inbox, else new_conversation (open)
 *   inserted            the message (no ON CONFLICT: a concurrent insert of the same external id
 *                       fails the statement, so a contact or conversation created here for a message
 *                       that turned out to be a replay is rolled back with it)
 *   touched             an existing conversation's timestamps, and resolved -> open. A conversation
 *                       opened here already has them: its defaults are now(), the message's created_at.
 * Races end in a unique violation (two first messages of a new sender on the identity's key, two
 * deliveries of one external id on the message's key); the caller retries and then finds the
 * winner's rows, exactly as with a multi-statement transaction.
 */
const ingestStatement = preparedStatement<IngestRow>(sql`
  with stored as (
    select 1 from messages where channel = ${p('channel')}::channel and external_id = ${p('externalId')}::text
  ), known_contact as (
    select c.id, c.name from contact_identities i join contacts c on c.id = i.contact_id
    where i.kind = ${p('senderKind')}::identity_kind and i.address = ${p('senderAddress')}::text
  ), new_contact as (
    insert into contacts (name, email, phone)
    select ${p('senderName')}::text, ${p('email')}::text, ${p('phone')}::text
    where not exists (select 1 from known_contact) and not exists (select 1 from stored)
    returning id, name
  ), new_identity as (
    insert into contact_identities (contact_id, kind, address)
    select id, ${p('senderKind')}::identity_kind, ${p('senderAddress')}::text from new_contact
  ), the_contact as (
    select id, name from known_contact union all select id, name from new_contact
  ), known_conversation as (
    select cv.id, cv.channel, cv.status, cv.subject, cv.assignee_id, a.name as assignee_name, cv.created_at
    from conversations cv left join agents a on a.id = cv.assignee_id
    where cv.inbox_id = ${p('inboxId')}::uuid and cv.thread_key = ${p('threadKey')}::text
    order by cv.created_at desc limit 1
  ), new_conversation as (
    insert into conversations (inbox_id, contact_id, channel, status, thread_key, subject)
    select ${p('inboxId')}::uuid, the_contact.id, ${p('channel')}::channel, ${p('openStatus')}::conversation_status,
      ${p('threadKey')}::text, ${p('subject')}::text
    from the_contact
    where not exists (select 1 from known_conversation) and not exists (select 1 from stored)
    returning id, channel, status, subject, assignee_id, null::text as assignee_name, created_at
  ), the_conversation as (
    select * from known_conversation union all select * from new_conversation
  ), inserted as (
    insert into messages (conversation_id, channel, direction, kind, author_kind, body, html, external_id,
      delivery_state, metadata, occurred_at)
    select the_conversation.id, ${p('channel')}::channel, 'inbound'::message_direction, 'message'::message_kind,
      'contact'::author_kind, ${p('text')}::text, ${p('html')}::text, ${p('externalId')}::text,
      'received'::delivery_state, ${p('metadata')}::jsonb, ${p('occurredAt')}::timestamptz
    from the_conversation cross join the_contact
    where not exists (select 1 from stored)
    returning *
  ), touched as (
    update conversations cv
    set last_message_at = inserted.created_at, updated_at = inserted.created_at,
      status = case when cv.status = 'resolved' then 'open'::conversation_status else cv.status end
    from inserted, known_conversation
    where cv.id = known_conversation.id and cv.id = inserted.conversation_id
    returning cv.status
  )
  select inserted.*, the_contact.id as x_contact_id, the_contact.name as x_contact_name,
    the_conversation.id as x_conversation_id, the_conversation.channel as x_channel,
    coalesce(touched.status, the_conversation.status) as x_status, the_conversation.subject as x_subject,
    the_conversation.assignee_id as x_assignee_id, the_conversation.assignee_name as x_assignee_name,
    the_conversation.created_at as x_created_at
  from (select 1) as one
    left join the_contact on true left join the_conversation on true
    left join inserted on true left join touched on true`);

/** ingestStatement's named values for one message. */
function statementValues(msg: InboundMessage, openStatus: 'bot' | 'open') {
  return {
    openStatus,
    channel: msg.channel,
    externalId: msg.externalId,
    senderKind: msg.sender.kind,
    senderAddress: msg.sender.address,
    senderName: msg.sender.name ?? null,
    email: msg.sender.kind === 'email' ? msg.sender.address : null,
    phone: msg.sender.kind === 'phone' ? msg.sender.address : null,
    inboxId: msg.inboxId,
    threadKey: msg.threadKey,
    subject: msg.subject ?? null,
    text: msg.text,
    html: msg.html ?? null,
    metadata: JSON.stringify(msg.metadata ?? {}),
    occurredAt: msg.occurredAt.toISOString(),
  };
}

/**
 * One attempt: the batched known-thread statement, or ingestStatement when that stored nothing
 * (no identity or conversation yet, or a replay, which ingestStatement recognises). Builds the
 * result, and the event payload, from the row.
 */
async function ingestOnce(db: Db, msg: InboundMessage, inboxName: string, openStatus: 'bot' | 'open'): Promise<IngestResult> {
  const row = ((await ingestKnownThread(db, msg)) as IngestRow | null) ?? (await ingestStatement(db, statementValues(msg, openStatus)))[0];
  if (!row || row.id === null) return loadReplayed(db, msg);
  const message = readMessage(row);
  return {
    created: true,
    contactId: row.x_contact_id!,
    message: toMessageView(message, null),
    conversation: {
      id: row.x_conversation_id!,
      inboxId: msg.inboxId,
      inboxName,
      channel: row.x_channel!,
      status: row.x_status!,
      subject: row.x_subject,
      contact: { id: row.x_contact_id!, name: row.x_contact_name },
      assignee: row.x_assignee_id && row.x_assignee_name ? { id: row.x_assignee_id, name: row.x_assignee_name } : null,
      lastMessageAt: message.createdAt.toISOString(),
      lastMessagePreview: message.body.slice(0, 140),
      unreadCount: 0,
      createdAt: new Date(row.x_created_at!).toISOString(),
    },
  };
}

async function loadReplayed(db: Db, msg: InboundMessage): Promise<IngestResult> {
  const [row] = await db
    .select({ message: messages, contactId: conversations.contactId })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(and(eq(messages.channel, msg.channel), eq(messages.externalId, msg.externalId)));
  if (!row) throw new Error('Replay detected but the stored message is gone');
  const conversation = await loadConversationView(db, row.message.conversationId, null);
  return { created: false, contactId: row.contactId, message: toMessageView(row.message, null), conversation: conversation! };
}

