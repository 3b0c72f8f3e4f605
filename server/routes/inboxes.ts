import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../db/client.ts';
import { InboxList } from '../http/views/conversations.ts';
import { errors } from '../http/common.ts';
import { inboxes } from '../../drizzle/schema/index.ts';

export type InboxRoutesDeps = { db: Db };

export const inboxRoutes: FastifyPluginAsyncTypebox<{ deps: InboxRoutesDeps }> = async (app, { deps }) => {
  app.get(
    '/',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['inboxes'],
        summary: 'All inboxes',
        response: { 200: InboxList, ...errors(401) },
      },
    },
    async () => ({
      items: await deps.db
        .select({ id: inboxes.id, name: inboxes.name, channel: inboxes.channel })
        .from(inboxes)
        .orderBy(inboxes.createdAt),
    }),
  );
};
