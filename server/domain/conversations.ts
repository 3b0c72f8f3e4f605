import { and, eq, sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/client.ts';
import { agents, contactIdentities, conversationReads, conversations, messages } from '../../drizzle/schema/index.ts';
import type { ConversationStatus } from '../../drizzle/schema/enums.ts';
import { identityKindOf, type Adapters } from '../../channels/registry.ts';
import type { ConversationView, MessageView } from '../http/views.ts';
import type { DomainEventBus } from './events.ts';
import { DomainError, notFound, tooLarge } from './errors.ts';
import { loadConversationView, toMessageView } from './views.ts';

export type ConversationDeps = {
  db: Db;
  events: DomainEventBus;
  adapters: Adapters;
  messageMaxChars: number;
};

export type Actor = { id: string; name: string };

const MAX_ATTEMPTS = 5;
/** 30 s, 2 min, 8 min, 32 min: a provider outage of up to about 40 minutes loses nothing. */
export const retryDelayMs = (attempt: number) => 30_000 * 4 ** (attempt - 1);

async function requireConversation(db: Db, id: string) {
  const [row] = await db.select().from(conversations).where(eq(conversations.id, id));
  if (!row) throw notFound('Conversation');
  return row;
}

async function publishConversation(deps: ConversationDeps, id: string) {
  const conversation = await loadConversationView(deps.db, id, null);
  const [row] = await deps.db.select({ threadKey: conversations.threadKey }).from(conversations).where(eq(conversations.id, id));
  if (conversation && row) deps.events.publish('conversation.updated', { conversation, route: { threadKey: row.threadKey } });
  return conversation!;
}

/** An agent's reply: stored as pending, committed, then handed to the channel's adapter. */
export async function reply(deps: ConversationDeps, conversationId: string, agent: Actor, text: string) {
  return addAgentMessage(deps, conversationId, agent, text, 'message');
}

/** An internal note: stored and shown to agents, never given to any adapter. */
export async function addNote(deps: ConversationDeps, conversationId: string, agent: Actor, text: string) {
  return addAgentMessage(deps, conversationId, agent, text, 'note');
}

async function addAgentMessage(
  deps: ConversationDeps,
  conversationId: string,
  agent: Actor,
  text: string,
  kind: 'message' | 'note',
): Promise<MessageView> {
  if (text.length > deps.messageMaxChars) throw tooLarge(deps.messageMaxChars);
  if (text.trim() === '') throw new DomainError(400, 'empty_message', 'Message text is empty');
  const { message, threadKey } = await deps.db.transaction(async (tx) => {
    const conversation = await requireConversation(tx, conversationId);
    const [message] = await tx
      .insert(messages)
      .values({
        conversationId,
        channel: conversation.channel,
        direction: kind === 'note' ? 'internal' : 'outbound',
        kind,
        authorKind: 'agent',
        authorAgentId: agent.id,
        body: text,
        deliveryState: kind === 'note' ? 'stored' : 'pending',
      })
      .returning();
    await tx
      .update(conversations)
      .set({
        updatedAt: message!.createdAt,
        ...(kind === 'message'
          ? {
              lastMessageAt: message!.createdAt,
              // A human answering takes the conversation over from the bot.
              ...(conversation.status === 'bot' ? { status: 'open' as const } : {}),
            }
          : {}),
      })
      .where(eq(conversations.id, conversationId));
    return { message: message!, threadKey: conversation.threadKey };
  });
  const conversation = (await loadConversationView(deps.db, conversationId, null))!;
  const view = toMessageView(message, agent.name);
  deps.events.publish('message.created', { message: view, conversation, route: { threadKey }, clientId: null });
  if (kind === 'note') return view;
  return deliver(deps, message.id);
}

/**
 * One delivery attempt of a pending outbound message. Failures are recorded on the message and
 * retried by the delivery sweep with backoff until MAX_ATTEMPTS, then marked failed.
 */
export async function deliver(deps: ConversationDeps, messageId: string): Promise<MessageView> {
  const [row] = await deps.db
    .select({ message: messages, conversation: conversations, authorName: agents.name })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .leftJoin(agents, eq(agents.id, messages.authorAgentId))
    .where(eq(messages.id, messageId));
  if (!row) throw notFound('Message');
  const { message, conversation } = row;
  if (message.kind !== 'message' || message.direction !== 'outbound') {
    throw new Error('Only outbound messages are delivered');
  }
  const attempts = message.attempts + 1;
  let update: Partial<typeof messages.$inferInsert>;
  const adapter = deps.adapters[conversation.channel];
  if (!adapter) {
    update = {
      attempts,
      deliveryState: 'failed',
      deliveryError: `channel_unavailable: no ${conversation.channel} adapter is configured on this server`,
      nextAttemptAt: null,
    };
  } else {
    const [identity] = await deps.db
      .select({ address: contactIdentities.address })
      .from(contactIdentities)
      .where(
        and(
          eq(contactIdentities.contactId, conversation.contactId),
          eq(contactIdentities.kind, identityKindOf[conversation.channel]),
        ),
      )
      .limit(1);
    try {
      if (!identity) throw new Error(`contact has no ${identityKindOf[conversation.channel]} identity`);
      const result = await adapter.send({
        messageId: message.id,
        conversationId: conversation.id,
        inboxId: conversation.inboxId,
        threadKey: conversation.threadKey,
        to: identity.address,
        text: message.body,
        subject: conversation.subject ?? undefined,
      });
      update = { attempts, deliveryState: result.state, externalId: result.externalId, deliveryError: null, nextAttemptAt: null };
    } catch (err) {
      // Provider errors can echo addresses back; keep only the error class and a short reason.
      const reason = err instanceof Error ? err.message.slice(0, 200) : 'unknown error';
      const giveUp = attempts >= MAX_ATTEMPTS;
      update = {
        attempts,
        deliveryState: giveUp ? 'failed' : 'pending',
        deliveryError: reason,
        nextAttemptAt: giveUp ? null : new Date(Date.now() + retryDelayMs(attempts)),
      };
    }
  }
  const [updated] = await deps.db.update(messages).set(update).where(eq(messages.id, messageId)).returning();
  const view = toMessageView(updated!, row.authorName);
  const conversationView = (await loadConversationView(deps.db, conversation.id, null))!;
  deps.events.publish('message.updated', { message: view, conversation: conversationView, route: { threadKey: conversation.threadKey } });
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
      await tx.update(messages).set({ nextAttemptAt: new Date(Date.now() + 60_000) }).where(eq(messages.id, id));
    }
    return ids;
  });
  for (const id of due) await deliver(deps, id);
  return due.length;
}

