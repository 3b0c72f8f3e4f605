import { desc, sql } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { auditLog, auditStaged } from '../../drizzle/schema/index.ts';

export type AuditEntry = {
  actorKind: 'agent' | 'visitor' | 'system';
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  /** Ids, counts and field names only: never values of personal data. */
  details?: Record<string, unknown>;
};

// Serializes appends so every entry commits to exactly one predecessor, across server processes.
const AUDIT_CHAIN_LOCK = 7_243_002;
export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted at every level: details are stored as jsonb, which hands keys back
 * in its own order, so the hash must not depend on the order they were written in.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function entryHash(prevHash: string, entry: AuditEntry & { at: string }): string {
  const canonical = canonicalJson([
    prevHash,
    entry.at,
    entry.actorKind,
    entry.actorId,
    entry.action,
    entry.targetType,
    entry.targetId,
    entry.details ?? {},
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Appends inside the caller's transaction, so the entry exists exactly when the change does. */
export async function appendAudit(tx: Db, entry: AuditEntry): Promise<void> {
  await appendAuditEntries(tx, [entry]);
}

/**
 * Appends several entries, chained in the given order, with one lock, one read of the chain's head
 * and one multi-row insert. The lock is held until the caller's transaction ends and serializes every
 * append, so a change that writes several entries (a widget session's consents) should make one call.
 * What ingest staged and committed before goes into the chain first (server/privacy/audit-staging.ts), so the
 * chain's order is the order the changes committed in.
 */
export async function appendAuditEntries(tx: Db, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await appendChained(tx, entries);
}

/** Only what ingest staged (the seal job; the contact audit view before it reads). Returns how many. */
export async function sealStagedEntries(tx: Db): Promise<number> {
  return appendChained(tx, []);
}

async function appendChained(tx: Db, entries: AuditEntry[]): Promise<number> {
  // Two statements on purpose: the head must be read with a snapshot taken after the lock is granted,
  // or an append committed while we waited would be missed and the chain would fork.
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  const staged = (await tx.delete(auditStaged).returning()).sort((a, b) => a.id - b.id);
  if (staged.length + entries.length === 0) return 0;
  const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  let prevHash = last?.hash ?? GENESIS_HASH;
  // Millisecond precision survives the round trip through timestamptz, so verification can recompute it.
  const now = new Date().toISOString();
  const all: Array<AuditEntry & { at: string }> = [
    ...staged.map((r) => ({ ...r, actorKind: r.actorKind as AuditEntry['actorKind'], at: r.at.toISOString() })),
    ...entries.map((entry) => ({ ...entry, at: now })),
  ];
  const rows = all.map((entry) => {
    const hash = entryHash(prevHash, entry);
    const row = {
      at: new Date(entry.at),
      actorKind: entry.actorKind,
      actorId: entry.actorId,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      details: entry.details ?? {},
      prevHash,
      hash,
    };
    prevHash = hash;
    return row;
  });
  // One INSERT takes the bigserial ids in row order, so ids follow the chain.
  await tx.insert(auditLog).values(rows);
  return rows.length;
}
