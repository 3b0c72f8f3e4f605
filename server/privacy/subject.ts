import { getTableColumns, getTableName, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { catalog, type Reach } from '../../drizzle/catalog.ts';

/**
 * Everything about one person, derived from the personal-data catalog: which tables hold rows about
 * a contact and the SQL condition that selects them. Export and erasure both walk this list, so a new
 * table tagged in the catalog is exported and erased without anyone touching this file.
 */
export type CatalogKey = keyof typeof catalog;
export type SubjectTable = {
  key: CatalogKey;
  name: string;
  table: PgTable;
  reach: Exclude<Reach, { subject: 'none' }>;
  depth: number;
};

const columnOf = (key: CatalogKey, property: string): PgColumn => {
  const column = (getTableColumns(catalog[key].table) as Record<string, PgColumn>)[property];
  if (!column) throw new Error(`catalog ${key}: no column ${property}`);
  return column;
};

function depthOf(key: CatalogKey): number {
  const reach = catalog[key].reach as Reach;
  return reach.subject === 'contact' && reach.via === 'join' ? 1 + depthOf(reach.through) : 0;
}

/** Tables with rows about a contact, deepest first (children before parents: the order erasure deletes in). */
export const contactTables: SubjectTable[] = (Object.keys(catalog) as CatalogKey[])
  .filter((key) => (catalog[key].reach as Reach).subject === 'contact')
  .map((key) => ({
    key,
    name: getTableName(catalog[key].table),
    table: catalog[key].table,
    reach: catalog[key].reach as SubjectTable['reach'],
    depth: depthOf(key),
  }))
  // The person's own row goes last: everything else points at it.
  .sort(
    (a, b) =>
      b.depth - a.depth ||
      Number(a.reach.via === 'self') - Number(b.reach.via === 'self') ||
      a.name.localeCompare(b.name),
  );

/** The condition selecting the rows of `key` that are about `contactId`. */
export function subjectCondition(key: CatalogKey, contactId: string): SQL {
  const reach = catalog[key].reach as Reach;
  if (reach.subject !== 'contact') throw new Error(`${key} is not about contacts`);
  if (reach.via === 'self') return sql`${columnOf(key, 'id')} = ${contactId}`;
  if (reach.via === 'column') return sql`${columnOf(key, reach.column)} = ${contactId}`;
  const parent = catalog[reach.through].table;
  return sql`${columnOf(key, reach.column)} in (select ${columnOf(reach.through, 'id')} from ${parent} where ${subjectCondition(reach.through, contactId)})`;
}

/** Text-bearing personal columns (for finding a person's identifiers inside other people's rows). */
export function personalTextColumns(key: CatalogKey): string[] {
  const columns = catalog[key].columns as Record<string, { personal: boolean; category: string }>;
  return Object.entries(columns)
    .filter(([, tag]) => tag.personal && tag.category === 'message_content')
    .map(([name]) => name);
}
