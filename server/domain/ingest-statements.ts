import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { preparedStatement } from '../db/statements.ts';
import type { InboundMessage } from '../../channels/types.ts';
import type { ConversationView } from '../http/views.ts';
import { messageLanguage } from '../../bot/language.ts';
import { messages } from '../../drizzle/schema/index.ts';
import { columnList } from '../db/rows.ts';
import type { SenderPlan } from './identity-lookup.ts';
import type { IngestTextPlan } from './ingest-text.ts';
import { mentionTokensOf } from './message-store.ts';
import type { TextTokens } from './search-tokens.ts';

/**
 * The inserted message's columns the statements send back: all but search_vector, whose text (twice the size of
 * the message) PostgreSQL would otherwise format and send for every message only for ingest to drop it, and the
 * mention tokens.
 */
export const RETURNED_MESSAGE_OMITS = ['searchVector', 'mentionTokens'] as const;
export const insertedColumns = sql.raw(columnList(messages, 'inserted', RETURNED_MESSAGE_OMITS));

export type IngestRow = Record<string, unknown> & {
  /** The inserted message's id; null when nothing was inserted (the external id is already stored). */
  id: string | null;
  // The conversation's and contact's columns carry an x_ prefix: the message's own columns
  // (conversation_id, channel, ...) would otherwise collide with them.
  x_contact_id: string | null;
  x_conversation_id: string | null;
  x_channel: ConversationView['channel'] | null;
  x_status: ConversationView['status'] | null;
  x_subject: string | null;
  x_assignee_id: string | null;
  x_assignee_name: string | null;
  x_team_id: string | null;
  x_team_name: string | null;
  x_created_at: string | Date | null;
  /**
   * The contact of the conversation the message went (or would go) to: the owner its text must be sealed for
   * (ingest-text.ts). A statement stores a message only when it equals the owner planned.
   */
  x_key_owner: string | null;
  /** ingestStatement only: the external id was stored already (a replay), as opposed to a message left out. */
  x_stored?: boolean;
  /**
   * The statement opened the conversation: x_subject is then the subject just sealed from the message's own, which
   * the caller shows as it has it (no decryption on the ingest path).
   */
  x_new_conversation: boolean | null;
};

const p = sql.placeholder;

/**
 * The index entries of the message being stored (message-store.ts): the text is sealed (sealedText, sealedHtml) and
 * its tokens are computed in the server (search-tokens.ts); the plaintext is no parameter of the statement.
 */
export const blindSearchVector = sql`${p('searchVector')}::tsvector`;
export const blindMentionTokens = mentionTokensOf(p('mentionTokens'));

/*
 * Who touched this person's data (issue 21): each statement below stages its audit entries (ids and field names,
 * never values) in the same statement, so they exist exactly when the rows do; server/privacy/audit-staging.ts
 * moves them into the hash chain. The chain's lock is not taken here: it would serialize every ingest statement.
 */
export const auditStaging = sql.raw(
  'insert into audit_staged (actor_kind, actor_id, action, target_type, target_id, details)',
);
const fieldIf = (value: SQLWrapper | string, field: string) =>
  sql`case when ${typeof value === 'string' ? sql.raw(value) : value} is not null then ${field}::text end`;

/** The select list of a contact.created entry: the contact and its first identity, by ingest. */
export function contactCreated(
  contactId: string,
  identityId: string,
  kind: SQLWrapper,
  name: SQLWrapper,
  email: SQLWrapper,
  phone: SQLWrapper,
) {
  return sql`'system', null, 'contact.created', 'contact', ${sql.raw(contactId)}::text,
    jsonb_build_object('process', 'ingest', 'contactId', ${sql.raw(contactId)}, 'identityId', ${sql.raw(identityId)},
      'fields', to_jsonb(array_remove(array[${fieldIf(sql`${name}::text`, 'name')},
        ${fieldIf(sql`${email}::text`, 'email')}, ${fieldIf(sql`${phone}::text`, 'phone')},
        'identity.' || ${kind}::text], null)))`;
}

