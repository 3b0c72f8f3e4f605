import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../../server/db/client.ts';
import { dbMode } from '../helpers/db.ts';
import { emptyDatabase, migrations, migrationsUpTo } from '../helpers/migrations.ts';
import { plainAddressColumnExists } from '../../server/privacy/identity-column.ts';

/**
 * Migration 0044 drops the plain identity address, but not while rows from before tokens (0042) are unsealed: their
 * address is all there is, and only `privacy:encrypt-existing` (which holds the keys) can seal it. Run here from a
 * database at 0042, on both drivers.
 */
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function at0042() {
  const database = await emptyDatabase();
  const folder = migrationsUpTo(42);
  cleanups.push(
    () => database.close(),
    () => rmSync(folder, { recursive: true, force: true }),
  );
  await database.migrate(folder);
  const [contact] = rowsOf<{ id: string }>(
    await database.db.execute(sql`insert into contacts (name) values ('Old Person') returning id`),
  );
  return { ...database, contactId: contact!.id };
}

const notNull = async (db: Db, column: string) =>
  rowsOf<{ is_nullable: string }>(
    await db.execute(sql`select is_nullable from information_schema.columns
      where table_schema = current_schema() and table_name = 'contact_identities' and column_name = ${column}`),
  )[0]?.is_nullable === 'NO';

describe(`migration 0044 (identity addresses only sealed), on ${dbMode}`, () => {
  it('drops the plain address column when every identity is sealed', async () => {
    const old = await at0042();
    await old.db.execute(sql`insert into contact_identities (contact_id, kind, address, address_token, sealed_address)
      values (${old.contactId}, 'email', 'sealed@example.org', 'tok', 'sealed')`);
    await old.migrate(migrations);
    expect(await plainAddressColumnExists(old.db)).toBe(false);
    expect(await notNull(old.db, 'address_token')).toBe(true);
    expect(await notNull(old.db, 'sealed_address')).toBe(true);
  });

  it('keeps it, nullable, while an identity from before tokens is not sealed: its address is not lost', async () => {
    const old = await at0042();
    await old.db.execute(sql`insert into contact_identities (contact_id, kind, address)
      values (${old.contactId}, 'email', 'never-sealed@example.org')`);
    await old.migrate(migrations);
    expect(await plainAddressColumnExists(old.db)).toBe(true);
    const rows = rowsOf<{ address: string }>(await old.db.execute(sql`select address from contact_identities`));
    expect(rows.map((r) => r.address)).toEqual(['never-sealed@example.org']);
    // New rows are written without it, as the server writes them.
    await old.db.execute(sql`insert into contact_identities (contact_id, kind, address_token, sealed_address)
      values (${old.contactId}, 'phone', 'tok2', 'sealed2')`);
    expect(await notNull(old.db, 'address')).toBe(false);
  });
});
