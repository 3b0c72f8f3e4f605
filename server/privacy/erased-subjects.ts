import { openContactFields } from '../domain/contact-fields.ts';
import { identityKeysOf } from '../domain/identity-address.ts';
import { createHmac } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { eq, getTableName, isNull, sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/client.ts';
import { contactIdentities, contacts, erasedSubjects } from '../../drizzle/schema/index.ts';
import type { KeyProvider, MasterKey } from '../security/keys.ts';
import { derivedKey } from '../security/derived-keys.ts';
import { releaseLease, tryAcquireLease } from '../db/leases.ts';
import { catalogOf, contactTables, type CatalogDeps } from './subject.ts';
import { readableIdentities } from '../domain/identity-address.ts';

/**
 * What an erasure leaves behind on purpose, so that it can be applied again and finished on disk:
 *
 * - A list of erased subjects (table erased_subjects, and one JSON line each in DATA_DIR/erased-subjects.jsonl, a
 *   copy outside the database that a restore does not roll back): keyed hashes of the person's unique identifiers
 *   (email addresses, phone numbers, Slack and visitor ids), never the identifiers. The key is derived from the
 *   master key (HKDF), which is not in the database: the list cannot be matched against a guessed address by
 *   anyone holding only a dump. `npm run privacy:replay-erasures` erases again, after a restore of an older
 *   backup, every contact whose id or identifiers are on the list.
 * - A scrub: DELETE and UPDATE leave the old row versions (and index entries) in the table's files until the
 *   space is reused; even VACUUM leaves their bytes in a page's free space. So after an erasure the tables it
 *   touched are rewritten (VACUUM FULL, which writes new files and removes the old ones), in the background,
 *   under a lease (one server at a time); pending scrubs live in the database and survive a restart.
 */
export const ERASED_SUBJECTS_FILE_NAME = 'erased-subjects.jsonl';
export const erasedSubjectsPath = (dataDir: string) => join(dataDir, ERASED_SUBJECTS_FILE_NAME);
export const SCRUB_LEASE = 'erasure-scrub';
const SCRUB_LEASE_MS = 30 * 60_000;

export type ErasedSubjects = {
  readonly keys: KeyProvider;
  /** DATA_DIR/erased-subjects.jsonl */
  readonly path: string;
  /** Asks for a scrub soon (after an erasure committed); never throws. */
  scrubSoon(): void;
};

type SubjectLine = {
  id: string;
  erasedAt: string;
  contactId: string;
  keyId: string;
  hashes: string[];
};

/** The identifiers that single a person out (never a name: two people share names), normalized. */
export function identifiersOf(
  contact: { email: string | null; phone: string | null },
  identities: Array<{ kind: string; address: string }>,
): string[] {
  const email = (v: string) => `email:${v.trim().toLowerCase()}`;
  const phone = (v: string) => `phone:+${v.replace(/\D/g, '')}`;
  const all = [
    ...(contact.email ? [email(contact.email)] : []),
    ...(contact.phone ? [phone(contact.phone)] : []),
    ...identities.map((i) =>
      i.kind === 'email' ? email(i.address) : i.kind === 'phone' ? phone(i.address) : `${i.kind}:${i.address}`,
    ),
  ];
  return [...new Set(all)];
}

export const subjectHash = (master: MasterKey, identifier: string) =>
  createHmac('sha256', derivedKey(master, 'erased-subjects')).update(identifier).digest('base64url');

/** Records an erasure inside its transaction. */
export async function recordErasedSubject(
  tx: Db,
  keys: KeyProvider,
  subject: { contactId: string; identifiers: string[]; tables: string[] },
): Promise<SubjectLine> {
  const master = keys.current();
  const [row] = await tx
    .insert(erasedSubjects)
    .values({
      contactId: subject.contactId,
      keyId: master.id,
      hashes: subject.identifiers.map((i) => subjectHash(master, i)),
      tables: subject.tables,
    })
    .returning();
  return {
    id: row!.id,
    erasedAt: row!.erasedAt.toISOString(),
    contactId: row!.contactId,
    keyId: row!.keyId,
    hashes: row!.hashes,
  };
}

/** The copy outside the database, written after the erasure committed. */
export function appendSubjectLine(path: string, line: SubjectLine): void {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a', 0o600);
  try {
    writeSync(fd, JSON.stringify(line) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function readSubjectLines(path: string): SubjectLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as SubjectLine);
}

/** When the tables too large to rewrite at any time are rewritten (server/config.ts: erasureScrub). */
export type ScrubSchedule = { nowMaxBytes: number; window: { startMinute: number; endMinute: number } };

/** Whether `now` (UTC) falls in the window; a window may run past midnight (23:00-02:00). */
export function inScrubWindow(window: ScrubSchedule['window'], now: Date): boolean {
  const minute = now.getUTCHours() * 60 + now.getUTCMinutes();
  const { startMinute: a, endMinute: b } = window;
  return a < b ? minute >= a && minute < b : minute >= a || minute < b;
}

/**
 * Rewrites the tables pending erasures touched (VACUUM FULL cannot run in a transaction: this runs on its own,
 * after the erasures committed). The rewrite holds an exclusive lock on the table for its duration, which grows
 * with the table (bench:privacy measures it at 1,000,000 messages): a table up to `nowMaxBytes` is rewritten at
 * once, a larger one only in the daily window, so the inbox is not stalled by day. Each erasure keeps the list
 * of its tables not rewritten yet; once that is empty it is marked scrubbed. Nothing is rewritten while a
 * transaction older than a pending erasure is open (it would keep the erased rows). Returns the tables rewritten.
 * The tables are the catalog's (validated against it): nothing else is ever named in the statement.
 */
export async function scrubErasedText(
  deps: { db: Db; schedule?: ScrubSchedule } & CatalogDeps,
  now = new Date(),
): Promise<string[]> {
  const { db } = deps;
  if (!(await tryAcquireLease(db, SCRUB_LEASE, SCRUB_LEASE_MS))) return [];
  try {
    const pending = await db
      .select({ id: erasedSubjects.id, tables: erasedSubjects.tables, xid: erasedSubjects.erasureXid })
      .from(erasedSubjects)
      .where(isNull(erasedSubjects.scrubbedAt));
    if (pending.length === 0) return [];
    if (await olderTransactionOpen(db, Math.max(...pending.map((p) => Number(p.xid))))) return [];
    const known = new Set(contactTables(catalogOf(deps)).map((t) => getTableName(t.table)));
    const tables = [...new Set(pending.flatMap((p) => p.tables))].filter((t) => known.has(t)).sort();
    const due = await dueNow(db, tables, deps.schedule, now);
    for (const table of due) await db.execute(sql`vacuum full ${sql.identifier(table)}`);
    for (const p of pending) {
      const left = p.tables.filter((t) => known.has(t) && !due.includes(t));
      await db
        .update(erasedSubjects)
        .set(left.length ? { tables: left } : { tables: [], scrubbedAt: new Date() })
        .where(eq(erasedSubjects.id, p.id));
    }
    return due;
  } finally {
    await releaseLease(db, SCRUB_LEASE);
  }
}

/**
 * Whether a transaction that began before the erasure `xid` committed is still open anywhere on the server (in
 * any database: PostgreSQL keeps row versions for the oldest snapshot of the cluster, a backup's pg_dump
 * included). A rewrite now would copy the erased rows along for it, so the scrub waits (the job runs again in a
 * minute). Transactions with an id show in the snapshot's xmin; read-only ones (a pg_dump) by their backend_xmin.
 */
async function olderTransactionOpen(db: Db, xid: number): Promise<boolean> {
  // Short transactions (a request in flight) end within moments: look again a few times before giving up.
  for (let attempt = 0; attempt < OLDER_TRANSACTION_CHECKS; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500));
    const [row] = rowsOf<{ open: boolean }>(
      await db.execute(sql`select txid_snapshot_xmin(txid_current_snapshot()) <= ${xid}::bigint
        or exists (select 1 from pg_stat_activity where pid <> pg_backend_pid() and backend_xmin is not null
          and age(backend_xmin) >= age((${xid}::bigint % 4294967296)::text::xid)) as open`),
    );
    if (row?.open !== true) return false;
  }
  return true;
}
const OLDER_TRANSACTION_CHECKS = 10;

