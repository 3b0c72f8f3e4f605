import {
  pgTable,
  uuid,
  text,
  timestamp,
  jsonb,
  integer,
  bigint,
  index,
  uniqueIndex,
  primaryKey,
  customType,
  check,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import {
  channelEnum,
  conversationStatusEnum,
  messageDirectionEnum,
  authorKindEnum,
  messageKindEnum,
  deliveryStateEnum,
  participantRoleEnum,
} from './enums.ts';
import { inboxes } from './inboxes.ts';
import { contactIdentities, contacts } from './contacts.ts';
import { agents, teams } from './agents.ts';

/** PostgreSQL's text search document type (read as its text form; nothing in the app parses it). */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => inboxes.id),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    channel: channelEnum('channel').notNull(),
    status: conversationStatusEnum('status').notNull().default('open'),
    assigneeId: uuid('assignee_id').references(() => agents.id, { onDelete: 'set null' }),
    /** The team that works it (server/domain/conversation-team.ts); always one serving the conversation's inbox. */
    teamId: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
    /** Channel thread: email Message-ID root, Slack thread ts, phone pair, widget visitor id. */
    threadKey: text('thread_key').notNull(),
    /**
     * Sealed with the contact's data key (`pdk:v1:…`, issue 22, server/domain/subject-store.ts); plaintext in rows
     * from before migration 0047 until `privacy:encrypt-existing` seals them.
     */
    subject: text('subject'),
    /** A sealed subject's words and digit runs as keyed tokens (subject-store.ts): search and erasure find it so. */
    subjectVector: tsvector('subject_vector'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    lastMessageAt: timestamp('last_message_at', { withTimezone: true }).notNull().defaultNow(),
    /** When an agent last marked it resolved (null until then): the end of its resolution time in analytics. */
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    /** Monotonic sequence for keyset pagination of the list (ties on last_message_at). */
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    /**
     * The trash (server/domain/trash.ts): when an agent deleted it, and when the retention sweep purges it. Null
     * while it is not in the trash. Rows stay where they are (messages, files and recordings keep their foreign
     * keys, so erasure and export reach them unchanged, and a restore is one update); every read path but the
     * trash's own, erasure and export leaves them out.
     */
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    purgeAfter: timestamp('purge_after', { withTimezone: true }),
    deletedByAgentId: uuid('deleted_by_agent_id').references((): AnyPgColumn => agents.id, { onDelete: 'set null' }),
  },
  (t) => [
    index('conversations_thread').on(t.inboxId, t.threadKey),
    // The trash list and the sweep's due query read only trashed rows.
    index('conversations_trash')
      .on(t.purgeAfter)
      .where(sql`${t.deletedAt} is not null`),
    // An agent's deletion sets deleted_by_agent_id null: found by index, not by a scan.
    index('conversations_deleted_by')
      .on(t.deletedByAgentId)
      .where(sql`${t.deletedByAgentId} is not null`),
    check('conversations_trash_dates', sql`(${t.deletedAt} is null) = (${t.purgeAfter} is null)`),
    index('conversations_list').on(t.lastMessageAt, t.seq),
    index('conversations_contact').on(t.contactId),
    index('conversations_status').on(t.status),
    // The "my teams" view and a deleted team's set null.
    index('conversations_team').on(t.teamId),
    // Analytics: conversations started in the dashboard's date range.
    index('conversations_created').on(t.createdAt),
    index('conversations_subject_vector').using('gin', t.subjectVector),
  ],
);

