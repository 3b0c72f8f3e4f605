import { customerTexts as openedCustomerTexts } from '../domain/message-text.ts';
import { and, desc, eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { sealMessageText, sealMessageTexts } from '../domain/message-store.ts';
import type { Db } from '../db/client.ts';
import type { DataKeys } from '../security/data-keys.ts';
import { botDecisions, conversations, kbArticles, messages } from '../../drizzle/schema/index.ts';
import type { ConversationView } from '../http/views.ts';
import { deliver, type ConversationDeps } from '../domain/conversations.ts';
import { loadConversationView, toMessageView } from '../domain/views.ts';
import type { BotDecisionView } from './views.ts';
import { openScores, sealedDecision } from './decision-scores.ts';
import { getBusinessHours, openState } from '../domain/business-hours.ts';
import { BOT_TEXTS, botTexts } from '../../bot/language-texts.ts';
import { fillAnswer, orderNumberIn } from './answer-variables.ts';
import { timelineMetadata } from '../domain/timeline-events.ts';

export const BOT_NAME = 'Assistant';

/** Publishes what a bot action changed, after its transaction committed. */
async function publishCreated(deps: ConversationDeps, conversationId: string, message: typeof messages.$inferSelect) {
  const conversation = (await loadConversationView(deps.db, deps.dataKeys, conversationId, null))!;
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
  const id = randomUUID();
  const sealed = await sealMessageText(deps.dataKeys, { id, contactId: conversation.contactId, body: text });
  const [message] = await deps.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(messages)
      .values({
        id,
        ...sealed,
        conversationId,
        channel: conversation.channel,
        direction: 'outbound',
        kind: 'message',
        authorKind: 'bot',
        deliveryState: 'pending',
      })
      .returning();
    await tx
      .update(conversations)
      .set({ lastMessageAt: inserted[0]!.createdAt, updatedAt: inserted[0]!.createdAt })
      .where(eq(conversations.id, conversationId));
    return inserted;
  });
  await publishCreated(deps, conversationId, { ...message!, body: text });
  return deliver(deps, message!.id);
}

/** The English hand-off texts (bot/language-texts.ts has every language's). */
export const HANDOFF_TEXTS = {
  asked: BOT_TEXTS.en!.handoff,
  askedClosed: BOT_TEXTS.en!.handoffClosed,
  repeated: BOT_TEXTS.en!.handoffRepeated,
} as const;

/**
 * The bot's line when it hands the conversation to the team, in the customer's language, by the inbox's business
 * hours now (the widget shows the usual wait, or when the team is back, in the visitor's own time format).
 */
export async function handOffMessage(
  deps: Pick<ConversationDeps, 'db'>,
  conversationId: string,
  language: string | null,
): Promise<string> {
  const [row] = await deps.db
    .select({ inboxId: conversations.inboxId })
    .from(conversations)
    .where(eq(conversations.id, conversationId));
  const hours = row ? await getBusinessHours(deps.db, row.inboxId) : null;
  const texts = botTexts(language);
  return openState(hours, new Date()).open ? texts.handoff : texts.handoffClosed;
}

/**
 * Why the bot handed off: the English line for the timeline's body, and the decision's reason code with its
 * scores (confidence, threshold) for the inbox to say it in the agent's language.
 */
export type HandoffWhy = { text: string; reason: string; confidence?: number; threshold?: number };