/** The tables to rewrite now: all of them in the window (or with no schedule), else the small ones. */
async function dueNow(db: Db, tables: string[], schedule: ScrubSchedule | undefined, now: Date): Promise<string[]> {
  if (!schedule || inScrubWindow(schedule.window, now) || tables.length === 0) return tables;
  const sizes = rowsOf<{ name: string; bytes: string | number }>(
    await db.execute(sql`select t.name, pg_total_relation_size(t.name::regclass) as bytes
      from unnest(array[${sql.join(
        tables.map((t) => sql`${t}`),
        sql`, `,
      )}]::text[]) as t(name)`),
  );
  return sizes
    .filter((s) => Number(s.bytes) <= schedule.nowMaxBytes)
    .map((s) => s.name)
    .sort();
}

/** A scrub runner: one at a time, a request during a run starts one more run after it. */
export function createErasedSubjects(
  deps: { db: Db; keys: KeyProvider; path: string; schedule?: ScrubSchedule } & CatalogDeps,
  onError: (err: unknown) => void,
): ErasedSubjects & { scrub(): Promise<void> } {
  let running: Promise<void> | null = null;
  let again = false;
  const scrub = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await scrubErasedText(deps);
        } catch (err) {
          onError(err);
        }
      } while (again);
    })().finally(() => (running = null));
    return running;
  };
  return { keys: deps.keys, path: deps.path, scrub, scrubSoon: () => void scrub() };
}