export type Redaction = { start: number; end: number; by: string; at: string };

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    channel: channelEnum('channel').notNull(),
    direction: messageDirectionEnum('direction').notNull(),
    kind: messageKindEnum('kind').notNull().default('message'),
    authorKind: authorKindEnum('author_kind').notNull(),
    authorAgentId: uuid('author_agent_id').references(() => agents.id, { onDelete: 'set null' }),
    /**
     * The identity that wrote an inbound message (email From, phone, Slack user, widget visitor), which is not
     * always the conversation's contact (a Cc'd person's reply). Null for agents', the bot's and system messages.
     */
    authorIdentityId: uuid('author_identity_id').references((): AnyPgColumn => contactIdentities.id, {
      onDelete: 'set null',
    }),
    body: text('body').notNull(),
    /** Sanitized HTML (email); never raw provider HTML. */
    html: text('html'),
    /** The provider's id (or the widget's client id): replays of the same id are no-ops. */
    externalId: text('external_id'),
    deliveryState: deliveryStateEnum('delivery_state').notNull(),
    deliveryError: text('delivery_error'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    redactions: jsonb('redactions').$type<Redaction[]>().notNull().default([]),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    /**
     * The language the text is written in where known (BCP 47 primary subtag: en, de, fr, fi, sv), for search
     * stemming (server/domain/search-sql.ts). Filled at insert from the contact's locale when not given.
     */
    language: text('language'),
    /**
     * The words of body + HTML for the search box (search_document(): unstemmed, and stemmed in the message's
     * language), as keyed tokens for a sealed row (migration 0042, server/domain/message-store.ts: the writer
     * computes them from the plaintext it seals) and as words for a plaintext row from before (a trigger keeps those).
     */
    searchVector: tsvector('search_vector'),
    /** The tokens of the digit runs of a sealed row's text (phone numbers mentioned; migration 0042). */
    mentionTokens: text('mention_tokens')
      .array()
      .notNull()
      .default(sql`'{}'`),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('messages_channel_external')
      .on(t.channel, t.externalId)
      .where(sql`${t.externalId} is not null`),
    index('messages_conversation').on(t.conversationId, t.createdAt),
    index('messages_retry')
      .on(t.nextAttemptAt)
      .where(sql`${t.deliveryState} = 'pending'`),
    // Analytics: messages written in the dashboard's date range.
    index('messages_created').on(t.createdAt),
    // Erasure and export find a person's messages by the identities that wrote them.
    index('messages_search_vector').using('gin', t.searchVector),
    index('messages_mention_tokens').using('gin', t.mentionTokens),
    // Rows stored before per-person encryption (issue 22) until privacy:encrypt-existing seals them: the search box
    // asks this index (empty once every row is sealed) whether the plaintext half of its query can match anything.
    index('messages_plaintext')
      .on(t.id)
      .where(sql`${t.body} not like 'pdk:%'`),
    index('messages_author_identity')
      .on(t.authorIdentityId)
      .where(sql`${t.authorIdentityId} is not null`),
  ],
);

/**
 * The people who took part in a conversation besides the agents: for email, the addresses in From, To and Cc
 * of its inbound mails (our own inbox addresses left out). Only participants' mails join a conversation by its
 * threading headers, and replies go only to participants.
 */
export const conversationParticipants = pgTable(
  'conversation_participants',
  {
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    identityId: uuid('identity_id')
      .notNull()
      .references(() => contactIdentities.id, { onDelete: 'cascade' }),
    role: participantRoleEnum('role').notNull(),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.identityId, t.role] }),
    index('conversation_participants_identity').on(t.identityId),
  ],
);

export const attachments = pgTable(
  'attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    blobId: text('blob_id').notNull(),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('attachments_message').on(t.messageId)],
);

export const recordings = pgTable(
  'recordings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'set null' }),
    provider: text('provider').notNull(),
    providerSid: text('provider_sid').notNull(),
    durationSeconds: integer('duration_seconds').notNull(),
    blobId: text('blob_id'),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
    deleteAfter: timestamp('delete_after', { withTimezone: true }).notNull(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    /** Provider-side deletion is retried with backoff; admins see recordings that keep failing. */
    deletionAttempts: integer('deletion_attempts').notNull().default(0),
    nextDeletionAttemptAt: timestamp('next_deletion_attempt_at', { withTimezone: true }),
    lastDeletionError: text('last_deletion_error'),
  },
  (t) => [
    uniqueIndex('recordings_provider_sid').on(t.provider, t.providerSid),
    index('recordings_delete_after').on(t.deleteAfter),
    // Foreign keys followed on delete (cascade, set null) and by the retention engine: indexed, or every
    // deleted conversation or message scans the whole table.
    index('recordings_conversation').on(t.conversationId),
    index('recordings_message').on(t.messageId),
  ],
);

/** Per-agent read marker: unread = inbound messages after last_read_at. */
export const conversationReads = pgTable(
  'conversation_reads',
  {
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    lastReadAt: timestamp('last_read_at', { withTimezone: true }).notNull(),
  },
  // The key leads with the agent; deleting a conversation (cascade) looks its markers up by conversation.
  (t) => [
    primaryKey({ columns: [t.agentId, t.conversationId] }),
    index('conversation_reads_conversation').on(t.conversationId),
  ],
);
