import { describe, expect, it } from 'vitest';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableName } from 'drizzle-orm';
import * as schema from '../../drizzle/schema/index.ts';
import { catalog } from '../../drizzle/catalog.ts';
import { catalogTagProblems } from '../helpers/catalog-rules.ts';

const tables: PgTable[] = (Object.values(schema) as unknown[]).filter((v): v is PgTable => v instanceof PgTable);
const entries: Array<{ table: PgTable; columns: object; reach: { subject: string } }> = Object.values(catalog);

describe('personal-data catalog', () => {
  it('covers every table of the schema', () => {
    const cataloged = new Set(entries.map((e) => getTableName(e.table)));
    const missing = tables.map((t) => getTableName(t)).filter((name) => !cataloged.has(name));
    expect(missing).toEqual([]);
  });

  it.each(tables.map((t) => [getTableName(t), t] as const))(
    'tags every column of %s, and only existing ones',
    (name, table) => {
      const entry = entries.find((e) => getTableName(e.table) === name)!;
      const columns = getTableConfig(table).columns;
      const tagged = entry.columns as Record<string, unknown>;
      // Keys of the catalog are the schema's property names; compare through the column objects.
      const propertyNames = Object.entries(table as unknown as Record<string, unknown>)
        .filter(([, value]) => columns.includes(value as never))
        .map(([key]) => key);
      expect(propertyNames.length).toBe(columns.length);
      expect(propertyNames.filter((key) => !(key in tagged))).toEqual([]);
      expect(Object.keys(tagged).filter((key) => !propertyNames.includes(key))).toEqual([]);
    },
  );

  it('says how every table with personal data reaches its data subject', () => {
    for (const entry of entries) {
      const personal = Object.values(entry.columns as Record<string, { personal: boolean }>).some((c) => c.personal);
      if (personal) expect(entry.reach.subject, getTableName(entry.table)).not.toBe('none');
      if ('column' in entry.reach) expect(Object.keys(entry.columns)).toContain(entry.reach.column);
    }
  });

  it('tags files and free text consistently: blob ids are files, message text is free text, on contacts', () => {
    expect(catalogTagProblems(catalog)).toEqual([]);
  });

  it('tags the files and free text the privacy operations must reach', () => {
    expect(catalog.attachments.columns.blobId.file).toMatchObject({ retention: 'attachments', nameColumn: 'filename' });
    expect(catalog.recordings.columns.blobId.file).toMatchObject({ retention: 'recordings' });
    for (const tag of [
      catalog.messages.columns.body,
      catalog.messages.columns.html,
      catalog.conversations.columns.subject,
      catalog.contacts.columns.sealedName,
      catalog.attachments.columns.filename,
    ])
      expect(tag.freeText).toBe(true);
    expect(catalog.messages.columns.html.messageCopy).toBe(true);
    expect(catalog.contacts.columns.sealedEmail.freeText).toBeUndefined();
  });

  it('tags message bodies, addresses and names as personal data', () => {
    expect(catalog.messages.columns.body).toMatchObject({ personal: true, category: 'message_content' });
    expect(catalog.contactIdentities.columns.sealedAddress).toMatchObject({ personal: true, category: 'identifier' });
    expect(catalog.contacts.columns.sealedEmail).toMatchObject({ personal: true, category: 'contact_detail' });
  });
});
