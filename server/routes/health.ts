import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { sql } from 'drizzle-orm';
import type { Services } from '../services.ts';
import { errors } from '../http/common.ts';
import { DomainError } from '../domain/errors.ts';

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
      try {
        await services.db.execute(sql`select 1`);
      } catch {
        // What a load balancer's health check must see while the database is away: unavailable, not a bug.
        throw new DomainError(503, 'database_unavailable', 'The database does not answer');
      }
      return { ok: true, database: services.database.driver };
    },
  );
};