/** Hands the conversation to the agents' queue: status open, and a timeline line saying why. */
export async function handOff(deps: ConversationDeps, conversationId: string, why: HandoffWhy) {
  const event = await deps.db.transaction(async (tx) => {
    const [current] = await tx.select().from(conversations).where(eq(conversations.id, conversationId)).for('update');
    if (!current || current.status !== 'bot') return null;
    await tx
      .update(conversations)
      .set({ status: 'open', updatedAt: new Date() })
      .where(eq(conversations.id, conversationId));
    const id = randomUUID();
    const body = `Handed to a human: ${why.text}`;
    const [event] = await tx
      .insert(messages)
      .values({
        id,
        ...(await sealMessageText(deps.dataKeys, { id, contactId: current.contactId, body })),
        conversationId,
        channel: current.channel,
        direction: 'internal',
        kind: 'event',
        authorKind: 'bot',
        deliveryState: 'stored',
        metadata: timelineMetadata('handed_off', {
          reason: why.reason,
          ...(why.confidence === undefined ? {} : { confidence: why.confidence }),
          ...(why.threshold === undefined ? {} : { threshold: why.threshold }),
        }),
      })
      .returning();
    return { ...event!, body };
  });
  if (!event) return;
  const { conversation, threadKey } = await publishCreated(deps, conversationId, event);
  deps.events.publish('conversation.updated', {
    conversation: conversation satisfies ConversationView,
    route: { threadKey },
  });
}

/** What storing a decision needs: its scores are sealed with the contact's data key, then it is announced. */
export type DecisionDeps = Pick<ConversationDeps, 'db' | 'events'> & { dataKeys: DataKeys };

export async function recordDecision(
  deps: DecisionDeps,
  input: {
    conversationId: string;
    messageId: string;
    action: string;
    reason: string;
    confidence: number | null;
    candidates: Array<{ articleId: string; score: number }>;
  },
): Promise<BotDecisionView> {
  // Its inbox decides who hears of it (server/realtime/audience.ts); its contact's key seals the scores.
  const [conversation] = await deps.db
    .select({ inboxId: conversations.inboxId, contactId: conversations.contactId })
    .from(conversations)
    .where(eq(conversations.id, input.conversationId));
  const [row] = await deps.db
    .insert(botDecisions)
    .values(await sealedDecision(deps.dataKeys, conversation!.contactId, input))
    .returning();
  const [view] = await decisionViews(deps, [row!]);
  deps.events.publish('bot.decision', {
    conversationId: input.conversationId,
    inboxId: conversation!.inboxId,
    decision: view!,
  });
  return view!;
}

/**
 * Candidates with their article titles (an article deleted since shows as "(deleted article)"). A decision whose
 * key is gone (a backup restored after the person's erasure) shows no confidence and no candidates.
 */
export async function decisionViews(
  deps: { db: Db; dataKeys: Pick<DataKeys, 'decryptMany'> },
  rows: Array<typeof botDecisions.$inferSelect>,
): Promise<BotDecisionView[]> {
  const [titles, scores] = await Promise.all([
    deps.db
      .select({ id: kbArticles.id, title: kbArticles.title })
      .from(kbArticles)
      .then((articles) => new Map(articles.map((a) => [a.id, a.title]))),
    openScores(deps.dataKeys, rows),
  ]);
  return rows.map((r, i) => ({
    id: r.id,
    messageId: r.messageId,
    action: r.action as BotDecisionView['action'],
    reason: r.reason,
    confidence: scores[i]!.confidence,
    candidates: scores[i]!.candidates.map((c) => ({
      articleId: c.articleId,
      title: titles.get(c.articleId) ?? '(deleted article)',
      score: c.score,
    })),
    createdAt: r.createdAt.toISOString(),
  }));
}

export async function conversationDecisions(
  deps: { db: Db; dataKeys: Pick<DataKeys, 'decryptMany'> },
  conversationId: string,
) {
  const rows = await deps.db
    .select()
    .from(botDecisions)
    .where(eq(botDecisions.conversationId, conversationId))
    .orderBy(botDecisions.createdAt);
  return decisionViews(deps, rows);
}

/** The timeline line that records the disclosure was shown (its prefix finds it again). */
export const DISCLOSURE_EVENT = 'Shown to the customer: automated assistant notice';

/**
 * The bot's first message in a conversation says that it is an automated assistant and how to reach a
 * person, in the customer's language (EU AI Act Art. 50(1)); an event in the timeline records that it was
 * shown, when and in which language. Once per conversation: returns false when it was already shown.
 */
