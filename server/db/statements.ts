import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { rowsOf, type Db } from './client.ts';

// Rendering needs no database: the SQL text and the placeholders' positions depend only on the query.
const dialect = new PgDialect();

/**
 * A hand-written statement for a hot path, rendered to text once at module load instead of on every
 * call: values are `sql.placeholder('name')`s, filled per call by name. drizzle's walk over a
 * template's chunks costs more CPU than the rest of a short query's client side. On PostgreSQL the
 * text is also a server-side prepared statement per connection (see `preparing` in client.ts).
 *
 * Runs on whatever `db` it is given (the pool or a transaction) through drizzle's own session, so
 * both drivers behave as with `db.execute`. Rows come back as the driver returns them: columns named
 * as in the database (use rowReader for a table's row).
 */
export function preparedStatement<Row>(query: SQL): (db: Db, values: Record<string, unknown>) => Promise<Row[]> {
  const rendered = dialect.sqlToQuery(query);
  return async (db, values) =>
    rowsOf<Row>(await db._.session.prepareQuery(rendered, undefined, undefined, false).execute(values));
}
