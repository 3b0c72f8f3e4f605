import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../db/client.ts';
import { IdParams, errors } from '../http/common.ts';
import { assertInboxExists, clearBusinessHours, getBusinessHours, setBusinessHours } from '../domain/business-hours.ts';

const tags = ['inboxes'];

const Window = Type.Object({
  day: Type.Integer({ minimum: 0, maximum: 6, description: '0 Sunday … 6 Saturday' }),
  open: Type.String({ pattern: '^\\d{2}:\\d{2}$', description: 'local time HH:MM' }),
  close: Type.String({ pattern: '^\\d{2}:\\d{2}$', description: 'local time HH:MM, after open (24:00 allowed)' }),
});
const BusinessHoursView = Type.Object({
  timeZone: Type.String({ maxLength: 64, description: 'IANA time zone, e.g. Europe/Helsinki' }),
  windows: Type.Array(Window, { maxItems: 28 }),
  holidays: Type.Array(Type.String({ format: 'date' }), { maxItems: 366 }),
  visitorGoneMinutes: Type.Integer({
    minimum: 0,
    maximum: 1440,
    description: 'a chat visitor whose widget is gone this long gets replies by email, if they left an address',
  }),
});

export type BusinessHoursRoutesDeps = { db: Db };

/**
 * An inbox's business hours (admin). Admins see every inbox, so these `:id` routes need no inbox scope check
 * (`inboxScoped: false`). The widget reads the hours it needs over its socket (presence:get).
 */
export const businessHoursRoutes: FastifyPluginAsyncTypebox<{ deps: BusinessHoursRoutesDeps }> = async (
  app,
  { deps },
) => {
  const admin = { access: 'admin' as const, inboxScoped: false as const };

  app.get(
    '/:id/business-hours',
    {
      config: admin,
      schema: {
        tags,
        summary: "An inbox's business hours; null when none are set (the team counts as always reachable)",
        params: IdParams,
        response: {
          200: Type.Object({ hours: Type.Union([BusinessHoursView, Type.Null()]) }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      await assertInboxExists(deps.db, request.params.id);
      return { hours: await getBusinessHours(deps.db, request.params.id) };
    },
  );

  app.put(
    '/:id/business-hours',
    {
      config: admin,
      schema: {
        tags,
        summary: "Set an inbox's business hours, time zone, holidays and the minutes after which a visitor is gone",
        params: IdParams,
        body: BusinessHoursView,
        response: { 200: BusinessHoursView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => setBusinessHours(deps.db, request.params.id, request.body),
  );

  app.delete(
    '/:id/business-hours',
    {
      config: admin,
      schema: {
        tags,
        summary: "Remove an inbox's business hours (always reachable again)",
        params: IdParams,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await clearBusinessHours(deps.db, request.params.id);
      return reply.status(204).send(null);
    },
  );
};
