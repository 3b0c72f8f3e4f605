import { createHmac, timingSafeEqual } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { desc, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { auditLog } from '../../drizzle/schema/index.ts';
import type { KeyProvider } from '../security/keys.ts';
import { derivedKey } from '../security/derived-keys.ts';
import { canonicalJson } from './audit.ts';

/**
 * The audit log's anchor: outside the database, a signed statement of what the log held. The triggers of
 * migration 0010 refuse UPDATE, DELETE and TRUNCATE, but a superuser can disable them and then delete the newest
 * entries or rewrite one and recompute every hash after it; the chain alone cannot tell. So the newest entry's
 * id, hash and the number of entries up to it are signed (HMAC-SHA256 under a key derived from the master key,
 * which is not in the database) and appended as one JSON line to DATA_DIR/audit-anchor.jsonl. `audit:verify`
 * then checks every anchor it can: a missing entry (a truncated tail), a different hash (a rewritten chain) or a
 * different count is reported, and an attacker without the key cannot write a matching anchor.
 *
 * Anchors are written by a job every few seconds, not inside the append: an append commits with its caller's
 * transaction, and an anchor written before that commit would name an entry a rollback removes (a false alarm).
 * The tail appended since the last anchor (seconds) is the window an attacker has.
 */
export const ANCHOR_FILE_NAME = 'audit-anchor.jsonl';
export const ANCHOR_INTERVAL_MS = 5_000;

export type Anchor = { v: 1; entryId: number; hash: string; count: number; at: string; keyId: string; sig: string };

export type AuditAnchor = {
  readonly path: string;
  readonly keys: KeyProvider;
  /** Anchors the newest entry now (unless this process anchored it already); resolves once the line is on disk. */
  flush(): Promise<Anchor | null>;
};

export const anchorPath = (dataDir: string) => join(dataDir, ANCHOR_FILE_NAME);

function signature(key: Buffer, a: Omit<Anchor, 'sig'>): string {
  return createHmac('sha256', key)
    .update(canonicalJson([a.v, a.entryId, a.hash, a.count, a.at, a.keyId]))
    .digest('base64url');
}

function appendLine(path: string, line: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a', 0o600);
  try {
    writeSync(fd, line);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function createAuditAnchor(deps: { db: Db; keys: KeyProvider; path: string }): AuditAnchor {
  const { db, keys, path } = deps;
  let lastWritten: string | null = null;
  async function write(): Promise<Anchor | null> {
    const [head] = await db
      .select({ id: auditLog.id, hash: auditLog.hash })
      .from(auditLog)
      .orderBy(desc(auditLog.id))
      .limit(1);
    if (!head) return null;
    const master = keys.current();
    // A new key (keys:rotate) is anchored at once, so the newest anchor is always checkable with a current key.
    const stamp = `${head.id}:${head.hash}:${master.id}`;
    if (stamp === lastWritten) return null;
    const [counted] = await db
      .select({ count: sql<number>`count(*)::int` })
      .from(auditLog)
      .where(lte(auditLog.id, head.id));
    const body = {
      v: 1 as const,
      entryId: head.id,
      hash: head.hash,
      count: Number(counted!.count),
      at: new Date().toISOString(),
      keyId: master.id,
    };
    const anchor: Anchor = { ...body, sig: signature(derivedKey(master, 'audit-anchor'), body) };
    appendLine(path, JSON.stringify(anchor) + '\n');
    lastWritten = stamp;
    return anchor;
  }
  // One write at a time; a flush asked for during a write runs after it (it may read a head committed since).
  let queue: Promise<unknown> = Promise.resolve();
  return {
    path,
    keys,
    flush() {
      const run = queue.then(write, write);
      queue = run.catch(() => {});
      return run;
    },
  };
}

export type AnchorCheck =
  { ok: true; anchoredThrough: number | null; unverifiable: number } | { ok: false; id: number; reason: string };

/** Reads the anchor file; a line that is not an anchor is reported as such (the file was altered). */
export function readAnchors(path: string): Array<Anchor | { line: number; malformed: true }> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text
    .split('\n')
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, i }) => {
      try {
        const a = JSON.parse(line) as Anchor;
        if (a.v === 1 && Number.isSafeInteger(a.entryId) && typeof a.sig === 'string') return a;
      } catch {
        // falls through
      }
      return { line: i + 1, malformed: true as const };
    });
}

/**
 * Checks anchors against what the chain walk saw: `seen` maps the anchored entry ids to their hash and position
 * (1-based count of entries up to them), `lastId` is the newest entry. The earliest failing anchor is reported.
 */
export function checkAnchors(
  anchors: ReturnType<typeof readAnchors>,
  keys: KeyProvider,
  seen: Map<number, { hash: string; position: number }>,
  lastId: number,
): AnchorCheck {
  const malformed = anchors.find((a): a is { line: number; malformed: true } => 'malformed' in a);
  if (malformed) return { ok: false, id: 0, reason: `line ${malformed.line} of the anchor file is not an anchor` };
  const valid = (anchors as Anchor[]).slice().sort((a, b) => a.entryId - b.entryId);
  // Signatures first: an altered anchor file is its own finding, and only signed anchors are compared.
  const signed: Anchor[] = [];
  for (const a of valid) {
    const master = keys.byId(a.keyId);
    if (!master) {
      if (a === valid.at(-1))
        return {
          ok: false,
          id: a.entryId,
          reason: `the newest anchor is signed under key ${a.keyId}, which this server lacks`,
        };
      continue;
    }
    const { sig, ...body } = a;
    const expected = Buffer.from(signature(derivedKey(master, 'audit-anchor'), body));
    const given = Buffer.from(String(sig));
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return { ok: false, id: a.entryId, reason: `the anchor of ${a.at} has an invalid signature (altered)` };
    signed.push(a);
  }
  let anchoredThrough: number | null = null;
  for (const a of signed) {
    const row = seen.get(a.entryId);
    if (!row)
      return {
        ok: false,
        id: a.entryId,
        reason:
          a.entryId > lastId
            ? `the log ends at entry ${lastId}, but it held entry ${a.entryId} at ${a.at}: ` +
              'the newest entries were deleted'
            : `entry ${a.entryId}, anchored at ${a.at}, was deleted`,
      };
    if (row.hash !== a.hash)
      return {
        ok: false,
        id: a.entryId,
        reason: `the entry differs from its anchor of ${a.at}: entries up to it were rewritten and re-hashed`,
      };
    if (row.position !== a.count)
      return {
        ok: false,
        id: a.entryId,
        reason: `${a.count} entries led up to it at ${a.at}, ${row.position} now: entries were removed and re-hashed`,
      };
    anchoredThrough = Math.max(anchoredThrough ?? 0, a.entryId);
  }
  return { ok: true, anchoredThrough, unverifiable: valid.length - signed.length };
}
