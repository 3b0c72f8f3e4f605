import { Type, type Static } from 'typebox';
import { ChannelKindSchema, ConversationStatusSchema } from '../views.ts';

/**
 * The shapes of /api/analytics and /api/widget/rating. analytics/dashboard.ts returns DashboardView, so the
 * route's schema and the module's result are one definition.
 */

/** A number, or null with `suppressed` when fewer than k contacts stand behind it (analytics/cohort.ts). */
export const FigureView = Type.Object({
  value: Type.Union([Type.Number(), Type.Null()]),
  suppressed: Type.Boolean(),
  /** Withheld by complementary suppression: its own cohort is large enough, but it would reveal a suppressed one. */
  complementary: Type.Optional(Type.Literal(true)),
});
export type FigureView = Static<typeof FigureView>;

const DurationsView = Type.Object({ median: FigureView, p90: FigureView, conversations: FigureView });

export const DashboardView = Type.Object({
  generatedAt: Type.String(),
  filter: Type.Object({
    from: Type.String(),
    to: Type.String(),
    channel: Type.Union([ChannelKindSchema, Type.Null()]),
    timeZone: Type.String(),
  }),
  minCohort: Type.Integer(),
  coverage: Type.Object({
    consenting: Type.Integer(),
    contacts: Type.Integer(),
    percent: Type.Union([Type.Integer(), Type.Null()]),
  }),
  volume: Type.Object({
    conversations: FigureView,
    messages: FigureView,
    days: Type.Array(
      Type.Object({ day: Type.String(), channel: ChannelKindSchema, conversations: FigureView, messages: FigureView }),
    ),
  }),
  firstResponse: DurationsView,
  resolution: DurationsView,
  bot: Type.Object({
    conversations: FigureView,
    deflected: FigureView,
    deflectionRate: FigureView,
    handoffReasons: Type.Array(Type.Object({ reason: Type.String(), handoffs: FigureView })),
  }),
  backlog: Type.Array(Type.Object({ status: ConversationStatusSchema, conversations: FigureView })),
  heatmap: Type.Array(Type.Object({ weekday: Type.Integer(), hour: Type.Integer(), messages: FigureView })),
  satisfaction: Type.Object({
    average: FigureView,
    ratings: FigureView,
    distribution: Type.Array(Type.Object({ score: Type.Integer(), ratings: FigureView })),
  }),
});
export type DashboardView = Static<typeof DashboardView>;

/** The visitor's conversation status and their rating of it (1..5), if given. */
export const RatingStateView = Type.Object({
  conversationId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  status: Type.Union([ConversationStatusSchema, Type.Null()]),
  score: Type.Union([Type.Integer({ minimum: 1, maximum: 5 }), Type.Null()]),
  /** Whether the survey may be asked: not while the contact is restricted or objects (Art. 18/21). */
  ask: Type.Boolean(),
});
export type RatingStateView = Static<typeof RatingStateView>;
