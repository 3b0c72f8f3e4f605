import { getTableColumns, type InferSelectModel, type Table } from 'drizzle-orm';

/**
 * Reads a row of a hand-written query (columns named as in the database, values as the driver
 * returns them) into the shape drizzle's `select()` would have produced for `table`, using the
 * columns' own decoders (timestamps to Date, jsonb parsed, ...). Hot paths that need one statement
 * drizzle cannot build (data-modifying CTEs) still hand the rest of the code the usual row type.
 * `prefix` reads columns aliased as `<prefix><column name>`.
 */
export function rowReader<T extends Table>(
  table: T,
  prefix = '',
): (row: Record<string, unknown>) => InferSelectModel<T> {
  const columns = Object.entries(getTableColumns(table)).map(([key, column]) => ({
    key,
    name: prefix + column.name,
    column,
  }));
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const { key, name, column } of columns) {
      const value = row[name];
      // A missing column means the query and the schema disagree: fail loudly, never return a half row.
      if (value === undefined) throw new Error(`row has no column ${name}`);
      out[key] = value === null ? null : column.mapFromDriverValue(value);
    }
    return out as InferSelectModel<T>;
  };
}
