import type { TextKeys } from '../domain/message-text.ts';
import type { DataKeys } from '../security/data-keys.ts';
import { blindingOf } from '../domain/message-store.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../db/client.ts';
import { ChannelKindSchema, ConversationStatusSchema } from '../http/views.ts';
import { SearchPage } from '../http/views/search.ts';
import { errors } from '../http/common.ts';
import { currentAgent } from '../plugins/auth.ts';
import { searchConversations } from '../domain/search.ts';
import { SEARCH_TEXT_MAX } from '../domain/search-query.ts';
import { badRequest } from '../domain/errors.ts';

/** A real calendar day (the schema's pattern lets 2026-02-31 through; PostgreSQL would refuse it with a 500). */
function day(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const parsed = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value)
    throw badRequest('invalid_date', `${name} is not a calendar day (YYYY-MM-DD)`);
  return value;
}

/** The zones a day can be counted in (the browser's Intl names them; PostgreSQL knows the same IANA names). */
const zones = new Set(['UTC', ...Intl.supportedValuesOf('timeZone')]);
function timeZone(value: string | undefined): string | undefined {
  if (value !== undefined && !zones.has(value)) throw badRequest('invalid_time_zone', 'tz is not a known time zone');
  return value;
}

const tags = ['search'];

/**
 * GET /api/search: the search box. No `:id`, so no inboxScoped check applies; the agent's inbox scope is a
 * condition of every query instead (an agent never finds a conversation outside their inboxes).
 */
export const searchRoutes: FastifyPluginAsyncTypebox<{
  deps: { db: Db; dataKeys: TextKeys & Pick<DataKeys, 'keyFor'> };
}> = async (app, { deps }) => {
  app.get(
    '/',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        operationId: 'searchConversations',
        summary: 'Find conversations by message text, subject, contact name, email, phone or id',
        querystring: Type.Object({
          q: Type.String({ minLength: 1, maxLength: SEARCH_TEXT_MAX * 2 }),
          status: Type.Optional(ConversationStatusSchema),
          channel: Type.Optional(ChannelKindSchema),
          inbox: Type.Optional(Type.String({ format: 'uuid' })),
          assignee: Type.Optional(
            Type.Union([Type.Literal('me'), Type.Literal('unassigned'), Type.String({ format: 'uuid' })]),
          ),
          from: Type.Optional(Type.String({ format: 'date', description: 'Last activity on or after (a day of tz)' })),
          to: Type.Optional(
            Type.String({ format: 'date', description: 'Last activity on or before (a whole day of tz)' }),
          ),
          tz: Type.Optional(
            Type.String({ maxLength: 64, description: "IANA time zone of the days (the agent's); default UTC" }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
        }),
        response: { 200: SearchPage, ...errors(400, 401) },
      },
    },
    async (request) => {
      const q = request.query;
      const agent = currentAgent(request);
      const items = await searchConversations(deps.db, deps.dataKeys, {
        text: q.q,
        filters: {
          status: q.status,
          channel: q.channel,
          inboxId: q.inbox,
          assignee: q.assignee,
          from: day(q.from, 'from'),
          to: day(q.to, 'to'),
          timeZone: timeZone(q.tz),
        },
        inboxIds: agent.inboxIds,
        viewerAgentId: agent.id,
        limit: q.limit ?? 20,
        blinding: await blindingOf(deps.dataKeys),
      });
      return { items };
    },
  );
};
