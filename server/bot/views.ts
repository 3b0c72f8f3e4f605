import { Type, type Static } from 'typebox';

/** An article the bot considered, with its calibrated score (0..1); `title` is '' once the article is deleted. */
export const BotCandidateView = Type.Object({ articleId: Type.String(), title: Type.String(), score: Type.Number() });
export type BotCandidateView = Static<typeof BotCandidateView>;

const BotAction = Type.Enum(['answer', 'handoff', 'silent']);

/** One logged bot decision, as agents see it in the timeline. */
export const BotDecisionView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  messageId: Type.Union([Type.String(), Type.Null()]),
  action: BotAction,
  reason: Type.String(),
  confidence: Type.Union([Type.Number(), Type.Null()]),
  candidates: Type.Array(BotCandidateView),
  createdAt: Type.String(),
});
export type BotDecisionView = Static<typeof BotDecisionView>;

/** `threshold` 0..1: the bot answers only at or above it; `ready`: the index over the articles is built. */
export const BotSettingsView = Type.Object({
  enabled: Type.Boolean(),
  embedder: Type.String(),
  embedders: Type.Array(Type.String()),
  threshold: Type.Number({ minimum: 0, maximum: 1 }),
  handoffAfterUnresolved: Type.Integer(),
  ready: Type.Boolean(),
  articles: Type.Integer(),
});
export type BotSettingsView = Static<typeof BotSettingsView>;

/** POST /api/bot/try: what the bot would do with a question (nothing is stored). */
export const BotTryResultView = Type.Object({
  action: BotAction,
  confidence: Type.Union([Type.Number(), Type.Null()]),
  reason: Type.String(),
  article: Type.Union([Type.Object({ id: Type.String(), title: Type.String() }), Type.Null()]),
  candidates: Type.Array(BotCandidateView),
});
export type BotTryResultView = Static<typeof BotTryResultView>;
