import type { TextKeys } from '../domain/message-text.ts';
import { asc, eq } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/client.ts';
import type { Adapters } from '../../channels/registry.ts';
import { botDecisions, instanceSettings, kbArticles, messages } from '../../drizzle/schema/index.ts';
import { ENGLISH_ONLY_EMBEDDERS, type LanguageBots } from '../../bot/language-bots.ts';
import { buildServedBots } from '../../bot/served-bots.ts';
import { conversationLanguage } from '../../bot/language.ts';
import { botTexts } from '../../bot/language-texts.ts';
import { type BuildProgress, DEFAULT_FLOOR } from '../../bot/kb.ts';
import { OFF_TOPIC_MIXES } from '../../bot/eval/metrics.ts';
import { createEmbedder, EMBEDDER_KINDS, type EmbedderConfig, type EmbedderKind } from '../../bot/embedders/index.ts';
import type { ConversationState, ConversationTurn } from '../../bot/policy.ts';
import { gate } from '../../bot/policy.ts';
import { DEFAULT_POLICY } from '../../bot/policy.ts';
import type { DomainEventBus, DomainEvents } from '../domain/events.ts';
import { excludedFrom } from '../privacy/restriction.ts';
import {
  ASKED_ORDER_NUMBER,
  botSay,
  composeAnswer,
  customerTexts,
  discloseOnce,
  handOff,
  handOffMessage,
  recordDecision,
  resumeAskedAnswer,
} from './actions.ts';
import type { BotSettingsView } from './views.ts';

/** `threshold` null: the one the KB's cross-validation recommends (97 % precision at 18 % off-topic traffic). */
export type BotSettings = { enabled: boolean; embedder: EmbedderKind; threshold: number | null };
const SETTINGS_KEY = 'bot_settings';
/**
 * Settings stored before this version held the nearest-neighbour head's cosine bar (0.45) as the threshold,
 * which means something else for the calibrated head: their threshold is not carried over.
 */
const SETTINGS_VERSION = 2;

export type IndexStatus = {
  state: 'idle' | 'building' | 'ready' | 'failed';
  /** Of the build under way (0..1); 1 when ready. */
  fraction: number;
  phase: BuildProgress['phase'] | null;
  /** Of the index the bot answers from. */
  articles: number;
  questions: number;
  offTopic: number;
  builtAt: string | null;
};

/** Human-readable reasons for the timeline; the decision log keeps the machine code. */
const handoffText: Record<string, string> = {
  human_requested: 'the customer asked for a person',
  unresolved_turns: 'two bot answers did not resolve it',
  low_confidence: 'not confident enough in any article',
  empty_knowledge_base: 'the knowledge base is empty',
  empty_message: 'the message was empty',
  language_not_covered: "no articles in the customer's language",
  restricted: 'the contact is under a restriction or objection (Art. 18/21): no automated answers',
};

/**
 * Runs the bot inside the server: it listens to committed customer messages of conversations in the
 * "bot" state, decides with the local model (no customer text leaves this machine), answers from the
 * knowledge base or hands off, and logs every decision. Decisions for one conversation run one at a time.
 */
export type BotRunnerDeps = {
  db: Db;
  events: DomainEventBus;
  /** The bot answers through the chat adapter like an agent would. */
  adapters: Adapters;
  messageMaxChars: number;
  dataKeys: TextKeys;
};

