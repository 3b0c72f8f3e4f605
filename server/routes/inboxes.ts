import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../services.ts';
import { InboxView } from '../http/views.ts';
import { errors } from '../http/common.ts';
import { inboxes } from '../../drizzle/schema/index.ts';

export const inboxRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['inboxes'],
        summary: 'All inboxes',
        response: { 200: Type.Object({ items: Type.Array(InboxView) }), ...errors(401) },
      },
    },
    async () => ({
      items: await services.db
        .select({ id: inboxes.id, name: inboxes.name, channel: inboxes.channel })
        .from(inboxes)
        .orderBy(inboxes.createdAt),
    }),
  );
};
