import { getTableColumns, type InferSelectModel, type Table } from 'drizzle-orm';

/**
 * Reads a row of a hand-written query (columns named as in the database, values as the driver
 * returns them) into the shape drizzle's `select()` would have produced for `table`, using the
 * columns' own decoders (timestamps to Date, jsonb parsed, ...). Hot paths that need one statement
 * drizzle cannot build (data-modifying CTEs) still hand the rest of the code the usual row type.
 * `prefix` reads columns aliased as `<prefix><column name>`; `omit` names columns the query leaves out on purpose
 * (a stored search vector no caller reads: its text would only travel to be dropped).
 */
export function rowReader<T extends Table, K extends keyof InferSelectModel<T> & string = never>(
  table: T,
  prefix = '',
  omit: readonly K[] = [],
): (row: Record<string, unknown>) => Omit<InferSelectModel<T>, K> {
  const columns = Object.entries(getTableColumns(table))
    .filter(([key]) => !(omit as readonly string[]).includes(key))
    .map(([key, column]) => ({
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
    return out as Omit<InferSelectModel<T>, K>;
  };
}

/** `<alias>.<column>, ...` for every column of `table` but those in `omit`, for a hand-written select. */
export function columnList<T extends Table>(table: T, alias: string, omit: readonly (keyof T['_']['columns'])[] = []) {
  return Object.entries(getTableColumns(table))
    .filter(([key]) => !(omit as readonly string[]).includes(key))
    .map(([, column]) => `${alias}.${column.name}`)
    .join(', ');
}