export function createBotRunner(
  deps: BotRunnerDeps,
  log: FastifyBaseLogger,
  defaults: { embedder: EmbedderConfig; enabled: boolean },
) {
  let bot: LanguageBots | null = null;
  // Environment gives the defaults; an admin's choice (stored in the database) overrides them.
  let settings: BotSettings = {
    enabled: defaults.enabled,
    embedder: defaults.embedder.kind,
    threshold: null,
  };
  let status: IndexStatus = {
    state: 'idle',
    fraction: 0,
    phase: null,
    articles: 0,
    questions: 0,
    offTopic: 0,
    builtAt: null,
  };
  let building: Promise<void> = Promise.resolve();
  let running = false;
  let pending = false;
  const queues = new Map<string, Promise<void>>();

  async function loadSettings(): Promise<BotSettings> {
    const [row] = await deps.db.select().from(instanceSettings).where(eq(instanceSettings.key, SETTINGS_KEY));
    if (row) {
      const stored = JSON.parse(row.value) as Partial<BotSettings> & { version?: number };
      const { version, ...rest } = stored;
      if (version !== SETTINGS_VERSION) delete rest.threshold;
      settings = { ...settings, ...rest };
    }
    return settings;
  }

  async function articles() {
    const rows = await deps.db.select().from(kbArticles).orderBy(asc(kbArticles.createdAt));
    return rows.map((a) => ({ id: a.id, title: a.title, body: a.body, language: a.language, questions: a.questions }));
  }

  const policyOf = () => (settings.threshold === null ? {} : { threshold: settings.threshold });

  /** The served bots (bot/served-bots.ts), built in the background with progress; the previous ones answer. */
  async function buildOnce() {
    status = { ...status, state: 'building', fraction: 0, phase: 'embedding' };
    try {
      const embedder = await createEmbedder({ ...defaults.embedder, kind: settings.embedder });
      // Other languages than English on the lexical features alone when the encoder is English-only.
      const lexical = ENGLISH_ONLY_EMBEDDERS.includes(settings.embedder)
        ? await createEmbedder({ ...defaults.embedder, kind: 'lexical' })
        : embedder;
      const kb = await articles();
      const next = await buildServedBots({
        embedder,
        otherLanguages: lexical,
        articles: kb,
        policy: policyOf(),
        onProgress: (fraction, phase) => {
          status = { ...status, fraction, phase };
        },
      });
      // The previous bots answered until this line.
      bot = next;
      const indexes = next.languages.map((l) => next.bot(l)!.index);
      status = {
        state: 'ready',
        fraction: 1,
        phase: 'ready',
        articles: kb.length,
        questions: indexes.reduce((n, i) => n + i.questionCount, 0),
        offTopic: indexes.reduce((n, i) => n + (i.calibration?.offTopicUsed ?? 0), 0),
        builtAt: new Date().toISOString(),
      };
      log.info({ embedder: settings.embedder, articles: kb.length, languages: next.languages }, 'bot ready');
    } catch (err) {
      // The previous bots (if any) keep answering.
      status = { ...status, state: 'failed', phase: null };
      log.error({ err }, 'bot could not build its index');
    }
  }

  /** Builds new indexes in the background; changes while one builds are folded into one more build. */
  function rebuild(): Promise<void> {
    pending = true;
    if (running) return building;
    running = true;
    building = (async () => {
      while (pending) {
        pending = false;
        await buildOnce();
      }
      running = false;
    })();
    return building;
  }

  async function conversationState(
    conversationId: string,
    beforeMessageId: string,
    view: DomainEvents['message.created']['conversation'],
  ): Promise<ConversationState> {
    const rows = await deps.db
      .select({ id: messages.id, authorKind: messages.authorKind, kind: messages.kind })
      .from(messages)
      .where(eq(messages.conversationId, conversationId))
      .orderBy(asc(messages.createdAt), asc(messages.id));
    const decisions = await deps.db
      .select({ action: botDecisions.action })
      .from(botDecisions)
      .where(eq(botDecisions.conversationId, conversationId));
    const turns: ConversationTurn[] = rows
      .filter((m) => m.kind === 'message' && m.id !== beforeMessageId && m.authorKind !== 'bot')
      .map((m) => ({ author: m.authorKind }));
    // The bot's turns are its decisions (an answer or a hand-off), whatever it said with them.
    for (const d of decisions)
      if (d.action === 'answer' || d.action === 'handoff') turns.push({ author: 'bot', botAction: d.action });
    return { status: view.status, assigneeId: view.assignee?.id ?? null, turns };
  }

  async function act(event: DomainEvents['message.created']) {
    const { message, conversation } = event;
    // Art. 18/21: no automated processing of the contact's words, not even a decision to log; a person takes it.
    if (await excludedFrom(deps.db, conversation.contact.id, 'bot'))
      return handOff(deps, conversation.id, { text: handoffText.restricted!, reason: 'restricted' });
    if (!bot) await building;
    if (!bot) return;
    const state = await conversationState(conversation.id, message.id, conversation);
    // Language (issue 16): the customer's, from what they wrote in this conversation; the KB's first otherwise.
    const texts = await customerTexts(deps, conversation.id);
    const language = conversationLanguage(texts, bot.languages[0] ?? null);
    const resumed = gate(state, message.body, bot.policy)
      ? null
      : await resumeAskedAnswer(deps, conversation.id, message.body);
    const decision = resumed
      ? {
          action: 'answer' as const,
          articleId: resumed.articleId,
          confidence: resumed.confidence,
          candidates: [{ articleId: resumed.articleId, score: resumed.confidence }],
          reason: 'confident' as const,
        }
      : await bot.decide(state, message.body, language);
    if (decision.action === 'silent') return;
    let reply: { text: string; asked: boolean } | null = null;
    if (decision.action === 'answer') {
      const [article] = await deps.db.select().from(kbArticles).where(eq(kbArticles.id, decision.articleId));
      if (article)
        reply = composeAnswer(article.body, { customerTexts: texts, contactName: conversation.contact.name }, language);
    }
    await recordDecision(deps, {
      conversationId: conversation.id,
      messageId: message.id,
      action: decision.action,
      reason: reply?.asked ? ASKED_ORDER_NUMBER : decision.reason,
      confidence: decision.confidence,
      candidates: decision.candidates,
    });
    // Disclosure (issue 16, EU AI Act Art. 50): the bot's first message says it is a bot, in their language.
    await discloseOnce(deps, conversation.id, language);
    if (decision.action === 'answer') {
      if (reply) await botSay(deps, conversation.id, reply.text);
      return;
    }
    const confidence =
      decision.confidence === null
        ? ''
        : decision.confidence >= bot.policy.threshold
          ? ` (${decision.confidence.toFixed(2)}, but unlike any example question)`
          : ` (${decision.confidence.toFixed(2)} < ${bot.policy.threshold.toFixed(2)})`;
    const scores =
      decision.reason === 'low_confidence' && decision.confidence !== null
        ? { confidence: decision.confidence, threshold: bot.policy.threshold }
        : {};
    // Into the agents' queue first: by the time the customer reads the line, a person can see them.
    const why = handoffText[decision.reason] ?? decision.reason;
    await handOff(deps, conversation.id, {
      text: `${why}${decision.reason === 'low_confidence' ? confidence : ''}`,
      reason: decision.reason,
      ...scores,
    });
    await botSay(
      deps,
      conversation.id,
      decision.reason === 'language_not_covered'
        ? botTexts(language).languageNotCovered
        : await handOffMessage(deps, conversation.id, language),
    );
  }

  function onMessage(event: DomainEvents['message.created']) {
    const { message, conversation } = event;
    if (!settings.enabled || conversation.status !== 'bot') return;
    if (message.direction !== 'inbound' || message.kind !== 'message' || message.authorKind !== 'contact') return;
    // Auto-replies, bounces and list mail are machines talking: answering them is how mail loops start.
    if (message.markers?.some((m) => m.kind === 'automated')) return;
    const previous = queues.get(conversation.id) ?? Promise.resolve();
    const next = previous
      .then(() => act(event))
      .catch((err) => log.error({ err }, 'bot decision failed'))
      .finally(() => {
        if (queues.get(conversation.id) === next) queues.delete(conversation.id);
      });
    queues.set(conversation.id, next);
  }

  let offs: Array<() => void> = [];
  return {
    async start() {
      await loadSettings();
      offs = [
        deps.events.subscribe('message.created', onMessage),
        deps.events.subscribe('kb.changed', () => {
          if (bot || settings.enabled) void rebuild();
        }),
      ];
      // The model loads in the background: the server answers HTTP at once, the bot joins when ready.
      if (settings.enabled) void rebuild();
    },
    stop() {
      offs.forEach((off) => off());
    },
    /** Whether new chat conversations start with the bot. */
    openStatus(): 'bot' | 'open' {
      return settings.enabled ? 'bot' : 'open';
    },
    async settingsView(): Promise<BotSettingsView> {
      return {
        enabled: settings.enabled,
        embedder: settings.embedder,
        threshold: bot?.policy.threshold ?? settings.threshold ?? DEFAULT_POLICY.threshold,
        thresholdAuto: settings.threshold === null,
        recommendedThreshold: bot?.primary?.index.calibration?.threshold ?? null,
        floor: bot?.primary?.index.floor ?? null,
        embedders: [...EMBEDDER_KINDS],
        handoffAfterUnresolved: DEFAULT_POLICY.maxUnresolvedTurns,
        ready: bot !== null,
        articles: bot?.articleCount ?? (await articles()).length,
        index: status,
      };
    },
    /**
     * The cross-validated precision and coverage per threshold and off-topic mix of the KB's first language's
     * index (no points: no index).
     */
    curve() {
      const primary = bot?.primary;
      const c = primary?.index.calibration;
      return {
        threshold: primary?.policy.threshold ?? settings.threshold ?? DEFAULT_POLICY.threshold,
        recommended: c?.threshold ?? null,
        floor: primary?.index.floor ?? DEFAULT_FLOOR,
        folds: c?.folds ?? 0,
        heldOut: {
          questions: c?.outcomes.filter((o) => o.inScope).length ?? 0,
          offTopic: c?.outcomes.filter((o) => !o.inScope).length ?? 0,
        },
        mixes: [...OFF_TOPIC_MIXES],
        points: primary?.index.curve() ?? [],
      };
    },
    async updateSettings(patch: Partial<BotSettings>) {
      const before = settings;
      settings = { ...settings, ...patch };
      const stored = JSON.stringify({ ...settings, version: SETTINGS_VERSION });
      await deps.db
        .insert(instanceSettings)
        .values({ key: SETTINGS_KEY, value: stored })
        .onConflictDoUpdate({ target: instanceSettings.key, set: { value: stored } });
      if (settings.embedder !== before.embedder || (settings.enabled && !bot)) await rebuild();
      // A new threshold needs no new index.
      else if (bot && settings.threshold !== before.threshold) bot = bot.withPolicy(policyOf());
      return this.settingsView();
    },
    /** Scores a question against the KB without a conversation (the admin's "Try a question"). */
    async tryQuestion(text: string) {
      if (!bot) await rebuild();
      if (!bot) return null;
      return bot.decide({ status: 'bot', assigneeId: null, turns: [] }, text, conversationLanguage([text], null));
    },
    /** Resolves once no index build is under way (or queued). */
    async whenReady() {
      while (running) await building;
    },
    /** The per-language bots in use (agent assist reads the same model; server/bot/assist.ts). */
    languageBots: () => bot,
  };
}
export type BotRunner = ReturnType<typeof createBotRunner>;
