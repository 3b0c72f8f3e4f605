import { asc, desc, gt, lt } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { auditLog } from '../../drizzle/schema/index.ts';
import { GENESIS_HASH, entryHash } from './audit.ts';
import { checkAnchors, readAnchors } from './audit-anchor.ts';
import type { KeyProvider } from '../security/keys.ts';

export type VerifyResult = {
  ok: boolean;
  entries: number;
  firstBroken: null | { id: number; reason: string };
  /** The newest entry a verified anchor (server/privacy/audit-anchor.ts) vouches for; null: none. */
  anchoredThrough: number | null;
};

/**
 * Walks the chain from the first entry: each entry's hash must match its content and its prev_hash
 * the hash of the entry before it. An edited entry breaks its own hash; a deleted one breaks the
 * next entry's link. What the chain cannot show (the newest entries deleted, or an entry rewritten with
 * every later hash recomputed) the anchors show: given `anchor`, every signed anchor in its file is checked.
 */
export async function verifyAuditChain(db: Db, anchor?: { keys: KeyProvider; path: string }): Promise<VerifyResult> {
  const anchors = anchor ? readAnchors(anchor.path) : [];
  const anchoredIds = new Set(anchors.map((a) => ('entryId' in a ? a.entryId : 0)));
  const seen = new Map<number, { hash: string; position: number }>();
  let prevHash = GENESIS_HASH;
  let prevId = 0;
  let entries = 0;
  for (;;) {
    const batch = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.id, prevId))
      .orderBy(asc(auditLog.id))
      .limit(5_000);
    for (const e of batch) {
      entries++;
      if (entries === 1 && e.prevHash !== GENESIS_HASH)
        return broken(e.id, 'the first entry does not start the chain (earlier entries were deleted)', entries);
      if (e.prevHash !== prevHash)
        return broken(
          e.id,
          `prev_hash does not match entry ${prevId} (an entry before it was deleted or changed)`,
          entries,
        );
      const expected = entryHash(e.prevHash, {
        at: e.at.toISOString(),
        actorKind: e.actorKind as 'agent' | 'visitor' | 'system',
        actorId: e.actorId,
        action: e.action,
        targetType: e.targetType,
        targetId: e.targetId,
        details: e.details,
      });
      if (expected !== e.hash) return broken(e.id, 'content does not match its hash (the entry was edited)', entries);
      if (anchoredIds.has(e.id)) seen.set(e.id, { hash: e.hash, position: entries });
      prevHash = e.hash;
      prevId = e.id;
    }
    if (batch.length < 5_000) {
      if (!anchor) return { ok: true, entries, firstBroken: null, anchoredThrough: null };
      const check = checkAnchors(anchors, anchor.keys, seen, prevId);
      return check.ok
        ? { ok: true, entries, firstBroken: null, anchoredThrough: check.anchoredThrough }
        : { ...broken(check.id, check.reason, entries), anchoredThrough: null };
    }
  }
}

const broken = (id: number, reason: string, entries: number): VerifyResult => ({
  ok: false,
  entries,
  firstBroken: { id, reason },
  anchoredThrough: null,
});

export async function listAudit(db: Db, before: number | undefined, limit: number) {
  const rows = await db
    .select()
    .from(auditLog)
    .where(before ? lt(auditLog.id, before) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    items: page.map((e) => ({
      id: e.id,
      at: e.at.toISOString(),
      actorKind: e.actorKind,
      actorId: e.actorId,
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId,
      details: e.details,
    })),
    nextBefore: rows.length > limit ? page.at(-1)!.id : null,
  };
}
