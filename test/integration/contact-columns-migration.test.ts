import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../server/db/client.ts';
import { dbMode } from '../helpers/db.ts';
import { emptyDatabase, migrations, migrationsUpTo } from '../helpers/migrations.ts';
import { plainContactColumnsExist } from '../../server/privacy/contact-columns.ts';

/**
 * Migration 0049 drops contacts' plain name, email and phone, but not while a contact from before their sealing (0046)
 * still holds one: it is all there is, and only `privacy:encrypt-existing` (which holds the keys) can seal it. Run
 * here from a database at 0048, on both drivers.
 */
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function at0048() {
  const database = await emptyDatabase();
  const folder = migrationsUpTo(48);
  cleanups.push(
    () => database.close(),
    () => rmSync(folder, { recursive: true, force: true }),
  );
  await database.migrate(folder);
  // A contact as the server has stored them since 0046: sealed fields only (the values stand in for sealed ones).
  await database.db.execute(sql`insert into contacts (sealed_name, name_tokens) values ('sealed', '{tok}')`);
  return database;
}

describe(`migration 0049 (contacts' fields only sealed), on ${dbMode}`, () => {
  it('drops the plain columns when every contact is sealed', async () => {
    const old = await at0048();
    await old.db.execute(sql`insert into contacts default values`);
    await old.migrate(migrations);
    expect(await plainContactColumnsExist(old.db)).toBe(false);
  });

  it('keeps them while a contact from before the sealing holds a plain value: it is not lost', async () => {
    const old = await at0048();
    await old.db.execute(sql`insert into contacts (phone) values ('+44 20 7946 0958')`);
    await old.migrate(migrations);
    expect(await plainContactColumnsExist(old.db)).toBe(true);
    const rows = rowsOf<{ phone: string | null }>(
      await old.db.execute(sql`select phone from contacts where phone is not null`),
    );
    expect(rows.map((r) => r.phone)).toEqual(['+44 20 7946 0958']);
    // New rows are written without them, as the server writes them.
    const inserted = rowsOf<{ id: string }>(
      await old.db.execute(sql`insert into contacts (sealed_email, email_tokens) values ('sealed2', '{tok2}')
        returning id`),
    );
    expect(inserted).toHaveLength(1);
  });
});