export async function discloseOnce(deps: ConversationDeps, conversationId: string, language: string | null) {
  const texts = botTexts(language);
  const shownIn = language && BOT_TEXTS[language] ? language : 'en';
  const inserted = await deps.db.transaction(async (tx) => {
    const [current] = await tx.select().from(conversations).where(eq(conversations.id, conversationId)).for('update');
    if (!current) return null;
    const [already] = await tx
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.conversationId, conversationId), eq(messages.authorKind, 'bot')))
      .limit(1);
    if (already) return null;
    const [messageId, eventId] = [randomUUID(), randomUUID()];
    const eventBody = `${DISCLOSURE_EVENT} (EU AI Act Art. 50), in ${shownIn}`;
    const [sealedMessage, sealedEvent] = await sealMessageTexts(deps.dataKeys, [
      { id: messageId, contactId: current.contactId, body: texts.disclosure },
      { id: eventId, contactId: current.contactId, body: eventBody },
    ]);
    const [message] = await tx
      .insert(messages)
      .values({
        id: messageId,
        ...sealedMessage!,
        conversationId,
        channel: current.channel,
        direction: 'outbound',
        kind: 'message',
        authorKind: 'bot',
        deliveryState: 'pending',
      })
      .returning();
    const [event] = await tx
      .insert(messages)
      .values({
        id: eventId,
        ...sealedEvent!,
        conversationId,
        channel: current.channel,
        direction: 'internal',
        kind: 'event',
        authorKind: 'bot',
        deliveryState: 'stored',
        metadata: timelineMetadata('bot_disclosed', { language: shownIn }),
        createdAt: new Date(message!.createdAt.getTime() + 1),
      })
      .returning();
    await tx
      .update(conversations)
      .set({ lastMessageAt: message!.createdAt, updatedAt: message!.createdAt })
      .where(eq(conversations.id, conversationId));
    return { message: { ...message!, body: texts.disclosure }, event: { ...event!, body: eventBody } };
  });
  if (!inserted) return false;
  await publishCreated(deps, conversationId, inserted.message);
  await publishCreated(deps, conversationId, inserted.event);
  await deliver(deps, inserted.message.id);
  return true;
}

/** What the customer wrote in a conversation, oldest first (for language and order number). */
export const customerTexts = (deps: Pick<ConversationDeps, 'db' | 'dataKeys'>, conversationId: string) =>
  openedCustomerTexts(deps.db, deps.dataKeys, conversationId);

/**
 * The text the bot sends for an article: its answer with the variables filled from what the bot knows
 * (the order number only when the customer wrote one in this conversation, the contact's name when it is
 * known), or, when the answer needs an order number it does not have, the question for it.
 */
export function composeAnswer(
  body: string,
  known: { customerTexts: readonly string[]; contactName: string | null },
  language: string | null,
): { text: string; asked: boolean } {
  const filled = fillAnswer(body, { orderNumber: orderNumberIn(known.customerTexts), contactName: known.contactName });
  if (filled.missing === null) return { text: filled.text, asked: false };
  return { text: botTexts(language).askOrderNumber, asked: true };
}

/** The reason a decision records when the bot asked for the order number instead of answering. */
export const ASKED_ORDER_NUMBER = 'asked_order_number';

/**
 * The article the bot's latest decision asked the order number for, if the new message gives one: the
 * answer the customer was waiting for.
 */
export async function resumeAskedAnswer(
  deps: { db: Db; dataKeys: Pick<DataKeys, 'decryptMany'> },
  conversationId: string,
  text: string,
) {
  const [latest] = await deps.db
    .select()
    .from(botDecisions)
    .where(eq(botDecisions.conversationId, conversationId))
    .orderBy(desc(botDecisions.createdAt))
    .limit(1);
  if (!latest || latest.reason !== ASKED_ORDER_NUMBER || !orderNumberIn([text])) return null;
  const [scores] = await openScores(deps.dataKeys, [latest]);
  const candidate = scores!.candidates[0];
  return candidate ? { articleId: candidate.articleId, confidence: scores!.confidence ?? candidate.score } : null;
}
