import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Sql as PgClient } from 'postgres';
import { sql } from 'drizzle-orm';
import * as schema from '../../drizzle/schema/index.ts';

export type Schema = typeof schema;
/** Both drivers (and a transaction) are a PgDatabase over the same schema: domain code never knows which. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type Database = {
  db: Db;
  driver: 'pglite' | 'postgres';
  close(): Promise<void>;
};

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), '../../drizzle/migrations');
// Any constant works; it serializes migrations when several servers start on one PostgreSQL at once.
const MIGRATION_LOCK = 7_243_001;

export type OpenDatabaseOptions = {
  databaseUrl?: string;
  /** PGlite data directory; `undefined` means in-memory (tests). */
  pgliteDir?: string;
  poolSize?: number;
};

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10)
    : openPglite(options.pgliteDir);
}

async function openPglite(dir: string | undefined): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  // pg_trgm: trigram indexes (mention finding for erasure, search); PostgreSQL ships it in contrib.
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  if (dir) mkdirSync(dir, { recursive: true });
  const client = new PGlite({ ...(dir ? { dataDir: dir } : {}), extensions: { pg_trgm } });
  await client.waitReady;
  const db = drizzle({ client, schema });
  await migrate(db, { migrationsFolder });
  return { db: db as unknown as Db, driver: 'pglite', close: () => client.close() };
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  // Notices (e.g. "schema already exists") are not worth a log line.
  const migrator = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const mdb = drizzle({ client: migrator });
    await mdb.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK})`);
    try {
      await migrate(mdb, { migrationsFolder });
    } finally {
      await mdb.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK})`);
    }
  } finally {
    await migrator.end();
  }
  const client = postgres(url, { max, onnotice: () => {} });
  const db = drizzle({ client: preparing(client), schema });
  return { db: db as unknown as Db, driver: 'postgres', close: () => client.end() };
}

/**
 * drizzle's postgres-js session calls `unsafe(query, params, { prepare: false })` for every query it
 * was not given a name for. postgres.js then sends Parse+Describe, waits for the parameter types, and
 * only then Bind+Execute: two round trips, and PostgreSQL parses and plans the text again each time.
 * With `prepare: true` postgres.js keeps one named statement per query text (and parameter types) per
 * connection, so after the first use a query is a single Bind+Execute round trip.
 *
 * The wrapper covers every handle drizzle is given: the pool, `begin` (transactions) and `savepoint`
 * (nested transactions). Parameterless queries are unaffected: postgres.js sends them with the simple
 * protocol whatever `prepare` says, so `begin`, `set`, DDL and the like behave as before. Migrations run
 * on their own unwrapped client. A statement invalidated by a schema change is re-prepared by postgres.js
 * (it retries on "cached plan must not change result type"). Statements live as long as their connection
 * (postgres.js recycles connections after 30-60 min), which bounds the few per-length variants that
 * `inArray` produces.
 */
function preparing(client: PgClient): PgClient {
  type Scoped = (sql: PgClient) => unknown;
  const wrapScope = (fn: Scoped) => (sql: PgClient) => fn(preparing(sql));
  return new Proxy(client, {
    get(target, prop, receiver) {
      switch (prop) {
        case 'unsafe':
          return (query: string, params?: unknown[], options?: Record<string, unknown>) =>
            target.unsafe(query, params as never, { ...options, prepare: true });
        case 'begin':
          return (options: string | Scoped, fn?: Scoped) =>
            fn
              ? target.begin(options as string, wrapScope(fn) as never)
              : target.begin(wrapScope(options as Scoped) as never);
        case 'savepoint':
          return (name: string | Scoped, fn?: Scoped) => {
            const savepoint = (target as unknown as { savepoint: (...args: unknown[]) => unknown }).savepoint;
            return fn ? savepoint(name, wrapScope(fn)) : savepoint(wrapScope(name as Scoped));
          };
        default:
          return Reflect.get(target, prop, receiver);
      }
    },
  });
}

/** `db.execute` returns an array on postgres.js and `{ rows }` on PGlite: read either. */
export function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
}