/** The select list of a message.received entry for a row of `inserted` (messages.*). */
export function messageReceived(inserted: string, contactId: string, newConversation: SQL, subject: SQLWrapper) {
  const m = (column: string) => sql.raw(`${inserted}.${column}`);
  return sql`'system', null, 'message.received', 'message', ${m('id')}::text,
    jsonb_build_object('process', 'ingest', 'channel', ${m('channel')}, 'contactId', ${sql.raw(contactId)},
      'conversationId', ${m('conversation_id')}, 'identityId', ${m('author_identity_id')},
      'newConversation', ${newConversation},
      'fields', to_jsonb(array_remove(array['body', ${fieldIf(m('html'), 'html')},
        case when ${newConversation} then ${fieldIf(sql`${subject}::text`, 'subject')} end], null)))`;
}

/**
 * A group-commit statement's one audit entry: `details.messages` holds each message's message.received item and
 * `details.contacts` each new contact's contact.created item (ids and field names, as the single entries below);
 * `details.contactIds` names everyone in it, so the contact audit view finds it by its index and shows each person
 * only their own items (server/privacy/contact-audit.ts).
 */
export const ingestBatchAction = 'ingest.batch';
const INGEST_BATCH_ACTION = sql.raw(`'${ingestBatchAction}'`);

/** A contact.created item of a batch entry. */
function createdItem(
  contactId: string,
  identityId: string,
  kind: SQLWrapper,
  name: SQLWrapper,
  email: SQLWrapper,
  phone: SQLWrapper,
) {
  return sql`jsonb_build_object('contactId', ${sql.raw(contactId)}, 'identityId', ${sql.raw(identityId)},
    'fields', to_jsonb(array_remove(array[${fieldIf(sql`${name}::text`, 'name')},
      ${fieldIf(sql`${email}::text`, 'email')}, ${fieldIf(sql`${phone}::text`, 'phone')},
      'identity.' || ${kind}::text], null)))`;
}

/** A message.received item of a batch entry, for a row of `inserted` (messages.*). */
function receivedItem(inserted: string, contactId: string, newConversation: SQL, subject: SQLWrapper) {
  const m = (column: string) => sql.raw(`${inserted}.${column}`);
  return sql`jsonb_build_object('messageId', ${m('id')}, 'channel', ${m('channel')},
    'contactId', ${sql.raw(contactId)}, 'conversationId', ${m('conversation_id')},
    'identityId', ${m('author_identity_id')}, 'newConversation', ${newConversation},
    'fields', to_jsonb(array_remove(array['body', ${fieldIf(m('html'), 'html')},
      case when ${newConversation} then ${fieldIf(sql`${subject}::text`, 'subject')} end], null)))`;
}

