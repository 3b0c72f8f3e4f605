/**
 * The bot as the server uses it: build once from the knowledge base, then decide per customer message.
 *
 *   const bot = await createBot({ embedder: await createEmbedder(), articles, policy: { threshold } });
 *   const decision = await bot.decide(conversationState, text);
 *   // decision.action: 'answer' (send the article) | 'handoff' (to the agents' queue) | 'silent'
 *   // store { action, reason, confidence, candidates } in bot_decisions for the timeline
 *
 * Everything runs in this process on this machine's CPU: no customer text leaves it.
 */
import type { Embedder } from './embedders/types.ts';
import { type KbArticle, type KbIndexOptions, KnowledgeBaseIndex } from './kb.ts';
import { type ConversationState, DEFAULT_POLICY, type Decision, type PolicyConfig, choose, gate } from './policy.ts';

export interface BotOptions {
  embedder: Embedder;
  articles: KbArticle[];
  /** The per-KB threshold and hand-off rules; defaults in DEFAULT_POLICY. */
  policy?: Partial<PolicyConfig>;
  index?: KbIndexOptions;
}

export type BotDecision = Decision & {
  /** The embedder that scored the message, for the decision log. */
  embedderId: string;
  /** Time spent deciding (embedding + classifier + policy), milliseconds. */
  latencyMs: number;
};

export interface Bot {
  readonly policy: PolicyConfig;
  readonly index: KnowledgeBaseIndex;
  decide(state: ConversationState, text: string): Promise<BotDecision>;
  /** Rebuilds the index after the knowledge base changed; decisions use the old one until it is ready. */
  reload(articles: KbArticle[]): Promise<void>;
}

export async function createBot(options: BotOptions): Promise<Bot> {
  const policy: PolicyConfig = { ...DEFAULT_POLICY, ...options.policy };
  checkPolicy(policy);
  let index = await KnowledgeBaseIndex.build(options.embedder, options.articles, options.index);
  return {
    policy,
    get index() {
      return index;
    },
    decide: (state, text) => decideWith(index, policy, state, text),
    async reload(articles) {
      index = await KnowledgeBaseIndex.build(options.embedder, articles, options.index);
    },
  };
}

function checkPolicy(policy: PolicyConfig) {
  if (!(policy.threshold >= 0 && policy.threshold <= 1)) throw new Error('bot policy: threshold must be within 0..1');
}

/** The one decision path (the server's and the benchmark's): gate, then match and choose. */
async function decideWith(
  index: KnowledgeBaseIndex,
  policy: PolicyConfig,
  state: ConversationState,
  text: string,
): Promise<BotDecision> {
  const started = performance.now();
  const decision = gate(state, text, policy) ?? choose(await index.match(text), policy);
  return { ...decision, embedderId: index.embedder.id, latencyMs: performance.now() - started };
}

/**
 * A bot over an index built elsewhere (the server builds the next index in the background while the current
 * bot answers, then swaps). Without a threshold in `policy` it uses the one the index's cross-validation
 * recommends (TARGET_PRECISION at OPERATING_MIX), or DEFAULT_POLICY's when the KB is too small to tell.
 */
export function botOnIndex(index: KnowledgeBaseIndex, policy: Partial<PolicyConfig> = {}): Bot {
  const threshold = policy.threshold ?? index.calibration?.threshold ?? DEFAULT_POLICY.threshold;
  const config: PolicyConfig = { ...DEFAULT_POLICY, ...policy, threshold: Math.min(1, threshold) };
  checkPolicy(config);
  return {
    policy: config,
    index,
    decide: (state, text) => decideWith(index, config, state, text),
    reload: () => Promise.reject(new Error('botOnIndex: build a new index and call botOnIndex again')),
  };
}
