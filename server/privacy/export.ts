import { Readable } from 'node:stream';
import type { DataKeys } from '../security/data-keys.ts';
import { openColumns } from './encrypted-columns.ts';
import yazl from 'yazl';
import { and, asc, count, desc, eq, getTableColumns, gt, isNotNull, notInArray, type SQL } from 'drizzle-orm';
import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.ts';
import type { BlobStore } from '../blobs/store.ts';
import { agents, consentEvents, contacts } from '../../drizzle/schema/index.ts';
import type { ColumnTag } from '../../drizzle/catalog.ts';
import { appendAudit } from './audit.ts';
import { notFound } from '../domain/errors.ts';
import {
  catalogOf,
  columnOf,
  contactTables,
  fileSources,
  subjectCondition,
  type CatalogDeps,
  type PrivacyCatalog,
  type RowFilter,
  type SubjectTable,
} from './subject.ts';
import { personLocale, renderExportHtml } from './export-html.ts';
import { serverPrivacyTranslator } from '../../web/i18n/server-catalog.ts';
import type { Translate } from '../../web/i18n/index.ts';
import type { FileEntry } from './export-files.ts';
import { noticeTextsOf, type NoticeText } from './notice-texts.ts';

export const EXPORT_FORMAT = 'privacy-inbox/contact-export';
export const EXPORT_VERSION = 1;
const BATCH = 2_000;

export type ExportProgress = (done: number, total: number) => void;
export type ExportActor = { kind: 'agent' | 'visitor'; id: string };

/**
 * Two honest copies. 'formal': the access copy staff export for a request under Art. 15, with everything the
 * catalog reaches, internal notes and timeline events included. 'self-service': what a visitor downloads from
 * the widget: what they and the company said to each other and the data about them, without the company's
 * internal records (the catalog's `staffOnly` tables and `staffOnlyRows`) and with staff shown only by their
 * display names (`agentRef` columns). A visitor only ever gets the self-service copy.
 */
export type ExportCopy = 'formal' | 'self-service';
export const copyFor = (actor: ExportActor): ExportCopy => (actor.kind === 'visitor' ? 'self-service' : 'formal');

/** What one copy reads: its tables, the rows it leaves out, and how a row is shown. */
type CopyPlan = {
  copy: ExportCopy;
  tables: SubjectTable[];
  only?: RowFilter;
  shape: (t: SubjectTable, row: Record<string, unknown>) => Record<string, unknown>;
};
/** `authorAgentId` becomes `authorAgentName`, `assigneeId` `assigneeName`. */
const nameKeyOf = (property: string) => property.replace(/(Id)?$/, 'Name');

async function planOf(db: Db, catalog: PrivacyCatalog, copy: ExportCopy): Promise<CopyPlan> {
  if (copy === 'formal') return { copy, tables: contactTables(catalog), shape: (_t, row) => row };
  const only: RowFilter = (key) => {
    const rows = catalog[key]?.staffOnlyRows;
    return rows ? notInArray(columnOf(catalog, key, rows.column), [...rows.values]) : undefined;
  };
  const staff = await db.select({ id: agents.id, name: agents.name }).from(agents);
  const names = new Map(staff.map((a) => [a.id, a.name]));
  return {
    copy,
    tables: contactTables(catalog).filter((t) => !catalog[t.key]!.staffOnly),
    only,
    shape(t, row) {
      const shaped = { ...row };
      for (const [property, tag] of Object.entries(catalog[t.key]!.columns)) {
        if (tag.derived) delete shaped[property];
        if (!tag.agentRef) continue;
        const id = shaped[property];
        delete shaped[property];
        shaped[nameKeyOf(property)] = typeof id === 'string' ? (names.get(id) ?? null) : null;
      }
      return shaped;
    },
  };
}

/** What export reads: the database, the files, and the catalog that says what is about the person. */
export type ExportDeps = CatalogDeps & { db: Db; blobs: BlobStore; dataKeys: DataKeys };

/** A file of the archive: the row (`table`, `id`) whose catalog-tagged file column holds `blobId`. */

