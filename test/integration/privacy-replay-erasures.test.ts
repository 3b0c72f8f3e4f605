import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { dbMode, testDatabase } from '../helpers/db.ts';
import { findInFiles, relationFiles } from '../helpers/disk-scan.ts';
import { loadConfig } from '../../server/config.ts';
import { openDatabase, rowsOf, type Database } from '../../server/db/client.ts';
import { createRoot, type AppRoot } from '../../server/composition.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { eraseContact } from '../../server/privacy/erase.ts';
import { recordConsent } from '../../server/privacy/consent.ts';
import { contactIdentities, inboxes } from '../../drizzle/schema/index.ts';
import { createFileKeyStore } from '../../server/security/key-store.ts';
import { identityRow } from '../helpers/identities.ts';

const person = {
  name: 'Philippa Gravesend',
  email: 'philippa.gravesend@example.org',
  phone: '+15550107733',
  marker: 'zp-grave-9182',
};
const needles = [person.name, person.email, person.phone, person.marker, 'Gravesend'];

/** Every row of every table as text, searched for the needles: what a dump of the database would show. */
async function hitsInRows(database: Database): Promise<string[]> {
  const tables = rowsOf<{ name: string }>(
    await database.db.execute(sql`select tablename as name from pg_tables where schemaname = 'public'`),
  );
  const hits: string[] = [];
  for (const { name } of tables) {
    const rows = rowsOf<{ row: string }>(
      await database.db.execute(sql`select t::text as row from ${sql.identifier(name)} t`),
    );
    for (const { row } of rows)
      for (const needle of needles)
        if (row.toLowerCase().includes(needle.toLowerCase())) hits.push(`${name}: ${needle}`);
  }
  return hits;
}

/**
 * A backup taken before an erasure brings the person back when it is restored. The list of erased subjects
 * (keyed hashes, kept outside the database in DATA_DIR/erased-subjects.jsonl) lets `npm run
 * privacy:replay-erasures` erase them again.
 */