/**
 * The whole of ingest as ONE statement, so one round trip and one implicit transaction (a statement
 * is atomic: all of it commits or none). Used for a message that goes alone (see ingest-batch.ts), and for
 * one whose batch stored nothing (a replay, which it recognises). Data-modifying CTEs:
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
export const ingestStatement = preparedStatement<IngestRow>(sql`
  with stored as (
    select 1 from messages where channel = ${p('channel')}::channel and external_id = ${p('externalId')}::text
  ), known_contact as (
    select i.contact_id as id, i.id as identity_id from contact_identities i
    where i.kind = ${p('senderKind')}::identity_kind and i.address_token = ${p('senderToken')}::text
  ), new_contact as (
    -- Planned in JS (identity-lookup.ts planSenders) with its data key already durable; none when the sender was
    -- known when planned: should it have gone since (erased), nothing is inserted and the caller plans again.
    insert into contacts (id, sealed_name, sealed_email, sealed_phone, name_tokens, email_tokens, phone_tokens)
    select ${p('newContactId')}::uuid, ${p('senderName')}::text, ${p('email')}::text, ${p('phone')}::text,
      string_to_array(${p('nameTokens')}::text, ' '), string_to_array(${p('emailTokens')}::text, ' '),
      string_to_array(${p('phoneTokens')}::text, ' ')
    where ${p('newContactId')}::uuid is not null
      and not exists (select 1 from known_contact) and not exists (select 1 from stored)
    returning id
  ), new_identity as (
    insert into contact_identities (id, contact_id, kind, address_token, sealed_address, member_token)
    select ${p('newIdentityId')}::uuid, id, ${p('senderKind')}::identity_kind, ${p('senderToken')}::text,
      ${p('sealedAddress')}::text, ${p('memberToken')}::text from new_contact
    returning id, contact_id
  ), the_contact as (
    select id, identity_id from known_contact
    union all
    select new_contact.id, new_identity.id from new_contact join new_identity on true
  ), known_conversation as (
    select cv.id, cv.channel, cv.status, cv.subject, cv.assignee_id, a.name as assignee_name, cv.created_at,
      cv.team_id, t.name as team_name, cv.contact_id
    from conversations cv left join agents a on a.id = cv.assignee_id left join teams t on t.id = cv.team_id
    where cv.inbox_id = ${p('inboxId')}::uuid and cv.thread_key = ${p('threadKey')}::text
      and cv.deleted_at is null
    order by cv.created_at desc limit 1
  ), new_conversation as (
    -- Only for the key's owner (ingest-text.ts): a sender found to be another contact than planned opens nothing.
    -- Its id was planned with the subject, which is sealed in that id's context (subject-store.ts).
    insert into conversations (id, inbox_id, contact_id, channel, status, thread_key, subject, subject_vector)
    select ${p('conversationId')}::uuid, ${p('inboxId')}::uuid, the_contact.id, ${p('channel')}::channel,
      ${p('openStatus')}::conversation_status, ${p('threadKey')}::text, ${p('subject')}::text,
      ${p('subjectVector')}::tsvector
    from the_contact
    where not exists (select 1 from known_conversation) and not exists (select 1 from stored)
      and the_contact.id = ${p('owner')}::uuid
    returning id, channel, status, subject, assignee_id, null::text as assignee_name, created_at, team_id,
      null::text as team_name, contact_id
  ), the_conversation as (
    select * from known_conversation union all select * from new_conversation
  ), inserted as (
    insert into messages (id, conversation_id, channel, direction, kind, author_kind, author_identity_id, body, html,
      language, external_id, delivery_state, metadata, occurred_at, search_vector, mention_tokens)
    select ${p('messageId')}::uuid, the_conversation.id, ${p('channel')}::channel, 'inbound'::message_direction,
      'message'::message_kind, 'contact'::author_kind, the_contact.identity_id, ${p('sealedText')}::text,
      ${p('sealedHtml')}::text, ${p('language')}::text, ${p('externalId')}::text, 'received'::delivery_state,
      ${p('metadata')}::jsonb, ${p('occurredAt')}::timestamptz, ${blindSearchVector},
      ${blindMentionTokens}
    from the_conversation cross join the_contact
    where not exists (select 1 from stored) and the_conversation.contact_id = ${p('owner')}::uuid
    returning *
  ), touched as (
    update conversations cv
    set last_message_at = inserted.created_at, updated_at = inserted.created_at,
      status = case when cv.status = 'resolved' then 'open'::conversation_status else cv.status end
    from inserted, known_conversation
    where cv.id = known_conversation.id and cv.id = inserted.conversation_id
    returning cv.status
  ), audited as (
    ${auditStaging}
    select ${contactCreated(
      'new_contact.id',
      'new_identity.id',
      p('senderKind'),
      p('senderName'),
      p('email'),
      p('phone'),
    )}
    from new_contact join new_identity on true
    union all
    select ${messageReceived('inserted', 'the_contact.id', sql`exists (select 1 from new_conversation)`, p('subject'))}
    from inserted cross join the_contact
  )
  select ${insertedColumns}, the_contact.id as x_contact_id, the_conversation.id as x_conversation_id,
    the_conversation.channel as x_channel,
    coalesce(touched.status, the_conversation.status) as x_status, the_conversation.subject as x_subject,
    the_conversation.assignee_id as x_assignee_id, the_conversation.assignee_name as x_assignee_name,
    the_conversation.team_id as x_team_id, the_conversation.team_name as x_team_name,
    the_conversation.created_at as x_created_at,
    coalesce(the_conversation.contact_id, the_contact.id) as x_key_owner,
    exists (select 1 from stored) as x_stored, exists (select 1 from new_conversation) as x_new_conversation
  from (select 1) as one
    left join the_contact on true left join the_conversation on true
    left join inserted on true left join touched on true`);

/** ingestStatement's named values for one message: its sender planned (identity-lookup.ts), its text sealed. */
export function statementValues(
  msg: InboundMessage,
  openStatus: 'bot' | 'open',
  sender: SenderPlan,
  plan: IngestTextPlan,
  tokens: TextTokens,
) {
  const language = messageLanguage(msg.text);
  const html = msg.html ?? null;
  return {
    messageId: plan.id,
    owner: plan.owner,
    conversationId: plan.conversationId,
    sealedText: plan.body,
    sealedHtml: plan.html,
    openStatus,
    senderToken: sender.token,
    newContactId: sender.newContactId,
    newIdentityId: sender.newIdentityId,
    sealedAddress: sender.sealedAddress,
    memberToken: sender.memberToken,
    channel: msg.channel,
    externalId: msg.externalId,
    senderKind: msg.sender.kind,
    // A new contact's fields, sealed when planned (contact-fields.ts): the statements store no plain field.
    senderName: sender.sealedName,
    email: sender.sealedEmail,
    phone: sender.sealedPhone,
    nameTokens: sender.nameTokens,
    emailTokens: sender.emailTokens,
    phoneTokens: sender.phoneTokens,
    inboxId: msg.inboxId,
    threadKey: msg.threadKey,
    // Sealed for the owner (ingest-text.ts), with its tokens: the statements store no plain subject.
    subject: plan.subject,
    subjectVector: plan.subjectVector,
    language,
    searchVector: tokens.document(language, msg.text, html),
    mentionTokens: tokens.mentionTokens(msg.text, html).join(' '),
    metadata: JSON.stringify(msg.metadata ?? {}),
    occurredAt: msg.occurredAt.toISOString(),
  };
}

