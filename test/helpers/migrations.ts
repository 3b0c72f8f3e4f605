import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle as pgliteDrizzle } from 'drizzle-orm/pglite';
import { migrate as pgliteMigrate } from 'drizzle-orm/pglite/migrator';
import { drizzle as pgDrizzle } from 'drizzle-orm/postgres-js';
import { migrate as pgMigrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from '../../drizzle/schema/index.ts';
import type { Db } from '../../server/db/client.ts';

// Migration tests: a database migrated up to an older migration, given the rows an older version left, then
// migrated the rest of the way.

/** The project's migrations folder. */
export const migrations = join(import.meta.dirname, '../../drizzle/migrations');

/** The migrations folder as it was up to `last` (the journal cut there). */
export function migrationsUpTo(last: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  cpSync(migrations, dir, { recursive: true });
  const journalPath = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ idx: number }> };
  journal.entries = journal.entries.filter((e) => e.idx <= last);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

export type Opened = { db: Db; migrate(folder: string): Promise<void>; close(): Promise<void> };

/** A new empty database on the driver under test (PGlite, or PostgreSQL when DATABASE_URL is set). */
export async function emptyDatabase(): Promise<Opened> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const client = new PGlite({ extensions: { pg_trgm } });
    await client.waitReady;
    const db = pgliteDrizzle({ client, schema });
    return {
      db: db as unknown as Db,
      migrate: (folder) => pgliteMigrate(db, { migrationsFolder: folder }),
      close: () => client.close(),
    };
  }
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const client = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const db = pgDrizzle({ client, schema });
  return {
    db: db as unknown as Db,
    migrate: (folder) => pgMigrate(db, { migrationsFolder: folder }),
    async close() {
      await client.end();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
