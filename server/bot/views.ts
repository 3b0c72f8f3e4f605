import { Type, type Static } from 'typebox';

export const BotCandidateView = Type.Object({ articleId: Type.String(), title: Type.String(), score: Type.Number() });

/** One logged bot decision, as agents see it in the timeline. */
export const BotDecisionView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  messageId: Type.Union([Type.String(), Type.Null()]),
  action: Type.Enum(['answer', 'handoff', 'silent']),
  reason: Type.String(),
  confidence: Type.Union([Type.Number(), Type.Null()]),
  candidates: Type.Array(BotCandidateView),
  createdAt: Type.String(),
});
export type BotDecisionView = Static<typeof BotDecisionView>;

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
