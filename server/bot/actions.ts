import { eq } from 'drizzle-orm';
import { botDecisions, conversations, kbArticles, messages } from '../../drizzle/schema/index.ts';
import type { ConversationView } from '../http/views.ts';
import { deliver, type ConversationDeps } from '../domain/conversations.ts';
import { loadConversationView, toMessageView } from '../domain/views.ts';
import type { BotDecisionView } from './views.ts';
import { getBusinessHours, openState } from '../domain/business-hours.ts';

export const BOT_NAME = 'Assistant';

/** Publishes what a bot action changed, after its transaction committed. */
async function publishCreated(deps: ConversationDeps, conversationId: string, message: typeof messages.$inferSelect) {
  const conversation = (await loadConversationView(deps.db, conversationId, null))!;
  const [row] = await deps.db
    .select({ threadKey: conversations.threadKey })
    .from(conversations)
    .where(eq(conversations.id, conversationId));
  deps.events.publish('message.created', {
    message: toMessageView(message, BOT_NAME),
    conversation,
    route: { threadKey: row!.threadKey },
    clientId: null,
  });
  return { conversation, threadKey: row!.threadKey };
}

/**
 * The bot's message to the customer: stored like an agent reply (authored by the bot), then delivered on the
 * channel.
 */
export async function botSay(deps: ConversationDeps, conversationId: string, text: string) {
  const [conversation] = await deps.db.select().from(conversations).where(eq(conversations.id, conversationId));
  if (!conversation) return null;
  const [message] = await deps.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(messages)
      .values({
        conversationId,
        channel: conversation.channel,
        direction: 'outbound',
        kind: 'message',
        authorKind: 'bot',
        body: text,
        deliveryState: 'pending',
      })
      .returning();
    await tx
      .update(conversations)
      .set({ lastMessageAt: inserted[0]!.createdAt, updatedAt: inserted[0]!.createdAt })
      .where(eq(conversations.id, conversationId));
    return inserted;
  });
  await publishCreated(deps, conversationId, message!);
  return deliver(deps, message!.id);
}

/**
 * Hand-off texts. Honest about who is there: a colleague has been *asked*; nobody has joined yet (the widget says
 * "You are now talking with our team" only once a person has: server/domain/presence.ts personJoined). The usual
 * wait and the time the team is back are shown by the widget in the visitor's own time format.
 */
export const HANDOFF_TEXTS = {
  asked: 'I have asked a colleague to join this chat. They will reply here; the usual wait is shown below.',
  askedClosed:
    'I have asked a colleague to join this chat. Our team is not in right now: below you can see when they are ' +
    'back, and leave your email address if you would like the reply by email.',
  repeated:
    'A colleague has already been asked and will join this chat as soon as they can. You do not need to ask ' +
    'again: your messages are kept for them.',
} as const;

/** The bot's line when it hands the conversation to the team, by the inbox's business hours now. */
export async function handOffMessage(deps: Pick<ConversationDeps, 'db'>, conversationId: string): Promise<string> {
  const [row] = await deps.db
    .select({ inboxId: conversations.inboxId })
    .from(conversations)
    .where(eq(conversations.id, conversationId));
  const hours = row ? await getBusinessHours(deps.db, row.inboxId) : null;
  return openState(hours, new Date()).open ? HANDOFF_TEXTS.asked : HANDOFF_TEXTS.askedClosed;
}

/** Hands the conversation to the agents' queue: status open, and a timeline line saying why. */
export async function handOff(deps: ConversationDeps, conversationId: string, why: string) {
  const event = await deps.db.transaction(async (tx) => {
    const [current] = await tx.select().from(conversations).where(eq(conversations.id, conversationId)).for('update');
    if (!current || current.status !== 'bot') return null;
    await tx
      .update(conversations)
      .set({ status: 'open', updatedAt: new Date() })
      .where(eq(conversations.id, conversationId));
    const [event] = await tx
      .insert(messages)
      .values({
        conversationId,
        channel: current.channel,
        direction: 'internal',
        kind: 'event',
        authorKind: 'bot',
        body: `Handed to a human: ${why}`,
        deliveryState: 'stored',
      })
      .returning();
    return event!;
  });
  if (!event) return;
  const { conversation, threadKey } = await publishCreated(deps, conversationId, event);
  deps.events.publish('conversation.updated', {
    conversation: conversation satisfies ConversationView,
    route: { threadKey },
  });
}

export async function recordDecision(
  deps: ConversationDeps,
  input: {
    conversationId: string;
    messageId: string;
    action: string;
    reason: string;
    confidence: number | null;
    candidates: Array<{ articleId: string; score: number }>;
  },
): Promise<BotDecisionView> {
  const [row] = await deps.db.insert(botDecisions).values(input).returning();
  const [[view], [conversation]] = await Promise.all([
    decisionViews(deps, [row!]),
    // Its inbox decides who hears of it (server/realtime/audience.ts).
    deps.db
      .select({ inboxId: conversations.inboxId })
      .from(conversations)
      .where(eq(conversations.id, input.conversationId)),
  ]);
  deps.events.publish('bot.decision', {
    conversationId: input.conversationId,
    inboxId: conversation!.inboxId,
    decision: view!,
  });
  return view!;
}

/** Candidates with their article titles (an article deleted since shows as "(deleted article)"). */
export async function decisionViews(
  deps: Pick<ConversationDeps, 'db'>,
  rows: Array<typeof botDecisions.$inferSelect>,
): Promise<BotDecisionView[]> {
  const titles = new Map(
    (await deps.db.select({ id: kbArticles.id, title: kbArticles.title }).from(kbArticles)).map((a) => [a.id, a.title]),
  );
  return rows.map((r) => ({
    id: r.id,
    messageId: r.messageId,
    action: r.action as BotDecisionView['action'],
    reason: r.reason,
    confidence: r.confidence,
    candidates: r.candidates.map((c) => ({
      articleId: c.articleId,
      title: titles.get(c.articleId) ?? '(deleted article)',
      score: c.score,
    })),
    createdAt: r.createdAt.toISOString(),
  }));
}

export async function conversationDecisions(deps: Pick<ConversationDeps, 'db'>, conversationId: string) {
  const rows = await deps.db
    .select()
    .from(botDecisions)
    .where(eq(botDecisions.conversationId, conversationId))
    .orderBy(botDecisions.createdAt);
  return decisionViews(deps, rows);
}
