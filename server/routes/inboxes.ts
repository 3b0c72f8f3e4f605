import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../db/client.ts';
import { InboxList } from '../http/views/conversations.ts';
import { errors } from '../http/common.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import { currentAgent } from '../plugins/auth.ts';
import { inboxCondition } from '../domain/scope.ts';

export type InboxRoutesDeps = { db: Db };

export const inboxRoutes: FastifyPluginAsyncTypebox<{ deps: InboxRoutesDeps }> = async (app, { deps }) => {
  app.get(
    '/',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['inboxes'],
        summary: 'The inboxes the agent may see (all of them unless an admin restricted the agent)',
        response: { 200: InboxList, ...errors(401) },
      },
    },
    async (request) => ({
      items: await deps.db
        .select({ id: inboxes.id, name: inboxes.name, channel: inboxes.channel })
        .from(inboxes)
        .where(inboxCondition(inboxes.id, currentAgent(request).inboxIds))
        .orderBy(inboxes.createdAt),
    }),
  );
};