const safeName = (name: string) => name.replace(/[^\w.\- ]+/g, '_').slice(0, 100) || 'file';

// Formats that are compressed already: deflating them again costs CPU (most of an export's, with many
// photos) and saves next to nothing, so they are stored as they are. The archive's contents are the same.
const PRECOMPRESSED = new RegExp(
  [
    String.raw`^(image\/(jpeg|png|gif|webp|heic|heif|avif)|video\/.*|audio\/(mpeg|mp4|aac|ogg|opus|webm)|`,
    String.raw`application\/(zip|gzip|x-gzip|x-7z-compressed|x-rar-compressed|x-bzip2|x-xz|zstd|pdf|`,
    String.raw`vnd\.openxmlformats-officedocument\..*|vnd\.oasis\.opendocument\..*|epub\+zip))$`,
  ].join(''),
  'i',
);
const compressible = (contentType: string) => !PRECOMPRESSED.test(contentType.split(';')[0]!.trim());
/** Pieces of data.json are joined up to this size before they go to the zip's deflate stream. */
const CHUNK = 64 * 1024;

/**
 * Rows of one table about the contact, a batch at a time (never the whole table in memory): in id
 * order, or for a table keyed otherwise (a composite primary key) in key order, page by page.
 */
async function* rowsOf(
  db: Db,
  catalog: PrivacyCatalog,
  t: SubjectTable,
  contactId: string,
  only?: RowFilter,
): AsyncGenerator<Record<string, unknown>> {
  const id = (getTableColumns(t.table) as Record<string, PgColumn>).id;
  const key = id ? [id] : (getTableConfig(t.table as PgTable).primaryKeys[0]?.columns ?? []);
  // Columns the database derives from others (a search vector) are not read: the export gives their sources.
  const exportedColumns = Object.fromEntries(
    Object.entries(getTableColumns(t.table)).filter(([property]) => !catalog[t.key]!.columns[property]?.derived),
  );
  let after: string | null = null;
  for (let page = 0; ; page++) {
    const base = subjectCondition(catalog, t.key, contactId, only);
    const where: SQL = id && after ? and(base, gt(id, after))! : base;
    const query = db
      .select(exportedColumns)
      .from(t.table)
      .where(where)
      .orderBy(...key.map((c) => asc(c)))
      .limit(BATCH);
    const batch = (await (id ? query : query.offset(page * BATCH))) as Array<Record<string, unknown>>;
    for (const row of batch) yield row;
    if (batch.length < BATCH) return;
    after = id ? (batch.at(-1)!.id as string) : null;
  }
}

/**
 * The Art. 15/20 archive of one contact, streamed: data.json (every catalog-reached row, machine-readable),
 * index.html (a readable, printable history), README.txt, and the files. Memory stays flat however
 * large the contact: rows are read in batches and written as they come.
 */
