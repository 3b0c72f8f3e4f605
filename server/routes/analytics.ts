import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../services.ts';
import { ChannelKindSchema, ConversationStatusSchema } from '../http/views.ts';
import { errors } from '../http/common.ts';
import { rateLimits } from '../http/rate-limits.ts';
import { badRequest } from '../domain/errors.ts';
import { currentVisitor } from '../plugins/auth.ts';
import { dashboard } from '../../analytics/dashboard.ts';
import { dashboardCsv } from '../../analytics/csv.ts';
import { FilterError, parseFilter } from '../../analytics/filter.ts';
import { rateConversation, visitorRating } from '../domain/satisfaction.ts';

const tags = ['analytics'];
const Figure = Type.Object({ value: Type.Union([Type.Number(), Type.Null()]), suppressed: Type.Boolean() });
const Durations = Type.Object({ median: Figure, p90: Figure, conversations: Figure });
const DashboardView = Type.Object({
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
    conversations: Figure,
    messages: Figure,
    days: Type.Array(
      Type.Object({ day: Type.String(), channel: ChannelKindSchema, conversations: Figure, messages: Figure }),
    ),
  }),
  firstResponse: Durations,
  resolution: Durations,
  bot: Type.Object({
    conversations: Figure,
    deflected: Figure,
    deflectionRate: Figure,
    handoffReasons: Type.Array(Type.Object({ reason: Type.String(), handoffs: Figure })),
  }),
  backlog: Type.Array(Type.Object({ status: ConversationStatusSchema, conversations: Figure })),
  heatmap: Type.Array(Type.Object({ weekday: Type.Integer(), hour: Type.Integer(), messages: Figure })),
  satisfaction: Type.Object({
    average: Figure,
    ratings: Figure,
    distribution: Type.Array(Type.Object({ score: Type.Integer(), ratings: Figure })),
  }),
});
const DashboardQuery = Type.Object({
  from: Type.Optional(
    Type.String({ maxLength: 40, description: 'ISO date-time (or date: UTC midnight); default 30 days before `to`' }),
  ),
  to: Type.Optional(
    Type.String({
      maxLength: 40,
      description: 'ISO date-time, exclusive (a date alone includes that day); default now',
    }),
  ),
  channel: Type.Optional(ChannelKindSchema),
  tz: Type.Optional(
    Type.String({ maxLength: 64, description: 'IANA time zone days and hours are counted in; default UTC' }),
  ),
});

function filterOf(query: { from?: string; to?: string; channel?: string; tz?: string }) {
  try {
    return parseFilter(query);
  } catch (err) {
    if (err instanceof FilterError) throw badRequest('bad_filter', err.message);
    throw err;
  }
}

/** The managers' dashboard (managers and admins): consent-scoped aggregates, as JSON or CSV. */
export const analyticsRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const manager = { access: 'manager' as const };

  app.get(
    '/dashboard',
    {
      config: manager,
      schema: {
        tags,
        summary:
          'Every dashboard figure, computed only over contacts whose current consent covers analytics; small cohorts suppressed',
        querystring: DashboardQuery,
        response: { 200: DashboardView, ...errors(400, 401, 403) },
      },
    },
    async (request) => dashboard(services.db, filterOf(request.query), services.config.analyticsMinCohort),
  );

  app.get(
    '/dashboard.csv',
    {
      config: manager,
      schema: {
        tags,
        summary: 'The same aggregates as CSV (metric, dimension, value, unit); suppressed figures read "fewer than k"',
        querystring: DashboardQuery,
        produces: ['text/csv'],
        response: { 200: Type.String(), ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const data = await dashboard(services.db, filterOf(request.query), services.config.analyticsMinCohort);
      const day = data.generatedAt.slice(0, 10);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="support-analytics-${day}.csv"`)
        .send(dashboardCsv(data));
    },
  );
};

const RatingState = Type.Object({
  conversationId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  status: Type.Union([ConversationStatusSchema, Type.Null()]),
  score: Type.Union([Type.Integer({ minimum: 1, maximum: 5 }), Type.Null()]),
});

/** The widget's satisfaction question, under /api/widget/rating (Bearer visitor token). */
export const widgetRatingRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/',
    {
      config: { access: 'visitor', rateLimit: rateLimits.widgetRead },
      schema: {
        tags: ['widget'],
        summary: "The visitor's conversation status and their rating of it, if given",
        response: { 200: RatingState, ...errors(401, 403) },
      },
    },
    async (request) => visitorRating(services, currentVisitor(request)),
  );

  app.post(
    '/',
    {
      config: { access: 'visitor', rateLimit: rateLimits.widgetRating },
      schema: {
        tags: ['widget'],
        summary:
          'Rate the resolved conversation from 1 (very unhappy) to 5 (very happy); a second answer replaces the first',
        body: Type.Object({ score: Type.Integer({ minimum: 1, maximum: 5 }) }),
        response: { 200: RatingState, ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) => rateConversation(services, currentVisitor(request), request.body.score),
  );
};