describe(`npm run privacy:replay-erasures on ${dbMode}`, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'replay-erasures-'));
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const env = (databaseUrl: string) => ({
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    SEED_DEMO: 'false',
    BOT_ENABLED: 'false',
    BOT_EMBEDDER: 'lexical',
    LOG_LEVEL: 'silent',
  });
  const rootOf = (database: Database, url: string): Promise<AppRoot> =>
    createRoot(loadConfig(env(url)), database, pino({ level: 'silent' }));

  let personId = '';
  // Whether the key store holds the person's key (in a file of their own, or in the block their id names).
  const keyStored = async () => (await createFileKeyStore(join(dataDir, 'keys')).read(personId)) !== null;
  async function seed(root: AppRoot): Promise<string> {
    const [mail] = await root.db.insert(inboxes).values({ name: 'Mail', channel: 'email' }).returning();
    const mine = await ingest(root, {
      channel: 'email',
      inboxId: mail!.id,
      sender: { kind: 'email', address: person.email, name: person.name },
      threadKey: '<pg-thread@example.org>',
      externalId: '<pg-1@example.org>',
      subject: `Refund ${person.marker}`,
      text: `I am ${person.name}, call me on ${person.phone}. ${person.marker}-body`,
      occurredAt: new Date(),
    });
    await root.db.insert(contactIdentities).values(await identityRow(root.db, mine.contactId, 'phone', person.phone));
    // Consent with evidence: encrypted with the person's data key, which the key store (DATA_DIR/keys) now holds.
    await recordConsent(root, {
      contactId: mine.contactId,
      purpose: 'analytics',
      granted: true,
      policyVersion: 'v1',
      textHash: 'c'.repeat(64),
      sourceChannel: 'email',
      evidence: { statement: `${person.marker}-consent` },
      actor: { kind: 'system', id: null },
    });
    // The key store's backup, taken with the database's (a longer retention than it should have: README).
    cpSync(join(dataDir, 'keys'), join(dataDir, 'keys-backup'), { recursive: true });
    personId = mine.contactId;
    await ingest(root, {
      channel: 'email',
      inboxId: mail!.id,
      sender: { kind: 'email', address: 'colleague@example.net', name: 'A Colleague' },
      threadKey: '<colleague@example.net>',
      externalId: '<colleague-1@example.net>',
      text: `Please help ${person.name} (${person.email}).`,
      occurredAt: new Date(),
    });
    return mine.contactId;
  }

  it('restores an older backup, replays the erasures, and leaves zero hits', async () => {
    let restored: Database;
    let restoredUrl = '';
    if (dbMode === 'pglite') {
      const live = join(dataDir, 'pglite');
      let database = await openDatabase({ pgliteDir: live });
      const contactId = await seed(await rootOf(database, ''));
      await database.close();
      cpSync(live, join(dataDir, 'backup'), { recursive: true }); // the backup, taken before the erasure
      database = await openDatabase({ pgliteDir: live });
      const root = await rootOf(database, '');
      await eraseContact(root, contactId, { kind: 'system', id: null });
      await root.erasedSubjects.scrub();
      expect(await hitsInRows(database)).toEqual([]);
      await database.close();
      rmSync(live, { recursive: true, force: true });
      cpSync(join(dataDir, 'backup'), live, { recursive: true }); // the restore
      restored = await openDatabase({ pgliteDir: live });
    } else {
      const database = await testDatabase();
      cleanups.push(() => database.close());
      const contactId = await seed(await rootOf(database, database.url!));
      const dump = join(dataDir, 'backup.dump');
      const dumped = spawnSync('pg_dump', ['-Fc', '-f', dump, database.url!], { encoding: 'utf8' });
      expect(dumped.stderr).toBe('');
      const root = await rootOf(database, database.url!);
      await eraseContact(root, contactId, { kind: 'system', id: null });
      await root.erasedSubjects.scrub();
      expect(await hitsInRows(database)).toEqual([]);
      const url = new URL(database.url!);
      const name = `${url.pathname.slice(1)}_restored`;
      const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${name}`);
      await admin.end();
      url.pathname = `/${name}`;
      restoredUrl = url.toString();
      const loaded = spawnSync('pg_restore', ['--no-owner', '-d', restoredUrl, dump], { encoding: 'utf8' });
      expect(loaded.stderr).toBe('');
      restored = await openDatabase({ databaseUrl: restoredUrl, poolSize: 2 });
      cleanups.push(async () => {
        const drop = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
        await drop.unsafe(`drop database if exists ${name} with (force)`);
        await drop.end();
      });
    }
    // The restore brought the person back, and the key store's restore their data key. Her rows are all sealed
    // (since issue 22's subjects, migration 0047, none spells her: the subject was the last plaintext of her).
    const back = rowsOf<{ n: number }>(
      await restored.db.execute(sql`select count(*)::int as n from contacts where id = ${personId}::uuid`),
    );
    expect(back[0]!.n).toBe(1);
    expect(await hitsInRows(restored)).toEqual([]);
    expect(await keyStored()).toBe(false);
    rmSync(join(dataDir, 'keys'), { recursive: true, force: true });
    cpSync(join(dataDir, 'keys-backup'), join(dataDir, 'keys'), { recursive: true });
    expect(await keyStored()).toBe(true);
    await restored.close();

    const run = spawnSync('npx', ['tsx', 'server/replay-erasures-cli.ts'], {
      env: { ...process.env, ...env(restoredUrl) },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('1 contacts found again and erased');
    expect(await keyStored()).toBe(false);

    const after =
      dbMode === 'pglite'
        ? await openDatabase({ pgliteDir: join(dataDir, 'pglite') })
        : await openDatabase({ databaseUrl: restoredUrl, poolSize: 2 });
    try {
      expect(await hitsInRows(after)).toEqual([]);
      // The replay's erasure was scrubbed from the files too.
      expect(findInFiles(await relationFiles(after, join(dataDir, 'pglite')), needles)).toEqual([]);
    } finally {
      await after.close();
    }
  }, 180_000);
});
