import { getTableColumns, getTableName } from 'drizzle-orm';
import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type { ColumnTag, PrivacyCatalog } from '../../drizzle/catalog.ts';

/**
 * The rules that keep the catalog's file and free-text tags consistent, so that export, erasure,
 * retention, redaction and mention search (which take their lists from these tags) reach everything.
 * Returns one line per broken rule; the catalog test expects none, for the real catalog and for a
 * test's extended one.
 */
export function catalogTagProblems(catalog: PrivacyCatalog): string[] {
  const problems: string[] = [];
  const aboutContacts = (key: string) => catalog[key]?.reach.subject === 'contact';
  const hangsOffMessages = (key: string): boolean => {
    const reach = catalog[key]?.reach;
    return (
      key === 'messages' || (reach?.subject === 'contact' && reach.via === 'join' && hangsOffMessages(reach.through))
    );
  };
  for (const [key, entry] of Object.entries(catalog)) {
    const table = getTableName(entry.table);
    const columns = getTableColumns(entry.table) as Record<string, PgColumn>;
    const tags = Object.entries(entry.columns) as Array<[string, ColumnTag]>;
    const where = (property: string) => `${table}.${columns[property]?.name ?? property}`;
    const reach = entry.reach;
    if (reach.subject === 'contact' && reach.via === 'join' && !aboutContacts(reach.through))
      problems.push(`${table}: joins through ${reach.through}, which is not a catalog entry about contacts`);
    const rows = entry.staffOnlyRows;
    if (rows && !columns[rows.column]) problems.push(`${table}: staffOnlyRows names a missing column ${rows.column}`);
    // A person's self-service copy shows staff by display name only: it replaces the columns tagged agentRef.
    if (aboutContacts(key))
      for (const fk of getTableConfig(entry.table as PgTable).foreignKeys) {
        const ref = fk.reference();
        if (getTableName(ref.foreignTable) !== 'agents') continue;
        for (const column of ref.columns) {
          const property = Object.keys(columns).find((name) => columns[name] === column);
          if (property && !entry.columns[property]?.agentRef)
            problems.push(`${table}.${column.name}: holds an agent id but is not tagged agentRef`);
        }
      }
    for (const [property, tag] of tags) {
      const column = columns[property];
      if (!column) continue; // the catalog test reports stale tags
      const isBlobId = column.name === 'blob_id' || column.name.endsWith('_blob_id');
      if (isBlobId && !tag.file) problems.push(`${where(property)}: holds a blob id but is not tagged as a file`);
      if (!tag.freeText && !tag.file && !tag.messageCopy) {
        // Whatever people wrote, as text, must be reachable by mention search (or be a file).
        if (tag.personal && tag.category === 'message_content' && column.dataType === 'string')
          problems.push(`${where(property)}: message content in a text column, but neither free text nor a file`);
        continue;
      }
      if (!tag.personal) problems.push(`${where(property)}: free text or a file, but not tagged personal`);
      if (!aboutContacts(key))
        problems.push(`${where(property)}: free text or a file on a table that does not reach a contact`);
      if (column.dataType !== 'string') problems.push(`${where(property)}: free text or a file in a non-text column`);
      if (!columns.id) problems.push(`${where(property)}: its table has no id column (updates and files go by id)`);
      if (tag.messageCopy && !tag.freeText) problems.push(`${where(property)}: a message copy must be free text`);
      if (tag.messageCopy && !hangsOffMessages(key))
        problems.push(`${where(property)}: a message copy on a table that does not hang off messages`);
      if (tag.freeText && tag.file) problems.push(`${where(property)}: both free text and a file`);
      if (tag.file) {
        const { nameColumn, typeColumn, sizeColumn, retention } = tag.file;
        for (const named of [nameColumn, typeColumn, sizeColumn])
          if (named && !columns[named]) problems.push(`${where(property)}: names a missing column ${named}`);
        if (retention === 'attachments' && !columns.createdAt)
          problems.push(`${where(property)}: retained as an attachment, but its table has no createdAt to age it by`);
      }
    }
  }
  return problems;
}
