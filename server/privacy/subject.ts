import { getTableColumns, getTableName, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import {
  catalog as defaultCatalog,
  type CatalogEntryShape,
  type FileColumn,
  type PrivacyCatalog,
  type Reach,
} from '../../drizzle/catalog.ts';

/**
 * Everything about one person, derived from the personal-data catalog: which tables hold rows about a
 * contact, the SQL condition that selects them, and which of their columns hold files and free text.
 * Export, erasure, retention, redaction and mention search all walk these lists, so a table tagged in the
 * catalog is reached by each of them without anyone touching their code.
 */
export type { PrivacyCatalog };
/** The dependency every privacy operation may take: the catalog to walk (the real one unless a test extends it). */
export type CatalogDeps = { catalog?: PrivacyCatalog };
export const catalogOf = (deps: CatalogDeps): PrivacyCatalog => deps.catalog ?? defaultCatalog;

export type SubjectTable = {
  key: string;
  name: string;
  table: PgTable;
  reach: Exclude<Reach, { subject: 'none' }>;
  depth: number;
};

/** A column of a contact-reached table that holds a blob id, with the table's `id` column. */
export type FileSource = SubjectTable & { column: PgColumn; property: string; file: FileColumn; id: PgColumn };
/** The free-text columns of one contact-reached table, with its `id` column. */
export type TextSource = SubjectTable & { columns: PgColumn[]; id: PgColumn };

const entryOf = (catalog: PrivacyCatalog, key: string): CatalogEntryShape => {
  const entry = catalog[key];
  if (!entry) throw new Error(`catalog: no entry ${key}`);
  return entry;
};

export const columnOf = (catalog: PrivacyCatalog, key: string, property: string): PgColumn => {
  const column = (getTableColumns(entryOf(catalog, key).table) as Record<string, PgColumn>)[property];
  if (!column) throw new Error(`catalog ${key}: no column ${property}`);
  return column;
};

function depthOf(catalog: PrivacyCatalog, key: string): number {
  const reach = entryOf(catalog, key).reach;
  return reach.subject === 'contact' && reach.via === 'join' ? 1 + depthOf(catalog, reach.through) : 0;
}

// Derived once per catalog object: erasure and export ask for these lists on every call.
const derived = new WeakMap<PrivacyCatalog, { tables: SubjectTable[]; files: FileSource[]; texts: TextSource[] }>();

function derive(catalog: PrivacyCatalog) {
  const known = derived.get(catalog);
  if (known) return known;
  const tables: SubjectTable[] = Object.entries(catalog)
    .filter(([, entry]) => entry.reach.subject === 'contact')
    .map(([key, entry]) => ({
      key,
      name: getTableName(entry.table),
      table: entry.table,
      reach: entry.reach as SubjectTable['reach'],
      depth: depthOf(catalog, key),
    }))
    // Children before parents (the order erasure deletes in); the person's own row goes last: everything
    // else points at it.
    .sort(
      (a, b) =>
        b.depth - a.depth ||
        Number(a.reach.via === 'self') - Number(b.reach.via === 'self') ||
        a.name.localeCompare(b.name),
    );
  const files: FileSource[] = [];
  const texts: TextSource[] = [];
  for (const t of tables) {
    const tags = Object.entries(entryOf(catalog, t.key).columns);
    const textColumns = tags.filter(([, tag]) => tag.freeText).map(([property]) => columnOf(catalog, t.key, property));
    if (textColumns.length) texts.push({ ...t, columns: textColumns, id: columnOf(catalog, t.key, 'id') });
    for (const [property, tag] of tags) {
      if (!tag.file) continue;
      const column = columnOf(catalog, t.key, property);
      files.push({ ...t, column, property, file: tag.file, id: columnOf(catalog, t.key, 'id') });
    }
  }
  const lists = { tables, files, texts };
  derived.set(catalog, lists);
  return lists;
}

/** Tables with rows about a contact, deepest first (children before parents: the order erasure deletes in). */
export const contactTables = (catalog: PrivacyCatalog): SubjectTable[] => derive(catalog).tables;
/** Every column, on a table about contacts, that holds a file in the blob store. */
export const fileSources = (catalog: PrivacyCatalog): FileSource[] => derive(catalog).files;
/** Every table about contacts with free-text columns (for mention search and redaction). */
export const textSources = (catalog: PrivacyCatalog): TextSource[] => derive(catalog).texts;

/** A further condition on the rows of a catalog entry (or none), applied along the join chain too. */
export type RowFilter = (key: string) => SQL | undefined;

/**
 * The condition selecting the rows of `key` that are about `contactId`; with `only`, just those rows (and
 * the rows hanging off them) that `only` lets through: the self-service copy leaves internal notes out, and
 * with them the notes' attachments.
 */
export function subjectCondition(catalog: PrivacyCatalog, key: string, contactId: string, only?: RowFilter): SQL {
  const reach = entryOf(catalog, key).reach;
  if (reach.subject !== 'contact') throw new Error(`${key} is not about contacts`);
  const own = only?.(key);
  const narrowed = (condition: SQL) => (own ? sql`(${condition}) and ${own}` : condition);
  if (reach.via === 'self') return narrowed(sql`${columnOf(catalog, key, 'id')} = ${contactId}`);
  if (reach.via === 'column') return narrowed(sql`${columnOf(catalog, key, reach.column)} = ${contactId}`);
  const through = (column: string, parentKey: string) =>
    sql`${columnOf(catalog, key, column)} in (select ${columnOf(catalog, parentKey, 'id')}
      from ${entryOf(catalog, parentKey).table} where ${subjectCondition(catalog, parentKey, contactId, only)})`;
  const main = through(reach.column, reach.through);
  if (!reach.also) return narrowed(main);
  // Two ways in ("in a conversation of theirs" or "written by one of their identities"): as `a or b` PostgreSQL
  // tests both subqueries on every row (a scan of all messages); as a union of ids each side uses its index.
  const id = columnOf(catalog, key, 'id');
  const table = entryOf(catalog, key).table;
  const also = through(reach.also.column, reach.also.through);
  return narrowed(sql`${id} in (select ${id} from ${table} where ${main}
    union all select ${id} from ${table} where ${also})`);
}

/**
 * The condition selecting the rows of `key` that hang off the rows of `ancestor` whose id is in `ids`
 * (through the catalog's join chain), or null when `key` does not hang off `ancestor` at all.
 * Retention uses it for "everything under these conversations", redaction for "everything under this message".
 */
export function underCondition(catalog: PrivacyCatalog, key: string, ancestor: string, ids: SQL): SQL | null {
  if (key === ancestor) return sql`${columnOf(catalog, key, 'id')} in ${ids}`;
  const reach = entryOf(catalog, key).reach;
  if (reach.subject !== 'contact' || reach.via !== 'join') return null;
  const parent = underCondition(catalog, reach.through, ancestor, ids);
  if (!parent) return null;
  const through = entryOf(catalog, reach.through).table;
  return reach.through === ancestor
    ? sql`${columnOf(catalog, key, reach.column)} in ${ids}`
    : sql`${columnOf(catalog, key, reach.column)} in
        (select ${columnOf(catalog, reach.through, 'id')} from ${through} where ${parent})`;
}

/**
 * The SQL expression giving the conversation a row of `key` belongs to (following the join chain), or
 * null when the table does not hang off conversations. Retention asks it whether a legal hold applies.
 */
export function conversationOf(catalog: PrivacyCatalog, key: string): SQL | null {
  const reach = entryOf(catalog, key).reach;
  if (reach.subject !== 'contact' || reach.via !== 'join') return null;
  const column = columnOf(catalog, key, reach.column);
  if (reach.through === 'conversations') return sql`${column}`;
  const parent = conversationOf(catalog, reach.through);
  if (!parent) return null;
  const through = entryOf(catalog, reach.through).table;
  return sql`(select ${parent} from ${through} where ${columnOf(catalog, reach.through, 'id')} = ${column})`;
}

/**
 * Where an agent reviews a row of `key` in the inbox: the conversation it belongs to, or, for a row about a
 * contact as such (their own row, a legal hold or an opt-out that names them), that contact's latest
 * conversation, beside which the inbox shows their contact panel. Null when there is none.
 */
export function reviewPlaceOf(catalog: PrivacyCatalog, key: string): SQL {
  if (key === 'conversations') return sql`${columnOf(catalog, key, 'id')}`;
  const conversation = conversationOf(catalog, key);
  if (conversation) return conversation;
  const reach = entryOf(catalog, key).reach;
  const contact =
    reach.subject === 'contact' && reach.via === 'self'
      ? columnOf(catalog, key, 'id')
      : reach.subject === 'contact' && reach.via === 'column'
        ? columnOf(catalog, key, reach.column)
        : null;
  if (!contact) return sql`null`;
  const conversations = entryOf(catalog, 'conversations').table;
  return sql`(select c.id from ${conversations} c where c.contact_id = ${contact}
    order by c.last_message_at desc limit 1)`;
}