export async function exportContact(
  deps: ExportDeps,
  contactId: string,
  actor: ExportActor,
  onProgress: ExportProgress = () => {},
) {
  const { db, blobs } = deps;
  const catalog = catalogOf(deps);
  const [contact] = await db.select().from(contacts).where(eq(contacts.id, contactId));
  if (!contact) throw notFound('Contact');
  const plan = await planOf(db, catalog, copyFor(actor));

  const counts: Record<string, number> = {};
  for (const t of plan.tables) {
    const [row] = await db
      .select({ n: count() })
      .from(t.table)
      .where(subjectCondition(catalog, t.key, contactId, plan.only));
    counts[t.name] = row!.n;
  }
  const files = await listFiles(db, catalog, contactId, plan);
  const notices = await noticesOf(db, contactId);
  const total = Object.values(counts).reduce((a, b) => a + b, 0) * 2 + files.length;
  let done = 0;
  let lastReport = 0;
  const tick = (n = 1) => {
    done += n;
    // Progress events are throttled: one per 1 % is plenty for a progress bar.
    if (done - lastReport >= Math.max(1, total / 100) || done === total) {
      lastReport = done;
      onProgress(done, total);
    }
  };
  onProgress(0, total);

  const zip = new yazl.ZipFile();
  const exportedAt = new Date().toISOString();
  // The README and a gone file's note speak the person's language, like index.html.
  const [lastNotice] = await db
    .select({ language: consentEvents.language })
    .from(consentEvents)
    .where(eq(consentEvents.contactId, contactId))
    .orderBy(desc(consentEvents.occurredAt))
    .limit(1);
  const words = serverPrivacyTranslator(personLocale(contact.locale, lastNotice?.language));
  zip.addBuffer(Buffer.from(readme(words, exportedAt, plan.copy)), 'README.txt');
  zip.addReadStreamLazy('data.json', (cb) =>
    cb(null, Readable.from(dataJson(deps, catalog, plan, contactId, exportedAt, files, notices, tick))),
  );
  zip.addReadStreamLazy('index.html', (cb) =>
    cb(
      null,
      Readable.from(
        renderExportHtml(deps, contactId, exportedAt, files, counts, tick, {
          copy: plan.copy,
          messages: plan.only?.('messages'),
          notices,
        }),
      ),
    ),
  );
  for (const file of files) {
    zip.addReadStreamLazy(file.path, { compress: compressible(file.contentType) }, (cb) => {
      blobs.get(file.blobId).then(
        (stream) => {
          stream.once('end', () => tick());
          cb(null, stream);
        },
        // A file that is already gone (retention ran) must not break the rest of the archive.
        () => {
          tick();
          cb(null, Readable.from([Buffer.from(`${words('export.readme.fileDeleted')}\n`)]));
        },
      );
    });
  }
  zip.end();
  zip.outputStream.once('end', () => {
    void db.transaction((tx) =>
      appendAudit(tx, {
        actorKind: actor.kind,
        actorId: actor.id,
        action: 'contact.exported',
        targetType: 'contact',
        targetId: contactId,
        details: { copy: plan.copy, rows: counts, files: files.length },
      }),
    );
  });
  return { stream: zip.outputStream as unknown as Readable, filename: `contact-${contactId}.zip` };
}

/** Every file of the person, from every column the catalog tags as holding one (oldest first where rows say when). */
async function listFiles(db: Db, catalog: PrivacyCatalog, contactId: string, plan: CopyPlan): Promise<FileEntry[]> {
  const files: FileEntry[] = [];
  for (const f of fileSources(catalog)) {
    if (!plan.tables.some((t) => t.key === f.key)) continue;
    const column = (property: string | undefined) => (property ? columnOf(catalog, f.key, property) : undefined);
    const name = column(f.file.nameColumn);
    const type = column(f.file.typeColumn);
    const size = column(f.file.sizeColumn);
    const createdAt = (getTableColumns(f.table) as Record<string, PgColumn>).createdAt;
    const rows = await db
      .select({
        id: f.id,
        blobId: f.column,
        ...(name ? { name } : {}),
        ...(type ? { type } : {}),
        ...(size ? { size } : {}),
      })
      .from(f.table)
      .where(and(subjectCondition(catalog, f.key, contactId, plan.only), isNotNull(f.column)))
      .orderBy(...(createdAt ? [asc(createdAt)] : []), asc(f.id));
    for (const r of rows as Array<{ id: string; blobId: string; name?: string; type?: string; size?: number }>) {
      const fileName = r.name !== undefined ? `-${safeName(r.name)}` : (f.file.extension ?? '');
      files.push({
        path: `files/${f.name}/${r.id}${fileName}`,
        table: f.name,
        id: r.id,
        blobId: r.blobId,
        contentType: r.type ?? f.file.contentType ?? 'application/octet-stream',
        size: r.size ?? null,
      });
    }
  }
  return files;
}

/** The notices the person was shown (by the hash their consent events keep), with their text where it is known. */
async function noticesOf(db: Db, contactId: string): Promise<Record<string, NoticeText>> {
  const hashes = await db
    .selectDistinct({ textHash: consentEvents.textHash })
    .from(consentEvents)
    .where(eq(consentEvents.contactId, contactId));
  return Object.fromEntries(
    await noticeTextsOf(
      db,
      hashes.map((h) => h.textHash),
    ),
  );
}