/**
 * ingestStatement for MANY messages in ONE statement (group commit): identity -> contact (or a new
 * contact and identity), the thread's conversation (or a new one), the message, the conversation's
 * timestamps. A statement is atomic, so the whole batch commits together, and PostgreSQL pays its
 * per-statement and per-commit cost (round trip, executor start-up, WAL flush) once per batch.
 * New contacts come with their ids, token and sealed address from JS (identity-lookup.ts planSenders: their data
 * keys must be durable before a row names them), new conversations with theirs too (ingest-text.ts: the subject is
 * sealed in its conversation's context), so each message's new rows are known without matching RETURNING rows back
 * to their inputs.
 * - Replays (the external id already stored), and messages whose sender was planned as known but is gone, are left
 *   out (no row comes back for them): the caller takes them through ingestStatement.
 * - ingest() never has two messages of one thread in flight, so a batch holds at most one message per
 *   conversation. Two first messages of one NEW sender in one batch (two new threads) share one plan, so one
 *   contact. A race with another server on an identity or an external id fails the statement; the caller
 *   then takes every message of the batch alone, and nothing of the failed statement is stored.
 */
export const batchStatement = preparedStatement<IngestRow & { x_idx: number }>(sql`
  with input as materialized (
    -- Parallel arrays, not a jsonb recordset: PostgreSQL estimates an unnest of unknown arrays at 10
    -- rows (a recordset at 100), so the plan probes the tables' indexes per message instead of hashing
    -- whole tables, which it would choose while they are small and then keep. Each array is a
    -- sub-select so that it stays unknown to the planner in every plan: given the values, a custom plan
    -- would know the batch's size and look cheaper than the generic one, and PostgreSQL would then plan
    -- the statement anew on every execution (measured: 100 µs of PostgreSQL CPU per message).
    select t.idx, t.channel::channel as channel, t.sender_kind::identity_kind as sender_kind, t.sender_token,
      t.new_contact_id, t.new_identity_id, t.sealed_address, t.member_token,
      t.sender_name, t.email, t.phone, t.name_tokens, t.email_tokens, t.phone_tokens, t.inbox_id, t.thread_key,
      t.subject, t.open_status::conversation_status as open_status, t.search_vector, t.mention_tokens, t.language,
      t.external_id, t.metadata::jsonb as metadata, t.occurred_at::timestamptz as occurred_at, t.message_id,
      t.sealed_body, t.sealed_html, t.owner, t.conversation_id, t.subject_vector
    from unnest((select ${p('idx')}::int[]), (select ${p('channel')}::text[]), (select ${p('senderKind')}::text[]),
      (select ${p('senderToken')}::text[]),
      (select ${p('newContactId')}::uuid[]), (select ${p('newIdentityId')}::uuid[]),
      (select ${p('sealedAddress')}::text[]), (select ${p('memberToken')}::text[]), (select ${p('senderName')}::text[]),
      (select ${p('email')}::text[]), (select ${p('phone')}::text[]), (select ${p('nameTokens')}::text[]),
      (select ${p('emailTokens')}::text[]), (select ${p('phoneTokens')}::text[]), (select ${p('inboxId')}::uuid[]),
      (select ${p('threadKey')}::text[]),
      (select ${p('subject')}::text[]), (select ${p('openStatus')}::text[]), (select ${p('searchVector')}::text[]),
      (select ${p('mentionTokens')}::text[]), (select ${p('language')}::text[]), (select ${p('externalId')}::text[]),
      (select ${p('metadata')}::text[]), (select ${p('occurredAt')}::text[]), (select ${p('messageId')}::uuid[]),
      (select ${p('sealedText')}::text[]), (select ${p('sealedHtml')}::text[]), (select ${p('owner')}::uuid[]),
      (select ${p('conversationId')}::uuid[]), (select ${p('subjectVector')}::text[]))
      as t(idx, channel, sender_kind, sender_token, new_contact_id, new_identity_id, sealed_address, member_token,
        sender_name, email, phone, name_tokens, email_tokens, phone_tokens, inbox_id, thread_key, subject,
        open_status, search_vector, mention_tokens, language, external_id, metadata, occurred_at, message_id,
        sealed_body, sealed_html, owner, conversation_id, subject_vector)
  ), fresh as materialized (
    select input.* from input
    where not exists (select 1 from messages m where m.channel = input.channel and m.external_id = input.external_id)
  ), known_contact as materialized (
    -- A lateral lookup per message (the identity is unique; LIMIT keeps the planner from flattening it
    -- into a join, which it would plan as a scan of every identity for the 100 rows it assumes a
    -- set-returning function yields).
    select fresh.idx, c.id, c.identity_id from fresh cross join lateral (
      select i.contact_id as id, i.id as identity_id from contact_identities i
      where i.kind = fresh.sender_kind and i.address_token = fresh.sender_token limit 1) c
  ), planned_contact as materialized (
    -- Ids and sealed address planned in JS (identity-lookup.ts planSenders), the data key already durable; two
    -- messages of one new sender carry the same plan. A sender planned as known that is gone since has no plan:
    -- its message is left out here and the caller plans it again.
    select fresh.idx, fresh.new_contact_id as id, fresh.new_identity_id as identity_id, fresh.sender_name as name,
      fresh.email, fresh.phone, fresh.name_tokens, fresh.email_tokens, fresh.phone_tokens, fresh.sender_kind,
      fresh.sender_token, fresh.sealed_address, fresh.member_token
    from fresh where fresh.new_contact_id is not null
      and not exists (select 1 from known_contact k where k.idx = fresh.idx)
  ), new_contact as (
    insert into contacts (id, sealed_name, sealed_email, sealed_phone, name_tokens, email_tokens, phone_tokens)
    select distinct on (id) id, name, email, phone, string_to_array(name_tokens, ' '),
      string_to_array(email_tokens, ' '), string_to_array(phone_tokens, ' ') from planned_contact
  ), new_identity as (
    insert into contact_identities (id, contact_id, kind, address_token, sealed_address, member_token)
    select distinct on (identity_id) identity_id, id, sender_kind, sender_token, sealed_address, member_token
    from planned_contact
  ), the_contact as (
    select idx, id, identity_id from known_contact
    union all
    select idx, id, identity_id from planned_contact
  ), known_conversation as materialized (
    select fresh.idx, cv.* from fresh cross join lateral (
      select cv.id, cv.channel, cv.status, cv.subject, cv.assignee_id, a.name as assignee_name, cv.created_at,
        cv.team_id, t.name as team_name, cv.contact_id
      from conversations cv left join agents a on a.id = cv.assignee_id left join teams t on t.id = cv.team_id
      where cv.inbox_id = fresh.inbox_id and cv.thread_key = fresh.thread_key and cv.deleted_at is null
      order by cv.created_at desc limit 1) cv
  ), planned_conversation as materialized (
    select fresh.idx, fresh.conversation_id as id, fresh.inbox_id, the_contact.id as contact_id, fresh.channel,
      fresh.open_status as status, fresh.thread_key, fresh.subject, fresh.subject_vector
    from fresh join the_contact on the_contact.idx = fresh.idx
    -- Only for the key's owner (ingest-text.ts): a message whose sender is another contact than planned is left out.
    where not exists (select 1 from known_conversation k where k.idx = fresh.idx) and the_contact.id = fresh.owner
  ), new_conversation as (
    insert into conversations (id, inbox_id, contact_id, channel, status, thread_key, subject, subject_vector)
    select id, inbox_id, contact_id, channel, status, thread_key, subject, subject_vector::tsvector
    from planned_conversation
  ), the_conversation as (
    select idx, id, channel, status, subject, assignee_id, assignee_name, created_at, team_id, team_name, contact_id
    from known_conversation
    union all
    -- A new conversation's created_at (and timestamps) default to now(): the transaction's time.
    select idx, id, channel, status, subject, null::uuid, null::text, now(), null::uuid, null::text, contact_id
    from planned_conversation
  ), inserted as (
    -- No ON CONFLICT: a concurrent insert of the same external id fails the statement, so no contact or
    -- conversation is left behind for a message that turned out to be a replay.
    -- The text is stored sealed; the index entries are tokens computed in the server.
    insert into messages (id, conversation_id, channel, direction, kind, author_kind, author_identity_id, body, html,
      language, external_id, delivery_state, metadata, occurred_at, search_vector, mention_tokens)
    select fresh.message_id, cv.id, fresh.channel, 'inbound'::message_direction, 'message'::message_kind,
      'contact'::author_kind, ct.identity_id, fresh.sealed_body, fresh.sealed_html, fresh.language,
      fresh.external_id, 'received'::delivery_state, fresh.metadata, fresh.occurred_at,
      fresh.search_vector::tsvector, ${mentionTokensOf(sql.raw('fresh.mention_tokens'))}
    from fresh join the_conversation cv on cv.idx = fresh.idx join the_contact ct on ct.idx = fresh.idx
    -- The text is sealed for the owner planned: a conversation of another contact (a stale plan) leaves it out.
    where cv.contact_id = fresh.owner
    returning *
  ), touched as (
    update conversations cv
    set last_message_at = inserted.created_at, updated_at = inserted.created_at,
      status = case when cv.status = 'resolved' then 'open'::conversation_status else cv.status end
    from inserted join known_conversation k on k.id = inserted.conversation_id
    where cv.id = inserted.conversation_id
    returning cv.id, cv.status
  ), received as (
    select ct.id as contact_id, ${receivedItem('inserted', 'ct.id', sql`pv.id is not null`, sql`pv.subject`)} as item
    from inserted join the_conversation cv on cv.id = inserted.conversation_id join the_contact ct on ct.idx = cv.idx
      left join planned_conversation pv on pv.idx = cv.idx
  ), audited as (
    -- ONE entry for the whole statement (see ingestBatchEntry): an entry per message cost a staged row, a hash and
    -- a chained row each, more than the message itself.
    ${auditStaging}
    select 'system', null, ${INGEST_BATCH_ACTION}, 'ingest', null, jsonb_build_object('process', 'ingest',
      'contactIds', (select jsonb_agg(distinct contact_id::text) from received),
      'messages', (select jsonb_agg(item) from received),
      'contacts', coalesce((select jsonb_agg(${createdItem(
        'pc.id',
        'pc.identity_id',
        sql`pc.sender_kind`,
        sql`pc.name`,
        sql`pc.email`,
        sql`pc.phone`,
      )}) from (select distinct on (id) * from planned_contact) pc), '[]'::jsonb))
    where exists (select 1 from received)
  )
  select ${insertedColumns}, cv.idx as x_idx, ct.id as x_contact_id,
    cv.id as x_conversation_id, cv.channel as x_channel, coalesce(touched.status, cv.status) as x_status,
    cv.subject as x_subject, cv.assignee_id as x_assignee_id, cv.assignee_name as x_assignee_name,
    cv.team_id as x_team_id, cv.team_name as x_team_name, cv.created_at as x_created_at,
    cv.contact_id as x_key_owner,
    exists (select 1 from planned_conversation pv where pv.id = cv.id) as x_new_conversation
  from inserted
    join the_conversation cv on cv.id = inserted.conversation_id
    join the_contact ct on ct.idx = cv.idx
    left join touched on touched.id = inserted.conversation_id`);

