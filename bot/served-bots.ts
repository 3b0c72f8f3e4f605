/**
 * The bots the server runs, built the one way the server builds them (server/bot/runner.ts) and the benchmarks
 * measure them (bench:bot's `served` configurations, bench:botlang): one index per language of the KB
 * (language-bots.ts), each the calibrated head with the shipped off-topic examples of its language (kb.ts,
 * off-topic.ts), English on the full embedder and other languages on the lexical one when the encoder is
 * English-only.
 */
import { botOnIndex } from './bot.ts';
import type { Embedder } from './embedders/types.ts';
import { KnowledgeBaseIndex, type BuildProgress, type KbArticle } from './kb.ts';
import { createLanguageBots, type LanguageBots } from './language-bots.ts';
import { offTopicExamples } from './off-topic.ts';
import type { PolicyConfig } from './policy.ts';

export type ServedBotsOptions = {
  embedder: Embedder;
  /** For languages other than English when `embedder` is English-only (else the same embedder). */
  otherLanguages: Embedder;
  articles: KbArticle[];
  /** `{}`: each index's own recommended threshold. */
  policy: Partial<PolicyConfig>;
  /** Overrides each index's near share of off-topic traffic (kb.ts nearShare) when recommending its threshold. */
  nearShare?: number;
  /** Of the whole build, over every language (0..1). */
  onProgress?: (fraction: number, phase: BuildProgress['phase']) => void;
};

export async function buildServedBots(options: ServedBotsOptions): Promise<LanguageBots> {
  const total = Math.max(1, options.articles.length);
  let done = 0;
  return createLanguageBots({
    embedder: options.embedder,
    embedderFor: (language) => (language === 'en' ? options.embedder : options.otherLanguages),
    articles: options.articles,
    policy: options.policy,
    makeBot: async (language, group, embedder) => {
      const index = await KnowledgeBaseIndex.build(embedder, group, {
        offTopic: offTopicExamples([language]),
        ...(options.nearShare !== undefined ? { nearShare: options.nearShare } : {}),
        onProgress: (p) => options.onProgress?.((done + p.fraction * group.length) / total, p.phase),
      });
      done += group.length;
      return botOnIndex(index, options.policy);
    },
  });
}
