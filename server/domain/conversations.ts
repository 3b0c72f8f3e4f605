import { openNames } from './contact-fields.ts';
import { openMessageText, openPreview, subjectView, type OpenedText, type TextKeys } from './message-text.ts';
import { openAddress } from './identity-address.ts';
import { eq, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { mentionTokensOf, sealMessageText, sealTexts, textTokensOf, type StoreKeys } from './message-store.ts';
import { auditStaging } from './ingest-statements.ts';
import { rowsOf, type Db } from '../db/client.ts';
import { rowReader } from '../db/rows.ts';
import { preparedStatement } from '../db/statements.ts';
import { agents, attachments, conversationReads, conversations, messages } from '../../drizzle/schema/index.ts';
import { notifyMentions } from './note-mentions.ts';
import type { ConversationStatus } from '../../drizzle/schema/enums.ts';
import { adapterFor, identityKindOf, type Adapters } from '../../channels/registry.ts';
import { PermanentDeliveryError, type OutboundAttachment } from '../../channels/types.ts';
import type { BlobStore } from '../blobs/store.ts';
import type { AcceptedFile } from './uploads.ts';
import type { AttachmentView, ConversationView, MessageView } from '../http/views.ts';
import type { DomainEventBus } from './events.ts';
import { DomainError, conflict, notFound, tooLarge } from './errors.ts';
import { canSee, visibleInboxIds } from './scope.ts';
import { loadConversationView, toMessageView } from './views.ts';
import { timelineMetadata, type TimelineEventCode } from './timeline-events.ts';

export type ConversationDeps = {
  db: Db;
  events: DomainEventBus;
  adapters: Adapters;
  messageMaxChars: number;
  /** Opens stored message text and subjects, and seals what is written, with a person's data key (message-store.ts). */
  dataKeys: TextKeys & StoreKeys;
  /** Where an agent's files go (required only for replies and notes that carry some). */
  blobs?: Pick<BlobStore, 'put' | 'delete'>;
};

export type Actor = { id: string; name: string };

const MAX_ATTEMPTS = 5;
/** 30 s, 2 min, 8 min, 32 min: a provider outage of up to about 40 minutes loses nothing. */
export const retryDelayMs = (attempt: number) => 30_000 * 4 ** (attempt - 1);

export async function requireConversation(db: Db, id: string) {
  const [row] = await db.select().from(conversations).where(eq(conversations.id, id));
  // In the trash: nothing is done to it until an admin restores it.
  if (!row || row.deletedAt) throw notFound('Conversation');
  return row;
}

async function publishConversation(deps: ConversationDeps, id: string) {
  const conversation = await loadConversationView(deps.db, deps.dataKeys, id, null);
  const [row] = await deps.db
    .select({ threadKey: conversations.threadKey })
    .from(conversations)
    .where(eq(conversations.id, id));
  if (conversation && row)
    deps.events.publish('conversation.updated', { conversation, route: { threadKey: row.threadKey } });
  return conversation!;
}

/** An agent's reply: stored as pending, committed, then handed to the channel's adapter. */
export async function reply(
  deps: ConversationDeps,
  conversationId: string,
  agent: Actor,
  text: string,
  files: AcceptedFile[] = [],
) {
  return addAgentMessage(deps, conversationId, agent, text, 'message', files);
}

/** An internal note: stored and shown to agents, never given to any adapter. */
export async function addNote(
  deps: ConversationDeps,
  conversationId: string,
  agent: Actor,
  text: string,
  files: AcceptedFile[] = [],
) {
  const note = await addAgentMessage(deps, conversationId, agent, text, 'note', files);
  // @mentions notify the agents named (server/domain/note-mentions.ts).
  await notifyMentions(deps, { conversationId, messageId: note.id, text, author: agent });
  return note;
}

const readMessage = rowReader(messages);

const identityKindsByAdapters = new WeakMap<Adapters, string>();
/**
 * Which identity kind each channel delivers to, as a jsonb parameter the reply statement can index by channel:
 * the known channels' (also when unconfigured) and every adapter's own, so a channel added to the registry
 * delivers without a change here. Computed once per adapters object.
 */
function identityKinds(adapters: Adapters): string {
  let json = identityKindsByAdapters.get(adapters);
  if (json === undefined) {
    const declared = Object.values(adapters).flatMap((a) => (a ? [[a.kind, a.identityKind]] : []));
    json = JSON.stringify({ ...identityKindOf, ...Object.fromEntries(declared) });
    identityKindsByAdapters.set(adapters, json);
  }
  return json;
}

type AgentMessageRow = Record<string, unknown> & {
  // The conversation's columns carry an x_ prefix: the message's own columns (id, channel, ...) would collide.
  x_inbox_id: string;
  x_inbox_name: string;
  x_status: ConversationView['status'];
  x_subject: string | null;
  x_contact_id: string;
  /** The contact's name, sealed (contact-fields.ts). */
  x_contact_sealed_name: string | null;
  x_assignee_id: string | null;
  x_assignee_name: string | null;
  x_team_id: string | null;
  x_team_name: string | null;
  x_thread_key: string;
  x_last_message_at: string | Date;
  x_created_at: string | Date;
  /** The last message's id and body, one string (message-text.ts: openPreview). */
  x_preview: string | null;
  /** The delivery identity as `<id>:<sealed address>` (openTarget opens it). */
  x_to: string | null;
};

/**
 * The address a reply goes to: the statements read the identity's id and sealed address (the address is stored only
 * sealed); null when there is none or its key is gone (the delivery then fails as for a contact with no address).
 */
async function openTarget(db: Db, target: string | null): Promise<string | null> {
  if (!target) return null;
  const colon = target.indexOf(':');
  return openAddress(db, { id: target.slice(0, colon), sealedAddress: target.slice(colon + 1) });
}

/**
 * One statement (atomic, one round trip): store the message, move the conversation's timestamps
 * (a human answering takes the conversation over from the bot), and read back everything the
 * message.created event and the delivery attempt need, so neither has to query again.
 * The preview is the latest customer-visible message: this reply itself, or for a note the one the
 * statement's snapshot sees, exactly what loadConversationView would answer right after commit.
 */
const p = sql.placeholder;
const agentMessageStatement = preparedStatement<AgentMessageRow>(sql`
  with cv as (
    select c.id, c.inbox_id, i.name as inbox_name, c.channel, c.subject, c.contact_id,
      ct.sealed_name as contact_sealed_name,
      c.assignee_id, a.name as assignee_name, c.team_id, t.name as team_name, c.thread_key, c.created_at,
      case when ${p('kind')}::text = 'note' then (
        select m.id::text || m.body from messages m where m.conversation_id = c.id and m.kind = 'message'
        order by m.created_at desc limit 1) end as preview,
      case when ${p('kind')}::text = 'message' then (
        select ci.id::text || ':' || ci.sealed_address from contact_identities ci
        where ci.contact_id = c.contact_id
          and ci.kind = (${p('identityKinds')}::jsonb ->> c.channel::text)::identity_kind
        limit 1) end as to_address
    from conversations c
      join inboxes i on i.id = c.inbox_id
      join contacts ct on ct.id = c.contact_id
      left join agents a on a.id = c.assignee_id
      left join teams t on t.id = c.team_id
    where c.id = ${p('conversationId')}::uuid and c.deleted_at is null
  ), inserted as (
    -- The text is stored sealed, its index entries as tokens computed in the server.
    insert into messages (id, conversation_id, channel, direction, kind, author_kind, author_agent_id, body,
      delivery_state, search_vector, mention_tokens)
    select ${p('id')}::uuid, cv.id, cv.channel, ${p('direction')}::message_direction, ${p('kind')}::message_kind,
      'agent'::author_kind, ${p('agentId')}::uuid, ${p('sealed')}::text, ${p('deliveryState')}::delivery_state,
      ${p('searchVector')}::tsvector, ${mentionTokensOf(p('mentionTokens'))}
    from cv
    returning *
  ), touched as (
    update conversations c
    set updated_at = inserted.created_at,
      last_message_at = case when inserted.kind = 'message' then inserted.created_at else c.last_message_at end,
      status = case when inserted.kind = 'message' and c.status = 'bot'
        then 'open'::conversation_status else c.status end
    from inserted where c.id = inserted.conversation_id
    returning c.status, c.last_message_at
  ), audited as (
    -- Who touched this person's data (issue 21): staged in this statement, sealed into the chain later
    -- (server/privacy/audit-staging.ts); the chain's lock is not taken on the reply path.
    ${auditStaging}
    select 'agent', ${p('agentId')}::text,
      case when inserted.kind = 'note' then 'note.added' else 'message.sent' end, 'message', inserted.id::text,
      jsonb_build_object('contactId', cv.contact_id, 'conversationId', cv.id, 'fields', jsonb_build_array('body'))
    from inserted, cv
  )
  select inserted.*, cv.inbox_id as x_inbox_id, cv.inbox_name as x_inbox_name, touched.status as x_status,
    cv.subject as x_subject, cv.contact_id as x_contact_id, cv.contact_sealed_name as x_contact_sealed_name,
    cv.assignee_id as x_assignee_id, cv.assignee_name as x_assignee_name, cv.team_id as x_team_id,
    cv.team_name as x_team_name, cv.thread_key as x_thread_key,
    touched.last_message_at as x_last_message_at, cv.created_at as x_created_at, cv.preview as x_preview,
    cv.to_address as x_to
  from inserted, cv, touched`);

/**
 * The conversation as loadConversationView would show it to an event's audience (no viewer, so
 * unreadCount 0: agents' clients count unread arrivals themselves), from a statement's x_ columns.
 */
async function conversationViewOf(
  keys: TextKeys,
  message: typeof messages.$inferSelect,
  row: AgentMessageRow,
  /** The preview as the statement read it (openPreview), or the text of the message just written. */
  preview: { stored: string | null } | { written: string },
): Promise<ConversationView> {
  const { text, unreadable } =
    'written' in preview ? { text: preview.written, unreadable: false } : await openPreview(keys, preview.stored);
  const [contactName] = await openNames(keys, [{ id: row.x_contact_id, sealedName: row.x_contact_sealed_name }]);
  return {
    ...(await subjectView(keys, message.conversationId, row.x_subject)),
    ...(unreadable ? { previewUnreadable: true as const } : {}),
    id: message.conversationId,
    inboxId: row.x_inbox_id,
    inboxName: row.x_inbox_name,
    channel: message.channel,
    status: row.x_status,
    contact: { id: row.x_contact_id, name: contactName! },
    assignee: row.x_assignee_id && row.x_assignee_name ? { id: row.x_assignee_id, name: row.x_assignee_name } : null,
    team: row.x_team_id && row.x_team_name ? { id: row.x_team_id, name: row.x_team_name } : null,
    lastMessageAt: new Date(row.x_last_message_at).toISOString(),
    lastMessagePreview: text ? text.slice(0, 140) : null,
    unreadCount: 0,
    createdAt: new Date(row.x_created_at).toISOString(),
  };
}

/** What one delivery attempt needs, whether the reply just stored it or the retry sweep loaded it. */
type DeliveryTarget = {
  message: typeof messages.$inferSelect;
  authorName: string | null;
  inboxId: string;
  threadKey: string;
  subject: string | null;
  /** The contact's address on the conversation's channel; null when the contact has none. */
  to: string | null;
  /** The message's files, as the adapter reads them (port.blobs) or links to them (port.fileLinks). */
  attachments: OutboundAttachment[];
};

async function addAgentMessage(
  deps: ConversationDeps,
  conversationId: string,
  agent: Actor,
  text: string,
  kind: 'message' | 'note',
  files: AcceptedFile[] = [],
): Promise<MessageView> {
  if (text.length > deps.messageMaxChars) throw tooLarge(deps.messageMaxChars);
  if (text.trim() === '' && files.length === 0) throw new DomainError(400, 'empty_message', 'Message text is empty');
  // The message's id and its contact's key are needed before the insert: the text is sealed in its own context.
  const [owner] = await deps.db
    .select({ contactId: conversations.contactId })
    .from(conversations)
    .where(eq(conversations.id, conversationId));
  if (!owner) throw notFound('Conversation');
  const id = randomUUID();
  const [[sealed], tokens] = await Promise.all([
    sealTexts(deps.dataKeys, [{ id, contactId: owner.contactId, body: text }]),
    textTokensOf(deps.dataKeys),
  ]);
  const values = {
    id,
    sealed: sealed!.body,
    searchVector: tokens.document(null, text, null),
    mentionTokens: tokens.mentionTokens(text, null).join(' '),
    conversationId,
    kind,
    direction: kind === 'note' ? 'internal' : 'outbound',
    deliveryState: kind === 'note' ? 'stored' : 'pending',
    agentId: agent.id,
    text,
    identityKinds: identityKinds(deps.adapters),
  };
  let row: AgentMessageRow | undefined;
  let stored: Array<typeof attachments.$inferSelect> = [];
  if (files.length === 0) {
    [row] = await agentMessageStatement(deps.db, values);
  } else {
    // The files are written first, then the message and its attachment rows commit together: the adapter never
    // sees a message whose files are missing, and a failed commit removes the files no row points at.
    if (!deps.blobs) throw new Error('a message with files needs a blob store');
    const blobs = deps.blobs;
    const written = await Promise.all(files.map((f) => blobs.put(f.content, { conversationId })));
    try {
      await deps.db.transaction(async (tx) => {
        [row] = await agentMessageStatement(tx, values);
        if (!row) return;
        stored = await tx
          .insert(attachments)
          .values(
            files.map((f, i) => ({
              messageId: row!.id as string,
              blobId: written[i]!.id,
              filename: f.filename,
              contentType: f.contentType,
              size: written[i]!.size,
            })),
          )
          .returning();
      });
    } catch (err) {
      await Promise.all(written.map((w) => blobs.delete(w.id).catch(() => false)));
      throw err;
    }
    if (!row) await Promise.all(written.map((w) => blobs.delete(w.id).catch(() => false)));
  }
  if (!row) throw notFound('Conversation');
  const message = { ...readMessage(row), body: text };
  const conversation = await conversationViewOf(
    deps.dataKeys,
    message,
    row,
    kind === 'message' ? { written: message.body } : { stored: row.x_preview },
  );
  const fileViews = stored.map((a) => ({ id: a.id, filename: a.filename, contentType: a.contentType, size: a.size }));
  const view = withFiles(toMessageView(message, agent.name), fileViews);
  deps.events.publish('message.created', {
    message: view,
    conversation,
    route: { threadKey: row.x_thread_key },
    clientId: null,
  });
  if (kind === 'note') return view;
  return attemptDelivery(
    deps,
    {
      message,
      authorName: agent.name,
      inboxId: row.x_inbox_id,
      threadKey: row.x_thread_key,
      subject: conversation.subject,
      to: await openTarget(deps.db, row.x_to),
      attachments: stored.map(({ id, blobId, filename, contentType, size }) => ({
        id,
        blobId,
        filename,
        contentType,
        size,
      })),
    },
    conversation,
  );
}

const withFiles = (view: MessageView, files: AttachmentView[]): MessageView =>
  files.length ? { ...view, attachments: files } : view;

/**
 * One delivery attempt of a pending outbound message. Failures are recorded on the message and
 * retried by the delivery sweep with backoff until MAX_ATTEMPTS, then marked failed.
 */
export async function deliver(deps: ConversationDeps, messageId: string): Promise<MessageView> {
  const [row] = await deliveryTargetStatement(deps.db, { messageId, identityKinds: identityKinds(deps.adapters) });
  if (!row) throw notFound('Message');
  // The retry sweep and the bot's messages read stored rows: their text may be sealed.
  const message = await openMessageText(deps.dataKeys, readMessage(row));
  if (message.kind !== 'message' || message.direction !== 'outbound') {
    throw new Error('Only outbound messages are delivered');
  }
  const conversation = await conversationViewOf(deps.dataKeys, message, row, { stored: row.x_preview });
  return attemptDelivery(
    deps,
    {
      message,
      authorName: row.x_author_name,
      inboxId: row.x_inbox_id,
      threadKey: row.x_thread_key,
      subject: conversation.subject,
      to: await openTarget(deps.db, row.x_to),
      attachments: await deps.db
        .select({
          id: attachments.id,
          blobId: attachments.blobId,
          filename: attachments.filename,
          contentType: attachments.contentType,
          size: attachments.size,
        })
        .from(attachments)
        .where(eq(attachments.messageId, message.id))
        .orderBy(attachments.createdAt, attachments.id),
    },
    conversation,
  );
}

/**
 * Everything a delivery attempt of a stored message needs, in one statement: the message, its author,
 * the delivery address and the conversation's view for the message.updated event (the retry sweep and
 * the bot's messages come this way; a fresh reply already has all of it).
 */
const deliveryTargetStatement = preparedStatement<AgentMessageRow & { x_author_name: string | null }>(sql`
  select m.*, c.inbox_id as x_inbox_id, i.name as x_inbox_name, c.status as x_status, c.subject as x_subject,
    c.contact_id as x_contact_id, ct.sealed_name as x_contact_sealed_name,
    c.assignee_id as x_assignee_id, asg.name as x_assignee_name, c.team_id as x_team_id, tm.name as x_team_name,
    c.thread_key as x_thread_key, c.last_message_at as x_last_message_at, c.created_at as x_created_at,
    (select pm.id::text || pm.body from messages pm where pm.conversation_id = c.id and pm.kind = 'message'
      order by pm.created_at desc limit 1) as x_preview,
    (select ci.id::text || ':' || ci.sealed_address from contact_identities ci
      where ci.contact_id = c.contact_id and ci.kind = (${p('identityKinds')}::jsonb ->> c.channel::text)::identity_kind
      limit 1) as x_to,
    au.name as x_author_name
  from messages m
    join conversations c on c.id = m.conversation_id
    join inboxes i on i.id = c.inbox_id
    join contacts ct on ct.id = c.contact_id
    left join agents asg on asg.id = c.assignee_id
    left join teams tm on tm.id = c.team_id
    left join agents au on au.id = m.author_agent_id
  where m.id = ${p('messageId')}::uuid`);

type DeliveryUpdate = {
  attempts: number;
  deliveryState: 'pending' | 'sent' | 'delivered' | 'failed';
  deliveryError: string | null;
  nextAttemptAt: Date | null;
  /** The provider's id once sent; absent leaves the stored one. */
  externalId?: string;
};

/** The outcome of one delivery attempt, as a statement rendered once (it runs on every reply). */
const deliveryUpdateStatement = preparedStatement<Record<string, unknown>>(sql`
  update messages
  set attempts = ${p('attempts')}::int, delivery_state = ${p('deliveryState')}::delivery_state,
    delivery_error = ${p('deliveryError')}::text, next_attempt_at = ${p('nextAttemptAt')}::timestamptz,
    external_id = coalesce(${p('externalId')}::text, external_id)
  where id = ${p('id')}::uuid
  returning *`);

/**
 * Hands the message to its channel's adapter and records the outcome. `conversation` is the view the
 * caller read along with the message; the outcome does not change it, so it is not loaded again.
 */
async function attemptDelivery(
  deps: ConversationDeps,
  target: DeliveryTarget,
  conversation: ConversationView,
): Promise<MessageView> {
  const { message } = target;
  const attempts = message.attempts + 1;
  let update: DeliveryUpdate;
  const adapter = adapterFor(deps.adapters, message.channel);
  if (!adapter) {
    update = {
      attempts,
      deliveryState: 'failed',
      deliveryError: `channel_unavailable: no ${message.channel} adapter is configured on this server`,
      nextAttemptAt: null,
    };
  } else {
    try {
      if (target.to === null) throw new Error(`contact has no ${adapter.identityKind} identity`);
      // Sealed text whose key is gone (the person was erased while it waited): nothing readable is left to send.
      if ((message as OpenedText<typeof message>).textUnreadable) {
        throw new PermanentDeliveryError('the message text can no longer be read');
      }
      const result = await adapter.send({
        messageId: message.id,
        conversationId: message.conversationId,
        inboxId: target.inboxId,
        threadKey: target.threadKey,
        to: target.to,
        text: message.body,
        subject: target.subject ?? undefined,
        ...(target.attachments.length ? { attachments: target.attachments } : {}),
      });
      update = {
        attempts,
        deliveryState: result.state,
        externalId: result.externalId,
        deliveryError: null,
        nextAttemptAt: null,
      };
    } catch (err) {
      // Provider errors can echo addresses back; keep only the error class and a short reason.
      const reason = err instanceof Error ? err.message.slice(0, 200) : 'unknown error';
      const giveUp = attempts >= MAX_ATTEMPTS || err instanceof PermanentDeliveryError;
      update = {
        attempts,
        deliveryState: giveUp ? 'failed' : 'pending',
        deliveryError: reason,
        nextAttemptAt: giveUp ? null : new Date(Date.now() + retryDelayMs(attempts)),
      };
    }
  }
  const [updated] = await deliveryUpdateStatement(deps.db, {
    id: message.id,
    attempts: update.attempts,
    deliveryState: update.deliveryState,
    deliveryError: update.deliveryError,
    nextAttemptAt: update.nextAttemptAt?.toISOString() ?? null,
    externalId: update.externalId ?? null,
  });
  const view = withFiles(
    toMessageView(await openMessageText(deps.dataKeys, readMessage(updated!)), target.authorName),
    target.attachments.map(({ id, filename, contentType, size }) => ({ id, filename, contentType, size })),
  );
  deps.events.publish('message.updated', { message: view, conversation, route: { threadKey: target.threadKey } });
  return view;
}

/** Claims due retries with SKIP LOCKED so several servers can sweep at once without double sends. */
export async function retryDueDeliveries(deps: ConversationDeps, limit = 20): Promise<number> {
  const due = await deps.db.transaction(async (tx) => {
    const rows = await tx.execute(sql`
      select id from ${messages}
      where delivery_state = 'pending' and next_attempt_at is not null and next_attempt_at <= now()
      order by next_attempt_at limit ${limit} for update skip locked`);
    const ids = rowsOf<{ id: string }>(rows).map((r) => r.id);
    // Push the deadline forward while this server tries, so another sweep does not pick them too.
    for (const id of ids) {
      await tx
        .update(messages)
        .set({ nextAttemptAt: new Date(Date.now() + 60_000) })
        .where(eq(messages.id, id));
    }
    return ids;
  });
  for (const id of due) await deliver(deps, id);
  return due.length;
}

/** A timeline marker (assignment, status change): shown to agents, never sent, never shown to the visitor. */
async function addTimelineEvent(
  tx: Db,
  keys: StoreKeys,
  conversation: typeof conversations.$inferSelect,
  actor: Actor,
  marker: TimelineMarker,
) {
  const id = randomUUID();
  const text = await sealMessageText(keys, { id, contactId: conversation.contactId, body: marker.body });
  const [event] = await tx
    .insert(messages)
    .values({
      id,
      ...text,
      conversationId: conversation.id,
      channel: conversation.channel,
      direction: 'internal',
      kind: 'event',
      authorKind: 'agent',
      authorAgentId: actor.id,
      deliveryState: 'stored',
      metadata: timelineMetadata(marker.code, marker.args),
    })
    .returning();
  return toMessageView({ ...event!, body: marker.body, html: null }, actor.name);
}

/** A timeline marker: its English text (body, export) and its code and arguments (the inbox's language). */
export type TimelineMarker = { body: string; code: TimelineEventCode; args?: Record<string, string | number> };

/**
 * One change to a conversation in a transaction: `change` returns the timeline marker (null: nothing
 * changed). After commit the conversation and the marker are published to everyone who sees its inbox.
 */
export async function changeConversation(
  deps: ConversationDeps,
  conversationId: string,
  actor: Actor,
  change: (tx: Db, current: typeof conversations.$inferSelect) => Promise<TimelineMarker | null>,
): Promise<ConversationView> {
  const event = await deps.db.transaction(async (tx) => {
    const current = await requireConversation(tx, conversationId);
    const marker = await change(tx, current);
    return marker ? addTimelineEvent(tx, deps.dataKeys, current, actor, marker) : null;
  });
  const conversation = await publishConversation(deps, conversationId);
  if (event) {
    const [row] = await deps.db
      .select({ threadKey: conversations.threadKey })
      .from(conversations)
      .where(eq(conversations.id, conversationId));
    deps.events.publish('message.created', {
      message: event,
      conversation,
      route: { threadKey: row!.threadKey },
      clientId: null,
    });
  }
  return conversation;
}

export async function assign(
  deps: ConversationDeps,
  conversationId: string,
  agentId: string | null,
  actor: Actor,
): Promise<ConversationView> {
  let changed = false;
  const conversation = await changeConversation(deps, conversationId, actor, async (tx, current) => {
    let assigneeName: string | null = null;
    if (agentId) {
      const [agent] = await tx
        .select({ name: agents.name, disabledAt: agents.disabledAt })
        .from(agents)
        .where(eq(agents.id, agentId));
      if (!agent || agent.disabledAt) throw notFound('Agent');
      // A conversation assigned to someone who cannot open it would sit there unanswered.
      if (!canSee(await visibleInboxIds(tx, agentId), current.inboxId))
        throw conflict('assignee_outside_scope', 'That agent cannot see this inbox; an admin can change their access');
      assigneeName = agent.name;
    }
    if (current.assigneeId === agentId) return null;
    await tx
      .update(conversations)
      .set({ assigneeId: agentId, updatedAt: new Date() })
      .where(eq(conversations.id, conversationId));
    changed = true;
    return assigneeName && agentId
      ? { body: `Assigned to ${assigneeName}`, code: 'assigned', args: { agentId, agent: assigneeName } }
      : { body: 'Unassigned', code: 'unassigned' };
  });
  if (changed) deps.events.publish('conversation.assigned', { conversation });
  return conversation;
}

export async function setStatus(
  deps: ConversationDeps,
  conversationId: string,
  status: ConversationStatus,
  actor: Actor,
): Promise<ConversationView> {
  let resolved = false;
  const conversation = await changeConversation(deps, conversationId, actor, async (tx, current) => {
    if (current.status === status) return null;
    resolved = status === 'resolved';
    const now = new Date();
    // resolved_at keeps the latest resolution (analytics measures resolution time with it); reopening leaves it,
    // and the status says whether the conversation is resolved now.
    const resolvedAt = status === 'resolved' ? { resolvedAt: now } : {};
    await tx
      .update(conversations)
      .set({ status, updatedAt: now, ...resolvedAt })
      .where(eq(conversations.id, conversationId));
    return {
      body: `Status changed from ${current.status} to ${status}`,
      code: 'status_changed',
      args: { from: current.status, to: status },
    };
  });
  if (resolved) deps.events.publish('conversation.resolved', { conversation });
  return conversation;
}

export async function markRead(db: Db, conversationId: string, agentId: string): Promise<void> {
  await requireConversation(db, conversationId);
  const now = new Date();
  await db
    .insert(conversationReads)
    .values({ agentId, conversationId, lastReadAt: now })
    .onConflictDoUpdate({
      target: [conversationReads.agentId, conversationReads.conversationId],
      set: { lastReadAt: now },
    });
}
