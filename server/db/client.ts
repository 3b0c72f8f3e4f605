import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
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
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.poolSize ?? 10) : openPglite(options.pgliteDir);
}

async function openPglite(dir: string | undefined): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  if (dir) mkdirSync(dir, { recursive: true });
  const client = dir ? new PGlite(dir) : new PGlite();
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
  const db = drizzle({ client, schema });
  return { db: db as unknown as Db, driver: 'postgres', close: () => client.end() };
}

/** `db.execute` returns an array on postgres.js and `{ rows }` on PGlite: read either. */
export function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
}
