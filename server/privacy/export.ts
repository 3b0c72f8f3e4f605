import { Readable } from 'node:stream';
import yazl from 'yazl';
import { and, asc, count, eq, gt, isNull, type SQL } from 'drizzle-orm';
import { getTableColumns } from 'drizzle-orm';
import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type { Services } from '../services.ts';
import { catalog } from '../../drizzle/catalog.ts';
import { attachments, contacts, recordings } from '../../drizzle/schema/index.ts';
import { appendAudit } from '../domain/audit.ts';
import { notFound } from '../domain/errors.ts';
import { contactTables, subjectCondition, type SubjectTable } from './subject.ts';
import { renderExportHtml } from './export-html.ts';

export const EXPORT_FORMAT = 'privacy-inbox/contact-export';
export const EXPORT_VERSION = 1;
const BATCH = 2_000;

export type ExportProgress = (done: number, total: number) => void;
export type ExportActor = { kind: 'agent' | 'visitor'; id: string };

export type FileEntry = {
  path: string;
  table: 'attachments' | 'recordings';
  id: string;
  blobId: string;
  contentType: string;
  size: number | null;
};

const safeName = (name: string) => name.replace(/[^\w.\- ]+/g, '_').slice(0, 100) || 'file';

// Formats that are compressed already: deflating them again costs CPU (most of an export's, with many
// photos) and saves next to nothing, so they are stored as they are. The archive's contents are the same.
const PRECOMPRESSED =
  /^(image\/(jpeg|png|gif|webp|heic|heif|avif)|video\/.*|audio\/(mpeg|mp4|aac|ogg|opus|webm)|application\/(zip|gzip|x-gzip|x-7z-compressed|x-rar-compressed|x-bzip2|x-xz|zstd|pdf|vnd\.openxmlformats-officedocument\..*|vnd\.oasis\.opendocument\..*|epub\+zip))$/i;
const compressible = (contentType: string) => !PRECOMPRESSED.test(contentType.split(';')[0]!.trim());
/** Pieces of data.json are joined up to this size before they go to the zip's deflate stream. */
const CHUNK = 64 * 1024;

/**
 * Rows of one table about the contact, a batch at a time (never the whole table in memory): in id
 * order, or for a table keyed otherwise (a composite primary key) in key order, page by page.
 */
async function* rowsOf(
  services: Services,
  t: SubjectTable,
  contactId: string,
): AsyncGenerator<Record<string, unknown>> {
  const id = (getTableColumns(t.table) as Record<string, PgColumn>).id;
  const key = id ? [id] : (getTableConfig(t.table as PgTable).primaryKeys[0]?.columns ?? []);
  let after: string | null = null;
  for (let page = 0; ; page++) {
    const base = subjectCondition(t.key, contactId);
    const where: SQL = id && after ? and(base, gt(id, after))! : base;
    const query = services.db
      .select()
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
  services: Services,
  contactId: string,
  actor: ExportActor,
  onProgress: ExportProgress = () => {},
) {
  const [contact] = await services.db.select().from(contacts).where(eq(contacts.id, contactId));
  if (!contact) throw notFound('Contact');

  const counts: Record<string, number> = {};
  for (const t of contactTables) {
    const [row] = await services.db.select({ n: count() }).from(t.table).where(subjectCondition(t.key, contactId));
    counts[t.name] = row!.n;
  }
  const files = await listFiles(services, contactId);
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
  zip.addBuffer(Buffer.from(readme(exportedAt)), 'README.txt');
  zip.addReadStreamLazy('data.json', (cb) =>
    cb(null, Readable.from(dataJson(services, contactId, exportedAt, files, tick))),
  );
  zip.addReadStreamLazy('index.html', (cb) =>
    cb(null, Readable.from(renderExportHtml(services, contactId, exportedAt, files, counts, tick))),
  );
  for (const file of files) {
    zip.addReadStreamLazy(file.path, { compress: compressible(file.contentType) }, (cb) => {
      services.blobs.get(file.blobId).then(
        (stream) => {
          stream.once('end', () => tick());
          cb(null, stream);
        },
        // A file that is already gone (retention ran) must not break the rest of the archive.
        () => {
          tick();
          cb(
            null,
            Readable.from([Buffer.from('This file was deleted under the retention policy before the export.\n')]),
          );
        },
      );
    });
  }
  zip.end();
  zip.outputStream.once('end', () => {
    void services.db.transaction((tx) =>
      appendAudit(tx, {
        actorKind: actor.kind,
        actorId: actor.id,
        action: 'contact.exported',
        targetType: 'contact',
        targetId: contactId,
        details: { rows: counts, files: files.length },
      }),
    );
  });
  return { stream: zip.outputStream as unknown as Readable, filename: `contact-${contactId}.zip` };
}

async function listFiles(services: Services, contactId: string): Promise<FileEntry[]> {
  const files: FileEntry[] = [];
  const att = await services.db
    .select()
    .from(attachments)
    .where(subjectCondition('attachments', contactId))
    .orderBy(asc(attachments.createdAt));
  for (const a of att) {
    files.push({
      path: `files/attachments/${a.id}-${safeName(a.filename)}`,
      table: 'attachments',
      id: a.id,
      blobId: a.blobId,
      contentType: a.contentType,
      size: a.size,
    });
  }
  const recs = await services.db
    .select()
    .from(recordings)
    .where(and(subjectCondition('recordings', contactId), isNull(recordings.deletedAt)));
  for (const r of recs) {
    if (!r.blobId) continue;
    files.push({
      path: `files/recordings/${r.id}.audio`,
      table: 'recordings',
      id: r.id,
      blobId: r.blobId,
      contentType: 'audio/*',
      size: null,
    });
  }
  return files;
}

async function* dataJson(
  services: Services,
  contactId: string,
  exportedAt: string,
  files: FileEntry[],
  tick: (n?: number) => void,
) {
  const header = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt,
    subject: { contactId },
    description:
      'Every record this support system holds about you. "tables" has one array per table, keyed by table name; ' +
      '"catalog" explains each table and column (purpose, whether it is personal data and its category); ' +
      '"files" lists the attachments and recordings included under files/.',
  };
  yield `{\n${JSON.stringify(header, null, 2).slice(2, -2)},\n  "tables": {`;
  let firstTable = true;
  // Rows are joined into chunks of about 64 KB: a stream chunk per row would be a deflate call per row.
  let chunk = '';
  for (const t of contactTables) {
    chunk += `${firstTable ? '' : ','}\n    ${JSON.stringify(t.name)}: [`;
    firstTable = false;
    let first = true;
    for await (const row of rowsOf(services, t, contactId)) {
      chunk += `${first ? '' : ','}\n      ${JSON.stringify(row)}`;
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
  const catalogDoc = Object.fromEntries(
    contactTables.map((t) => [t.name, { purpose: catalog[t.key].purpose, columns: catalog[t.key].columns }]),
  );
  yield ',\n  "catalog": ' + JSON.stringify(catalogDoc) + '\n}\n';
}

function readme(exportedAt: string) {
  return [
    'Your data, as held by our support system',
    `Exported: ${exportedAt}`,
    '',
    'index.html  A readable, printable history of your conversations on every channel, your contact details and consent.',
    'data.json   The same data, complete and machine-readable (GDPR Art. 20). Its "catalog" section explains every field.',
    'files/      Attachments you sent or received, and call recordings still kept.',
    '',
    `Format: ${EXPORT_FORMAT} version ${EXPORT_VERSION}.`,
    '',
  ].join('\n');
}
