import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'drizzle-orm';
import type { Database, Db } from '../db/client.ts';
import { HealthView } from '../http/views/health.ts';
import { errors } from '../http/common.ts';
import { DomainError } from '../domain/errors.ts';

export type HealthRoutesDeps = { db: Db; database: Pick<Database, 'driver'> };

export const healthRoutes: FastifyPluginAsyncTypebox<{ deps: HealthRoutesDeps }> = async (app, { deps }) => {
  app.get(
    '/',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Liveness and database reachability',
        response: { 200: HealthView, ...errors(503) },
      },
    },
    async () => {
      try {
        await deps.db.execute(sql`select 1`);
      } catch {
        // What a load balancer's health check must see while the database is away: unavailable, not a bug.
        throw new DomainError(503, 'database_unavailable', 'The database does not answer');
      }
      return { ok: true, database: deps.database.driver };
    },
  );
};
