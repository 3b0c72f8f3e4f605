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

/** The index the bot answers from, and the build under way after a KB change. */
export const BotIndexStatusView = Type.Object({
  state: Type.Enum(['idle', 'building', 'ready', 'failed']),
  fraction: Type.Number({ minimum: 0, maximum: 1 }),
  phase: Type.Union([Type.Enum(['embedding', 'training', 'ready']), Type.Null()]),
  articles: Type.Integer(),
  questions: Type.Integer(),
  offTopic: Type.Integer(),
  builtAt: Type.Union([Type.String(), Type.Null()]),
});

/**
 * `threshold` 0..1: the bot answers only at or above it (`thresholdAuto`: the KB's recommended one);
 * `floor`: the similarity floor; `ready`: an index over the articles is built.
 */
export const BotSettingsView = Type.Object({
  enabled: Type.Boolean(),
  embedder: Type.String(),
  embedders: Type.Array(Type.String()),
  threshold: Type.Number({ minimum: 0, maximum: 1 }),
  thresholdAuto: Type.Boolean(),
  recommendedThreshold: Type.Union([Type.Number(), Type.Null()]),
  floor: Type.Union([Type.Number(), Type.Null()]),
  handoffAfterUnresolved: Type.Integer(),
  ready: Type.Boolean(),
  articles: Type.Integer(),
  index: BotIndexStatusView,
});
export type BotSettingsView = Static<typeof BotSettingsView>;

const MixFiguresView = Type.Object({
  mix: Type.Number(),
  precision: Type.Number(),
  coverage: Type.Number(),
  inScopeAccuracy: Type.Number(),
  oosRecall: Type.Union([Type.Number(), Type.Null()]),
});

/** GET /api/bot/curve: cross-validated precision and coverage of this KB at thresholds 0, 0.01, ..., 1. */
export const BotCurveView = Type.Object({
  threshold: Type.Number(),
  recommended: Type.Union([Type.Number(), Type.Null()]),
  floor: Type.Number(),
  folds: Type.Integer(),
  heldOut: Type.Object({ questions: Type.Integer(), offTopic: Type.Integer() }),
  mixes: Type.Array(Type.Number()),
  points: Type.Array(Type.Object({ threshold: Type.Number(), mixes: Type.Array(MixFiguresView) })),
});
export type BotCurveView = Static<typeof BotCurveView>;

/** POST /api/bot/try: what the bot would do with a question (nothing is stored). */
export const BotTryResultView = Type.Object({
  action: BotAction,
  confidence: Type.Union([Type.Number(), Type.Null()]),
  reason: Type.String(),
  article: Type.Union([Type.Object({ id: Type.String(), title: Type.String() }), Type.Null()]),
  candidates: Type.Array(BotCandidateView),
});
export type BotTryResultView = Static<typeof BotTryResultView>;
