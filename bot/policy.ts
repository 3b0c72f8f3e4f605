/**
 * The answer policy: a pure function from the conversation's state, the customer's new message and the
 * classifier's match to a decision. The embedder and classifier only score; this decides. Order matters:
 *   1. an agent has the conversation (assigned, status no longer "bot", an agent has written, or the bot
 *      already handed off)  -> silent: the bot never speaks over a person;
 *   2. the customer asks for a person, in any supported language -> hand off at once;
 *   3. the bot has already answered `maxUnresolvedTurns` times and the customer is still writing
 *      -> hand off: those answers did not resolve it;
 *   4. the calibrated confidence of the best article clears the KB's threshold and the message is at least
 *      as similar as the index's floor to one of that article's example questions -> answer with it;
 *   5. otherwise hand off with the reason (nothing in the KB, or not sure enough).
 */
import { detectHumanRequest } from './human-request.ts';

export type ConversationStatus = 'bot' | 'open' | 'pending' | 'resolved';
export type AuthorKind = 'contact' | 'agent' | 'bot' | 'system';

export interface ConversationTurn {
  author: AuthorKind;
  /** For the bot's own turns: what it did. */
  botAction?: 'answer' | 'handoff';
}

/** What the policy needs to know about a conversation; the server maps its rows onto it. */
export interface ConversationState {
  status: ConversationStatus;
  assigneeId?: string | null;
  /** Earlier turns, oldest first, not including the message being decided on. */
  turns: readonly ConversationTurn[];
}

export interface Candidate {
  articleId: string;
  /** Calibrated probability that this article answers the message. */
  score: number;
}

export interface Match {
  /** Best first. */
  candidates: Candidate[];
  /** Cosine similarity of the message to the best article's nearest example question. */
  similarity?: number;
  /** The index's similarity floor: below it the bot does not answer, whatever the confidence. */
  floor?: number;
}

export type HandoffReason =
  | 'human_requested'
  | 'unresolved_turns'
  | 'low_confidence'
  | 'empty_knowledge_base'
  | 'empty_message'
  /** The customer writes in a language the KB has no articles in (bot/language-bots.ts). */
  | 'language_not_covered';
export type SilentReason = 'agent_active' | 'already_handed_off';

export type Decision =
  | { action: 'answer'; articleId: string; confidence: number; candidates: Candidate[]; reason: 'confident' }
  | { action: 'handoff'; confidence: number | null; candidates: Candidate[]; reason: HandoffReason; language?: string }
  | { action: 'silent'; confidence: null; candidates: []; reason: SilentReason };

export interface PolicyConfig {
  /** Minimum calibrated confidence to answer (per knowledge base). */
  threshold: number;
  /** Bot answers after which a further customer message hands off. */
  maxUnresolvedTurns: number;
}

/**
 * 0.8: the thresholds npm run bench:bot calibrated for 97 % answer precision were 0.76-0.82 (Banking77,
 * CLINC150, default embedder, concatenated head) and 0.75-0.79 with the ensemble head; a small KB needs at
 * least this much (see bot/README.md). A KB with off-topic examples calibrates lower (0.51 on CLINC150).
 */
export const DEFAULT_POLICY: PolicyConfig = { threshold: 0.8, maxUnresolvedTurns: 2 };

/**
 * Steps 1-3: the decisions that need no classifier. Returns null when the message should be matched
 * against the knowledge base, so the server spends no CPU embedding a message the bot will not answer.
 */
export function gate(state: ConversationState, text: string, config: PolicyConfig = DEFAULT_POLICY): Decision | null {
  if (state.status !== 'bot' || (state.assigneeId ?? null) !== null || state.turns.some((t) => t.author === 'agent'))
    return { action: 'silent', confidence: null, candidates: [], reason: 'agent_active' };
  if (state.turns.some((t) => t.author === 'bot' && t.botAction === 'handoff'))
    return { action: 'silent', confidence: null, candidates: [], reason: 'already_handed_off' };
  const language = detectHumanRequest(text);
  if (language) return { action: 'handoff', confidence: null, candidates: [], reason: 'human_requested', language };
  const answers = state.turns.filter((t) => t.author === 'bot' && t.botAction === 'answer').length;
  if (answers >= config.maxUnresolvedTurns)
    return { action: 'handoff', confidence: null, candidates: [], reason: 'unresolved_turns' };
  if (text.trim() === '') return { action: 'handoff', confidence: null, candidates: [], reason: 'empty_message' };
  return null;
}

/** Steps 4-5, given the classifier's match. */
export function choose(match: Match, config: PolicyConfig = DEFAULT_POLICY): Decision {
  const best = match.candidates[0];
  if (!best) return { action: 'handoff', confidence: null, candidates: [], reason: 'empty_knowledge_base' };
  if (best.score >= config.threshold && (match.similarity ?? 1) >= (match.floor ?? 0))
    return {
      action: 'answer',
      articleId: best.articleId,
      confidence: best.score,
      candidates: match.candidates,
      reason: 'confident',
    };
  return { action: 'handoff', confidence: best.score, candidates: match.candidates, reason: 'low_confidence' };
}

/** The whole policy as one pure function (the bot calls gate() first to skip matching when it can). */
export function decide(
  state: ConversationState,
  text: string,
  match: Match,
  config: PolicyConfig = DEFAULT_POLICY,
): Decision {
  return gate(state, text, config) ?? choose(match, config);
}
