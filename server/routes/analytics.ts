import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { ChannelKindSchema } from '../http/views.ts';
import { DashboardView, RatingStateView } from '../http/views/analytics.ts';
import { errors, media } from '../http/common.ts';
import { rateLimits } from '../http/rate-limits.ts';
import { badRequest } from '../domain/errors.ts';
import { currentVisitor } from '../plugins/auth.ts';
import { dashboard } from '../../analytics/dashboard.ts';
import { dashboardCsv } from '../../analytics/csv.ts';
import { FilterError, parseFilter } from '../../analytics/filter.ts';
import { acceptedLocale } from '../http/accept-language.ts';
import { LOCALES } from '../../web/i18n/index.ts';
import { rateConversation, visitorRating, type SatisfactionDeps } from '../domain/satisfaction.ts';

const tags = ['analytics'];
const dashboardFilter = {
  from: Type.Optional(
    Type.String({
      maxLength: 40,
      description: 'ISO date-time (or a date: its midnight in `tz`); default 30 days before `to`',
    }),
  ),
  to: Type.Optional(
    Type.String({
      maxLength: 40,
      description: 'ISO date-time, exclusive (a date alone includes that whole day in `tz`); default now',
    }),
  ),
  channel: Type.Optional(ChannelKindSchema),
  tz: Type.Optional(
    Type.String({ maxLength: 64, description: 'IANA time zone days and hours are counted in; default UTC' }),
  ),
};
const DashboardQuery = Type.Object(dashboardFilter);

const CsvQuery = Type.Object({
  ...dashboardFilter,
  locale: Type.Optional(
    Type.Union(
      LOCALES.map((l) => Type.Literal(l)),
      {
        description:
          'Language of the headers, names and units; en writes `,` and decimal points, de, fr, fi and sv ' +
          'write `;` and decimal commas for their spreadsheets. Default: the Accept-Language header, else en',
      },
    ),
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
export type AnalyticsRoutesDeps = { db: Db; config: Pick<Config, 'analyticsMinCohort'> };

export const analyticsRoutes: FastifyPluginAsyncTypebox<{ deps: AnalyticsRoutesDeps }> = async (app, { deps }) => {
  const manager = { access: 'manager' as const };

  app.get(
    '/dashboard',
    {
      config: manager,
      schema: {
        tags,
        summary:
          'Every dashboard figure, computed only over contacts whose current consent covers analytics; ' +
          'small cohorts suppressed',
        querystring: DashboardQuery,
        response: { 200: DashboardView, ...errors(400, 401, 403) },
      },
    },
    async (request) => dashboard(deps.db, filterOf(request.query), deps.config.analyticsMinCohort),
  );

  app.get(
    '/dashboard.csv',
    {
      config: manager,
      schema: {
        tags,
        summary:
          "The same aggregates as CSV (metric, dimension, value, unit) in the manager's language; suppressed " +
          'figures read "fewer than k"',
        querystring: CsvQuery,
        response: {
          200: media('CSV with a header row', { 'text/csv': Type.String() }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const data = await dashboard(deps.db, filterOf(request.query), deps.config.analyticsMinCohort);
      const day = data.generatedAt.slice(0, 10);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="support-analytics-${day}.csv"`)
        .send(dashboardCsv(data, request.query.locale ?? acceptedLocale(request.headers['accept-language'])));
    },
  );
};

/** The widget's satisfaction question, under /api/widget/rating (Bearer visitor token). */
export const widgetRatingRoutes: FastifyPluginAsyncTypebox<{ deps: SatisfactionDeps }> = async (app, { deps }) => {
  app.get(
    '/',
    {
      config: { access: 'visitor', rateLimit: rateLimits.widgetRead },
      schema: {
        tags: ['widget'],
        summary: "The visitor's conversation status and their rating of it, if given",
        response: { 200: RatingStateView, ...errors(401, 403) },
      },
    },
    async (request) => visitorRating(deps, currentVisitor(request)),
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
        response: { 200: RatingStateView, ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) => rateConversation(deps, currentVisitor(request), request.body.score),
  );
};
