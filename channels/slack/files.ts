import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import { OutboundRefused, OutboundTooLarge, rowsOf, type Db, type Outbound } from '../../server/channel-port.ts';
import type { BlobStore } from '../../server/channel-port.ts';
import { attachments, messages, slackEvents, slackFiles } from '../../drizzle/schema/index.ts';
import type { SlackFile } from './payloads.ts';
import { fileName, fileUrl } from './parse.ts';
import { isSlackFileUrl } from './file-hosts.ts';

/** Files larger than this are not copied (Slack allows up to 1 GB; a support inbox does not need that). */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;
const MAX_ATTEMPTS = 6;
/** A 100 MB file over a slow link still fits; a server that trickles forever does not. */
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;
/** 1, 4, 16, 64, 256 minutes between tries: a Slack outage of a few hours loses no file. */
const retryDelayMs = (attempt: number) => 60_000 * 4 ** (attempt - 1);

export type FileDeps = {
  db: Db;
  blobs: BlobStore;
  /** Every download goes through it: public (or allow-listed) addresses only, size-limited, timed out. */
  outbound: Outbound;
  botToken: string;
  /** SLACK_API_URL: its origin may serve files besides Slack's own hosts. */
  apiUrl: string;
  /** Called once a file is stored or given up, so the inbox can show it without a reload. */
  onStored?: (messageId: string) => Promise<void>;
};

/** The rows that queue a message's files for download (written with the event's "handled" mark). */
export function fileRows(messageId: string, files: SlackFile[]) {
  return files
    .filter((f) => (f.size ?? 0) <= MAX_FILE_BYTES)
    .map((f) => ({
      messageId,
      fileId: f.id,
      name: fileName(f),
      mimetype: f.mimetype ?? 'application/octet-stream',
      urlPrivate: fileUrl(f),
    }));
}

type DueFile = {
  message_id: string;
  file_id: string;
  name: string;
  mimetype: string;
  url_private: string;
  attempts: number;
};

/**
 * Downloads due files (all of them, or one message's right after its event) into the blob store and
 * makes each an attachment. Rows are claimed with SKIP LOCKED and their deadline pushed forward, so
 * several servers (or the fast path and the sweep) never fetch one file twice at once; the final
 * update only succeeds for a row still unstored, so a lost race deletes its blob instead of adding a
 * second attachment.
 */
export async function fetchDueFiles(
  deps: FileDeps,
  options: { messageId?: string; limit?: number } = {},
): Promise<number> {
  const due = await deps.db.transaction(async (tx) => {
    const rows = rowsOf<DueFile>(
      await tx.execute(sql`
        select message_id, file_id, name, mimetype, url_private, attempts from ${slackFiles}
        where stored_at is null and next_attempt_at is not null and next_attempt_at <= now()
          ${options.messageId ? sql`and message_id = ${options.messageId}::uuid` : sql``}
        order by next_attempt_at limit ${options.limit ?? 10} for update skip locked`),
    );
    for (const row of rows) {
      await tx
        .update(slackFiles)
        .set({ nextAttemptAt: new Date(Date.now() + 5 * 60_000) })
        .where(and(eq(slackFiles.messageId, row.message_id), eq(slackFiles.fileId, row.file_id)));
    }
    return rows;
  });
  let stored = 0;
  for (const file of due) {
    if (await fetchOne(deps, file)) stored++;
  }
  return stored;
}

async function fetchOne(deps: FileDeps, file: DueFile): Promise<boolean> {
  const key = and(eq(slackFiles.messageId, file.message_id), eq(slackFiles.fileId, file.file_id));
  let blob: { id: string; size: number } | undefined;
  try {
    // Checked again here, not only when the event arrived: a row queued by an older version may name any host.
    if (!isSlackFileUrl(file.url_private, deps.apiUrl)) throw new OutboundRefused('not a Slack file host');
    const res = await deps.outbound.request(file.url_private, {
      headers: { authorization: `Bearer ${deps.botToken}` },
      maxBytes: MAX_FILE_BYTES,
      timeoutMs: DOWNLOAD_TIMEOUT_MS,
      // Slack's own hops only; the token is sent to the first URL's origin and nowhere else.
      maxRedirects: 3,
      redirectAllowed: (url) => isSlackFileUrl(url, deps.apiUrl),
    });
    if (res.status < 200 || res.status > 299) {
      res.body.resume();
      throw new Error(`download failed: HTTP ${res.status}`);
    }
    // Slack answers an unauthorised file URL with its sign-in page (200, text/html) instead of an error.
    if ((res.headers['content-type'] ?? '').startsWith('text/html') && !file.mimetype.startsWith('text/html')) {
      res.body.resume();
      throw new Error('download failed: Slack returned a web page (missing files:read scope?)');
    }
    blob = await deps.blobs.put(res.body, { messageId: file.message_id });
    const { id: blobId, size } = blob;
    const won = await deps.db.transaction(async (tx) => {
      const [claimed] = await tx
        .update(slackFiles)
        .set({
          storedAt: new Date(),
          name: null,
          mimetype: null,
          urlPrivate: null,
          nextAttemptAt: null,
          lastError: null,
        })
        .where(and(key, isNull(slackFiles.storedAt)))
        .returning({ fileId: slackFiles.fileId });
      if (!claimed) return false;
      await tx
        .insert(attachments)
        .values({ messageId: file.message_id, blobId, filename: file.name, contentType: file.mimetype, size });
      return true;
    });
    if (!won) await deps.blobs.delete(blobId);
    else await deps.onStored?.(file.message_id);
    return won;
  } catch (err) {
    if (blob) await deps.blobs.delete(blob.id).catch(() => {});
    // A refused destination or an oversized file stays so: no retries, the message says why.
    const permanent = err instanceof OutboundRefused || err instanceof OutboundTooLarge;
    const attempts = permanent ? MAX_ATTEMPTS : file.attempts + 1;
    // Only the error's own words (HTTP status, error class), never the URL: it carries the file name.
    const reason = err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 200) : 'unknown error';
    const gaveUp = await deps.db.transaction(async (tx) => {
      const [row] = await tx
        .update(slackFiles)
        .set({
          attempts,
          lastError: reason,
          nextAttemptAt: attempts >= MAX_ATTEMPTS ? null : new Date(Date.now() + retryDelayMs(attempts)),
        })
        .where(and(key, isNull(slackFiles.storedAt)))
        .returning({ fileId: slackFiles.fileId });
      if (!row || attempts < MAX_ATTEMPTS) return false;
      const marker = {
        kind: 'file_not_fetched',
        detail: `${file.name}: could not be downloaded from Slack`,
        event: { code: 'slack_download_failed', args: { name: file.name } },
      };
      await tx
        .update(messages)
        .set({
          metadata: sql`jsonb_set(${messages.metadata}, '{markers}',
            coalesce(${messages.metadata}->'markers', '[]'::jsonb) || ${JSON.stringify([marker])}::jsonb)`,
        })
        .where(eq(messages.id, file.message_id));
      return true;
    });
    if (gaveUp) await deps.onStored?.(file.message_id);
    return false;
  }
}

/** Event ids are only needed through Slack's retry window (minutes); a day is plenty. */
export async function forgetOldEvents(db: Db): Promise<void> {
  await db.delete(slackEvents).where(lt(slackEvents.receivedAt, new Date(Date.now() - 24 * 3600_000)));
}