export type ReplayResult = {
  /** Erased subjects known (the restored table and the file, together). */
  subjects: number;
  /** Subjects whose hash key this server lacks (their master key was retired): they cannot be matched. */
  unverifiable: number;
  /** Contacts found again and erased. */
  erased: string[];
  /** Contacts found again that could not be erased (a legal hold), with the reason. */
  failed: Array<{ contactId: string; reason: string }>;
};

/**
 * After a restore of an older backup: brings the file's subjects back into the table, then finds the contacts
 * whose id or identifiers match an erased subject and erases them again (through `erase`, i.e. eraseContact).
 */
export async function replayErasures(
  deps: { db: Db; erasedSubjects: Pick<ErasedSubjects, 'keys' | 'path'> },
  erase: (contactId: string) => Promise<unknown>,
): Promise<ReplayResult> {
  const { db } = deps;
  const { keys } = deps.erasedSubjects;
  for (const line of readSubjectLines(deps.erasedSubjects.path))
    await db
      .insert(erasedSubjects)
      .values({
        id: line.id,
        erasedAt: new Date(line.erasedAt),
        contactId: line.contactId,
        keyId: line.keyId,
        hashes: line.hashes,
        tables: [],
        scrubbedAt: new Date(),
      })
      .onConflictDoNothing();
  const subjects = await db
    .select({ contactId: erasedSubjects.contactId, keyId: erasedSubjects.keyId, hashes: erasedSubjects.hashes })
    .from(erasedSubjects);
  const erasedIds = new Set(subjects.map((s) => s.contactId));
  const byKey = new Map<string, { master: MasterKey; hashes: Set<string> }>();
  let unverifiable = 0;
  for (const s of subjects) {
    const master = keys.byId(s.keyId);
    if (!master) {
      unverifiable++;
      continue;
    }
    const entry = byKey.get(s.keyId) ?? { master, hashes: new Set<string>() };
    for (const h of s.hashes) entry.hashes.add(h);
    byKey.set(s.keyId, entry);
  }
  const matches: string[] = [];
  const stored = await db
    .select({
      id: contacts.id,
      sealedEmail: contacts.sealedEmail,
      sealedPhone: contacts.sealedPhone,
    })
    .from(contacts);
  // Sealed fields opened (contact-fields.ts); an erased person's stay shut (their key is gone), found by id instead.
  const all = await openContactFields(identityKeysOf(db).dataKeys, stored);
  for (const contact of all) {
    if (erasedIds.has(contact.id)) {
      matches.push(contact.id);
      continue;
    }
    // Addresses are stored sealed (a contact erased since has none that opens: its id matched above).
    const identities = await readableIdentities(db, eq(contactIdentities.contactId, contact.id));
    const ids = identifiersOf(contact, identities);
    const hit = [...byKey.values()].some(({ master, hashes }) => ids.some((i) => hashes.has(subjectHash(master, i))));
    if (hit) matches.push(contact.id);
  }
  const result: ReplayResult = { subjects: subjects.length, unverifiable, erased: [], failed: [] };
  for (const contactId of matches) {
    try {
      await erase(contactId);
      result.erased.push(contactId);
    } catch (err) {
      result.failed.push({ contactId, reason: (err as Error).message.slice(0, 200) });
    }
  }
  return result;
}