/** batchStatement's values for a batch: one array per column, message i at index i. */
export function batchValues(
  batch: Array<{ msg: InboundMessage; openStatus: 'bot' | 'open'; sender: SenderPlan }>,
  plans: IngestTextPlan[],
  tokens: TextTokens,
) {
  const rows = batch.map(({ msg, openStatus, sender }, i) =>
    statementValues(msg, openStatus, sender, plans[i]!, tokens),
  );
  const column = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((r) => r[key]);
  return {
    idx: rows.map((_, i) => i),
    channel: column('channel'),
    senderKind: column('senderKind'),
    senderToken: column('senderToken'),
    newContactId: column('newContactId'),
    newIdentityId: column('newIdentityId'),
    sealedAddress: column('sealedAddress'),
    memberToken: column('memberToken'),
    senderName: column('senderName'),
    email: column('email'),
    phone: column('phone'),
    nameTokens: column('nameTokens'),
    emailTokens: column('emailTokens'),
    phoneTokens: column('phoneTokens'),
    owner: column('owner'),
    conversationId: column('conversationId'),
    subjectVector: column('subjectVector'),
    inboxId: column('inboxId'),
    threadKey: column('threadKey'),
    subject: column('subject'),
    openStatus: column('openStatus'),
    searchVector: column('searchVector'),
    mentionTokens: column('mentionTokens'),
    language: column('language'),
    externalId: column('externalId'),
    metadata: column('metadata'),
    occurredAt: column('occurredAt'),
    messageId: column('messageId'),
    sealedText: column('sealedText'),
    sealedHtml: column('sealedHtml'),
  };
}
