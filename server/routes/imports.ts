import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { desc } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { errors } from '../http/common.ts';
import { imports } from '../../drizzle/schema/index.ts';

export type ImportRoutesDeps = { db: Db };

const Json = Type.Record(Type.String(), Type.Unknown());
const ImportView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  source: Type.String(),
  inboxId: Type.String({ format: 'uuid' }),
  state: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** The minimization plan the import ran with (server/import/plan.ts ImportPlan): counts and names only. */
  plan: Json,
  /** Counts and checksums before and after, differences, the data map (server/import/run.ts ImportReport). */
  report: Type.Union([Json, Type.Null()]),
});

/** Imports from other helpdesks (`npm run import`), newest first, for the Privacy page (admins). */
export const importRoutes: FastifyPluginAsyncTypebox<{ deps: ImportRoutesDeps }> = async (app, { deps }) => {
  app.get(
    '/imports',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['privacy'],
        summary: 'Imports from other helpdesks with their minimization plans and integrity reports',
        response: { 200: Type.Object({ items: Type.Array(ImportView) }), ...errors(401, 403) },
      },
    },
    async () => {
      const rows = await deps.db.select().from(imports).orderBy(desc(imports.createdAt)).limit(50);
      return {
        items: rows.map((r) => ({
          id: r.id,
          source: r.source,
          inboxId: r.inboxId,
          state: r.state,
          createdAt: r.createdAt.toISOString(),
          finishedAt: r.finishedAt?.toISOString() ?? null,
          plan: r.plan,
          report: r.report,
        })),
      };
    },
  );
};
