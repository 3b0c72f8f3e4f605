import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/client.ts';

/**
 * The plain `contact_identities.address` column survives migration 0044 only on a database that still has identities
 * from before tokens (0042) that `npm run privacy:encrypt-existing` has not sealed: it needs their addresses.
 */
export async function plainAddressColumnExists(db: Db): Promise<boolean> {
  const [row] = rowsOf<{ n: number }>(
    await db.execute(sql`select count(*)::int as n from information_schema.columns
      where table_schema = current_schema() and table_name = 'contact_identities' and column_name = 'address'`),
  );
  return Number(row?.n ?? 0) > 0;
}

/** What 0044 would have done, once nothing needs the plain column: drops it (and its index with it). */
export async function dropPlainAddressColumn(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`alter table contact_identities alter column address_token set not null`);
    await tx.execute(sql`alter table contact_identities alter column sealed_address set not null`);
    await tx.execute(sql`alter table contact_identities drop column address`);
  });
}

/** The server's refusal to start on such a database (it could not find, show or reach those people). */
export class UnsealedIdentitiesError extends Error {
  constructor() {
    super(
      'identities stored before identity tokens (migration 0042) are not sealed yet: run npm run ' +
        'privacy:encrypt-existing (resumable), then start the server',
    );
  }
}
