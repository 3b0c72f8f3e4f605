/**
 * One bot per language of the knowledge base: a customer is answered only from articles in their language
 * (an English-only encoder scores unrelated sentences of other languages alike, so mixing languages in one
 * index answers off-topic questions). A language with no articles hands off with `language_not_covered`.
 *
 *   const bots = await createLanguageBots({ embedder, articles, policy, index });
 *   const d = await bots.decide(state, text, language);   // language: bot/language.ts conversationLanguage()
 *   // d.kbLanguage: the language whose articles were searched
 */
import { botOnIndex, createBot, type Bot, type BotDecision, type BotOptions } from './bot.ts';
import type { KbArticle } from './kb.ts';
import { primaryLanguage } from './language.ts';
import { DEFAULT_POLICY, gate, type ConversationState, type PolicyConfig } from './policy.ts';

/**
 * USE lite, the encoder of `hybrid` and `use-lite`, is English-only: it scores unrelated sentences of other
 * languages alike (German off-topic recall 30 % with the hybrid vectors against 98 % with the lexical ones,
 * npm run bench:botlang), so other languages are matched on the lexical features alone.
 */
export const ENGLISH_ONLY_EMBEDDERS = ['hybrid', 'use-lite'];

export type LanguageBotOptions = BotOptions & {
  /** The embedder for the articles of one language, when it is not `embedder` (see ENGLISH_ONLY_EMBEDDERS). */
  embedderFor?: (language: string) => BotOptions['embedder'] | undefined;
  /**
   * Builds one language's bot (the server: the calibrated head with off-topic examples and progress,
   * server/bot/runner.ts); `createBot` with these options when not given.
   */
  makeBot?: (language: string, articles: KbArticle[], embedder: BotOptions['embedder']) => Promise<Bot>;
};

export interface LanguageBots {
  readonly policy: PolicyConfig;
  /** Languages with at least one article, in the order of their first article. */
  readonly languages: string[];
  readonly articleCount: number;
  /** The bot of one language, if the KB has articles in it. */
  bot(language: string): Bot | undefined;
  /** The bot of the KB's first language: the one the admin's threshold curve describes. */
  readonly primary: Bot | undefined;
  /** The same indexes under another policy (a new threshold needs no new index). */
  withPolicy(policy: Partial<PolicyConfig>): LanguageBots;
  /** `language` null: the KB's first language. */
  decide(
    state: ConversationState,
    text: string,
    language: string | null,
  ): Promise<BotDecision & { kbLanguage: string | null }>;
  reload(articles: KbArticle[]): Promise<void>;
}

async function build(options: Omit<LanguageBotOptions, 'articles'>, articles: KbArticle[]) {
  const groups = new Map<string, KbArticle[]>();
  for (const a of articles) {
    const language = primaryLanguage(a.language ?? 'en');
    groups.set(language, [...(groups.get(language) ?? []), a]);
  }
  const bots = new Map<string, Bot>();
  for (const [language, group] of groups) {
    const embedder = options.embedderFor?.(language) ?? options.embedder;
    bots.set(
      language,
      options.makeBot
        ? await options.makeBot(language, group, embedder)
        : await createBot({ ...options, embedder, articles: group }),
    );
  }
  return bots;
}

export async function createLanguageBots(options: LanguageBotOptions): Promise<LanguageBots> {
  return languageBotsOf(options, await build(options, options.articles), options.articles.length);
}

function languageBotsOf(options: LanguageBotOptions, initial: Map<string, Bot>, initialCount: number): LanguageBots {
  let bots = initial;
  let count = initialCount;
  const first = () => bots.get([...bots.keys()][0] ?? '');
  return {
    get policy(): PolicyConfig {
      return first()?.policy ?? { ...DEFAULT_POLICY, ...options.policy };
    },
    get languages() {
      return [...bots.keys()];
    },
    get articleCount() {
      return count;
    },
    get primary() {
      return first();
    },
    bot: (language) => bots.get(primaryLanguage(language)),
    withPolicy(policy) {
      const next = new Map([...bots].map(([language, b]) => [language, botOnIndex(b.index, policy)] as const));
      return languageBotsOf({ ...options, policy }, next, count);
    },
    async decide(state, text, language) {
      const started = performance.now();
      const chosen = language ? primaryLanguage(language) : ([...bots.keys()][0] ?? null);
      const bot = chosen ? bots.get(chosen) : undefined;
      if (bot) return { ...(await bot.decide(state, text)), kbLanguage: chosen };
      const gated = gate(state, text, this.policy);
      const decision =
        gated ??
        (bots.size === 0
          ? { action: 'handoff' as const, confidence: null, candidates: [], reason: 'empty_knowledge_base' as const }
          : { action: 'handoff' as const, confidence: null, candidates: [], reason: 'language_not_covered' as const });
      return {
        ...decision,
        kbLanguage: chosen,
        embedderId: options.embedder.id,
        latencyMs: performance.now() - started,
      };
    },
    async reload(articles) {
      // The previous bots answer until the new ones are built.
      bots = await build(options, articles);
      count = articles.length;
    },
  };
}