/** A timeline marker (assignment, status change): shown to agents, never sent, never shown to the visitor. */
async function addTimelineEvent(tx: Db, conversation: typeof conversations.$inferSelect, actor: Actor, body: string) {
  const [event] = await tx
    .insert(messages)
    .values({
      conversationId: conversation.id,
      channel: conversation.channel,
      direction: 'internal',
      kind: 'event',
      authorKind: 'agent',
      authorAgentId: actor.id,
      body,
      deliveryState: 'stored',
    })
    .returning();
  return toMessageView(event!, actor.name);
}

async function changeConversation(
  deps: ConversationDeps,
  conversationId: string,
  actor: Actor,
  change: (tx: Db, current: typeof conversations.$inferSelect) => Promise<string | null>,
): Promise<ConversationView> {
  const event = await deps.db.transaction(async (tx) => {
    const current = await requireConversation(tx, conversationId);
    const body = await change(tx, current);
    return body ? addTimelineEvent(tx, current, actor, body) : null;
  });
  const conversation = await publishConversation(deps, conversationId);
  if (event) {
    const [row] = await deps.db.select({ threadKey: conversations.threadKey }).from(conversations).where(eq(conversations.id, conversationId));
    deps.events.publish('message.created', { message: event, conversation, route: { threadKey: row!.threadKey }, clientId: null });
  }
  return conversation;
}

export async function assign(deps: ConversationDeps, conversationId: string, agentId: string | null, actor: Actor): Promise<ConversationView> {
  return changeConversation(deps, conversationId, actor, async (tx, current) => {
    let assigneeName: string | null = null;
    if (agentId) {
      const [agent] = await tx.select({ name: agents.name, disabledAt: agents.disabledAt }).from(agents).where(eq(agents.id, agentId));
      if (!agent || agent.disabledAt) throw notFound('Agent');
      assigneeName = agent.name;
    }
    if (current.assigneeId === agentId) return null;
    await tx.update(conversations).set({ assigneeId: agentId, updatedAt: new Date() }).where(eq(conversations.id, conversationId));
    return assigneeName ? `Assigned to ${assigneeName}` : 'Unassigned';
  });
}

export async function setStatus(deps: ConversationDeps, conversationId: string, status: ConversationStatus, actor: Actor): Promise<ConversationView> {
  return changeConversation(deps, conversationId, actor, async (tx, current) => {
    if (current.status === status) return null;
    await tx.update(conversations).set({ status, updatedAt: new Date() }).where(eq(conversations.id, conversationId));
    return `Status changed from ${current.status} to ${status}`;
  });
}

export async function markRead(db: Db, conversationId: string, agentId: string): Promise<void> {
  await requireConversation(db, conversationId);
  const now = new Date();
  await db
    .insert(conversationReads)
    .values({ agentId, conversationId, lastReadAt: now })
    .onConflictDoUpdate({ target: [conversationReads.agentId, conversationReads.conversationId], set: { lastReadAt: now } });
}
