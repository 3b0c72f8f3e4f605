import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../server/db/client.ts';
import { bindIdentityKeys } from '../../server/domain/identity-address.ts';
import { createDataKeys } from '../../server/security/data-keys.ts';
import { openBlindIndex } from '../../server/security/blind-index.ts';
import { createFileKeyStore } from '../../server/security/key-store.ts';
import { generateKey, staticKeyProvider } from '../../server/security/keys.ts';

/**
 * Identity addresses are stored sealed and found by token (server/domain/identity-address.ts): a test that works on
 * the database without createRoot (which binds the installation's keys) gets a key store of its own here.
 */
async function withIdentityKeys<D extends Database>(database: D): Promise<D> {
  const dataKeys = createDataKeys(
    staticKeyProvider([generateKey()], 'test key'),
    createFileKeyStore(join(mkdtempSync(join(tmpdir(), 'test-keys-')), 'keys')),
  );
  bindIdentityKeys(database.db, { dataKeys, blindIndex: await openBlindIndex(dataKeys) });
  return database;
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new database
 * on the PostgreSQL server of DATABASE_URL when it is set (dropped again by `close`).
 */
export async function testDatabase(): Promise<Database & { url?: string }> {
  const base = process.env.DATABASE_URL;
  if (!base) return withIdentityKeys(await openDatabase({}));
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 5 });
  await withIdentityKeys(database);
  return {
    ...database,
    url: url.toString(),
    async close() {
      await database.close();
      const cleanup = postgres(base, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

export const dbMode = process.env.DATABASE_URL ? 'postgres' : 'pglite';
