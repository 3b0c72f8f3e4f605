import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/client.ts';

/**
 * The plain `contacts.name`, `email` and `phone` columns survive migration 0049 only on a database that still has
 * contacts from before their fields were sealed (0046) that `npm run privacy:encrypt-existing` has not sealed: it
 * needs their values (the keys are not in the database). Like identity-column.ts for identities' addresses.
 */
export async function plainContactColumnsExist(db: Db): Promise<boolean> {
  const [row] = rowsOf<{ n: number }>(
    await db.execute(sql`select count(*)::int as n from information_schema.columns
      where table_schema = current_schema() and table_name = 'contacts' and column_name in ('name', 'email', 'phone')`),
  );
  return Number(row?.n ?? 0) > 0;
}

/** What 0049 would have done, once nothing needs the plain columns: drops them (a concurrent run may have already). */
export async function dropPlainContactColumns(db: Db): Promise<void> {
  await db.execute(
    sql`alter table contacts drop column if exists name, drop column if exists email, drop column if exists phone`,
  );
}

/** The server's refusal to start on such a database (it could neither show nor find those people). */
export class UnsealedContactsError extends Error {
  constructor() {
    super(
      'contacts stored before migration 0046 are not sealed yet: run npm run privacy:encrypt-existing (resumable), ' +
        'then start the server',
    );
  }
}