async function* dataJson(
  { db, dataKeys }: { db: Db; dataKeys: DataKeys },
  catalog: PrivacyCatalog,
  plan: CopyPlan,
  contactId: string,
  exportedAt: string,
  files: FileEntry[],
  notices: Record<string, NoticeText>,
  tick: (n?: number) => void,
) {
  const header = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt,
    copy: plan.copy,
    subject: { contactId },
    description:
      (plan.copy === 'formal'
        ? 'Every record this support system holds about you, internal notes and timeline events included. '
        : SELF_SERVICE_SCOPE + ' ') +
      '"tables" has one array per table, keyed by table name; ' +
      '"catalog" explains each table and column (purpose, whether it is personal data and its category); ' +
      '"files" lists the attachments and recordings included under files/; ' +
      '"notices" has the text of each consent notice your consent events refer to, in the language you saw ' +
      'it, keyed by their textHash.',
  };
  yield `{\n${JSON.stringify(header, null, 2).slice(2, -2)},\n  "tables": {`;
  let firstTable = true;
  // Rows are joined into chunks of about 64 KB: a stream chunk per row would be a deflate call per row.
  let chunk = '';
  for (const t of plan.tables) {
    chunk += `${firstTable ? '' : ','}\n    ${JSON.stringify(t.name)}: [`;
    firstTable = false;
    let first = true;
    for await (const stored of rowsOf(db, catalog, t, contactId, plan.only)) {
      const row = await openColumns(dataKeys, t.name, stored);
      chunk += `${first ? '' : ','}\n      ${JSON.stringify(plan.shape(t, row))}`;
      first = false;
      tick();
      if (chunk.length >= CHUNK) {
        yield chunk;
        chunk = '';
      }
    }
    chunk += '\n    ]';
  }
  yield chunk;
  yield (
    '\n  },\n  "files": ' +
    JSON.stringify(
      files.map(({ blobId: _b, ...f }) => f),
      null,
      2,
    ).replace(/\n/g, '\n  ')
  );
  yield ',\n  "notices": ' + JSON.stringify(notices);
  const catalogDoc = Object.fromEntries(
    plan.tables.map((t) => [
      t.name,
      { purpose: catalog[t.key]!.purpose, columns: exportedTags(catalog[t.key]!.columns, plan.copy) },
    ]),
  );
  yield ',\n  "catalog": ' + JSON.stringify(catalogDoc) + '\n}\n';
}

/** The tags as the person reads them: what each column is; how this software handles it stays out. */
const exportedTags = (columns: Record<string, ColumnTag>, copy: ExportCopy) =>
  Object.fromEntries(
    Object.entries(columns).map(([name, { personal, category, note, agentRef }]) =>
      agentRef && copy === 'self-service'
        ? [nameKeyOf(name), { personal: false, category, note: 'the display name of a member of staff' }]
        : [name, note === undefined ? { personal, category } : { personal, category, note }],
    ),
  );

const SELF_SERVICE_SCOPE =
  'What you and our support team said to each other, and the data we hold about you: contact details, how we ' +
  'recognise you on each channel, your consent history with the notices you saw, your ratings and your files. ' +
  "Our staff's internal notes, the conversation timeline and the assistant's internal scores are not in this " +
  'copy; you receive them too when you request a copy of your data from us (GDPR Art. 15).';

/** README.txt in the person's language (server-privacy: export.*); the file names and the format stay as they are. */
function readme(words: Translate, exportedAt: string, copy: ExportCopy) {
  return [
    words('export.title'),
    words('export.readme.exported', { date: exportedAt }),
    '',
    words(copy === 'formal' ? 'export.formal' : 'export.selfService'),
    '',
    words('export.readme.index'),
    words('export.readme.data'),
    words('export.readme.files'),
    '',
    words('export.readme.format', { format: EXPORT_FORMAT, version: EXPORT_VERSION }),
    '',
  ].join('\n');
}
