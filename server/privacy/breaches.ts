import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { agents, breaches } from '../../drizzle/schema/index.ts';
import type { BreachFields, BreachPatch, BreachView } from '../http/views/breaches.ts';
import { appendAudit, type AuditEntry } from './audit.ts';
import { badRequest, notFound } from '../domain/errors.ts';

/** The register reads time only through `clock`, so a test can move it past the 72 hours (server/composition.ts). */
export type BreachDeps = { db: Db; clock: () => Date };
type Actor = Pick<AuditEntry, 'actorKind' | 'actorId'>;

/** Art. 33(1): the authority is told without undue delay and, where feasible, within 72 hours of awareness. */
export const AUTHORITY_HOURS = 72;
const HOUR_MS = 3_600_000;

type Row = typeof breaches.$inferSelect;
const iso = (d: Date | null) => d?.toISOString() ?? null;

export function authorityClock(discoveredAt: Date, notifiedAt: Date | null, now: Date): BreachView['authorityClock'] {
  const due = new Date(discoveredAt.getTime() + AUTHORITY_HOURS * HOUR_MS);
  const left = due.getTime() - now.getTime();
  return {
    dueAt: due.toISOString(),
    msLeft: notifiedAt ? null : left,
    // Late notification stays a fact of the register: it needs the reasons for the delay (Art. 33(1)).
    overdue: notifiedAt ? notifiedAt.getTime() > due.getTime() : left < 0,
    asOf: now.toISOString(),
  };
}

function toView(r: Row, recordedBy: string | null, now: Date): BreachView {
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    discoveredAt: r.discoveredAt.toISOString(),
    occurredFrom: iso(r.occurredFrom),
    occurredTo: iso(r.occurredTo),
    dataCategories: r.dataCategories,
    subjectCategories: r.subjectCategories,
    approxSubjects: r.approxSubjects,
    approxRecords: r.approxRecords,
    consequences: r.consequences,
    measures: r.measures,
    authorityNotifiedAt: iso(r.authorityNotifiedAt),
    authorityNote: r.authorityNote,
    peopleNotifiedAt: iso(r.peopleNotifiedAt),
    peopleNote: r.peopleNote,
    recordedBy: r.recordedByAgentId && recordedBy ? { id: r.recordedByAgentId, name: recordedBy } : null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    authorityClock: authorityClock(r.discoveredAt, r.authorityNotifiedAt, now),
  };
}

const select = (db: Db) =>
  db
    .select({ b: breaches, name: agents.name })
    .from(breaches)
    .leftJoin(agents, eq(agents.id, breaches.recordedByAgentId));

export async function getBreach(deps: BreachDeps, id: string): Promise<BreachView> {
  const [row] = await select(deps.db).where(eq(breaches.id, id));
  if (!row) throw notFound('Breach');
  return toView(row.b, row.name, deps.clock());
}

/** Newest discovery first. */
export async function listBreaches(deps: BreachDeps): Promise<BreachView[]> {
  const now = deps.clock();
  const rows = await select(deps.db).orderBy(desc(breaches.discoveredAt), desc(breaches.createdAt));
  return rows.map((r) => toView(r.b, r.name, now));
}

const date = (v: string | null | undefined) => (v === undefined ? undefined : v === null ? null : new Date(v));

/** The columns a create or a patch sets, with the times parsed; undefined leaves a column as it is. */
function columnsOf(f: BreachPatch) {
  return {
    title: f.title?.trim(),
    description: f.description?.trim(),
    discoveredAt: f.discoveredAt === undefined ? undefined : new Date(f.discoveredAt),
    occurredFrom: date(f.occurredFrom),
    occurredTo: date(f.occurredTo),
    dataCategories: f.dataCategories?.map((c) => c.trim()),
    subjectCategories: f.subjectCategories?.map((c) => c.trim()),
    approxSubjects: f.approxSubjects,
    approxRecords: f.approxRecords,
    consequences: f.consequences?.trim(),
    measures: f.measures?.trim(),
    authorityNotifiedAt: date(f.authorityNotifiedAt),
    authorityNote: f.authorityNote === undefined ? undefined : f.authorityNote?.trim() || null,
    peopleNotifiedAt: date(f.peopleNotifiedAt),
    peopleNote: f.peopleNote === undefined ? undefined : f.peopleNote?.trim() || null,
  };
}

/** The times must tell a possible story: a breach is known after it starts, and told after it is known. */
function checkTimes(
  row: Pick<Row, 'discoveredAt' | 'occurredFrom' | 'occurredTo' | 'authorityNotifiedAt' | 'peopleNotifiedAt'>,
  now: Date,
) {
  const { discoveredAt, occurredFrom, occurredTo } = row;
  if (discoveredAt.getTime() > now.getTime())
    throw badRequest('discovered_in_future', 'The discovery time cannot be in the future');
  if (occurredFrom && occurredTo && occurredTo < occurredFrom)
    throw badRequest('bad_period', 'The breach cannot end before it started');
  if (occurredFrom && occurredFrom > discoveredAt)
    throw badRequest('bad_period', 'The breach cannot have started after it was discovered');
  for (const [name, at] of [
    ['authority', row.authorityNotifiedAt],
    ['people', row.peopleNotifiedAt],
  ] as const)
    if (at && at < discoveredAt)
      throw badRequest('bad_notification_time', `The ${name} cannot have been notified before the discovery`);
}

/** Records a breach; the audit entry names the categories and counts, never staff text. */
export async function recordBreach(
  deps: BreachDeps,
  input: BreachFields,
  agentId: string | null,
  actor: Actor,
): Promise<BreachView> {
  const now = deps.clock();
  const values = {
    ...columnsOf(input),
    recordedByAgentId: agentId,
    createdAt: now,
    updatedAt: now,
  } as typeof breaches.$inferInsert;
  checkTimes(values as Row, now);
  const id = await deps.db.transaction(async (tx) => {
    const [row] = await tx.insert(breaches).values(values).returning({ id: breaches.id });
    await appendAudit(tx, {
      ...actor,
      action: 'breach.recorded',
      targetType: 'breach',
      targetId: row!.id,
      details: {
        dataCategories: input.dataCategories,
        approxSubjects: input.approxSubjects,
        authorityNotified: input.authorityNotifiedAt !== null,
        peopleNotified: input.peopleNotifiedAt !== null,
      },
    });
    return row!.id;
  });
  return getBreach(deps, id);
}

/** Changes some facts (a notification made, a count known); the audit entry lists the fields changed. */
export async function updateBreach(
  deps: BreachDeps,
  id: string,
  patch: BreachPatch,
  actor: Actor,
): Promise<BreachView> {
  const now = deps.clock();
  await deps.db.transaction(async (tx) => {
    const [current] = await tx.select().from(breaches).where(eq(breaches.id, id)).for('update');
    if (!current) throw notFound('Breach');
    const changes = Object.fromEntries(Object.entries(columnsOf(patch)).filter(([, v]) => v !== undefined));
    checkTimes({ ...current, ...changes } as Row, now);
    await tx
      .update(breaches)
      .set({ ...changes, updatedAt: now })
      .where(eq(breaches.id, id));
    await appendAudit(tx, {
      ...actor,
      action: 'breach.updated',
      targetType: 'breach',
      targetId: id,
      details: { fields: Object.keys(changes).sort() },
    });
  });
  return getBreach(deps, id);
}
