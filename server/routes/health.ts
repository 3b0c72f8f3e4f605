import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { sql } from 'drizzle-orm';
import type { Services } from '../services.ts';
import { errors } from '../http/common.ts';

export const healthRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Liveness and database reachability',
        response: { 200: Type.Object({ ok: Type.Boolean(), database: Type.String() }), ...errors(503) },
      },
    },
    async () => {
      await services.db.execute(sql`select 1`);
      return { ok: true, database: services.database.driver };
    },
  );
};
