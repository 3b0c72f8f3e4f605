import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { agents, contacts, privacyRequests } from '../../drizzle/schema/index.ts';
import type {
  PrivacyRequestKind,
  PrivacyRequestSource,
  RequestChannel,
  RequestOutcome,
  VerificationEvidence,
} from '../../drizzle/schema/privacy-requests.ts';
import type { PrivacyRequestView, RequestFigures, RequestList } from '../http/views/privacy-requests.ts';
import { appendAudit, type AuditEntry } from './audit.ts';
import { badRequest, conflict, notFound } from '../domain/errors.ts';

/** The request desk reads time only through `clock`, so deadline tests can move it (server/composition.ts). */
export type RequestDeskDeps = { db: Db; clock: () => Date };
type Actor = Pick<AuditEntry, 'actorKind' | 'actorId'>;

const DAY_MS = 86_400_000;
/** Art. 12(3): one month from receipt; extendable by two further months where necessary. */
export const ANSWER_MONTHS = 1;
export const EXTENSION_MONTHS = 2;

/** The same day of the month `months` later, or that month's last day (31 January + 1 month = 28/29 February). */
export function addMonths(from: Date, months: number): Date {
  const d = new Date(from);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

type Row = typeof privacyRequests.$inferSelect;
function toView(r: Row, assigneeName: string | null, now: Date): PrivacyRequestView {
  const open = r.closedAt === null;
  return {
    id: r.id,
    contactId: r.contactId,
    kind: r.kind,
    source: r.source,
    status: r.status,
    language: r.language,
    fields: r.fields,
    channel: r.channel,
    note: r.note,
    receivedAt: r.receivedAt.toISOString(),
    dueAt: r.dueAt.toISOString(),
    extendedAt: r.extendedAt?.toISOString() ?? null,
    extensionReason: r.extensionReason,
    assignee: r.assigneeId && assigneeName ? { id: r.assigneeId, name: assigneeName } : null,
    verification: r.verification,
    outcome: r.outcome,
    outcomeNotice: r.outcomeNotice,
    closedAt: r.closedAt?.toISOString() ?? null,
    overdue: open && r.dueAt.getTime() < now.getTime(),
    daysLeft: Math.floor((r.dueAt.getTime() - now.getTime()) / DAY_MS),
  };
}

const select = (db: Db) =>
  db
    .select({ r: privacyRequests, name: agents.name })
    .from(privacyRequests)
    .leftJoin(agents, eq(agents.id, privacyRequests.assigneeId));

export async function getRequest(deps: RequestDeskDeps, id: string): Promise<PrivacyRequestView> {
  const [row] = await select(deps.db).where(eq(privacyRequests.id, id));
  if (!row) throw notFound('Request');
  return toView(row.r, row.name, deps.clock());
}

export type NewRequest = {
  contactId: string;
  kind: PrivacyRequestKind;
  source: PrivacyRequestSource;
  language?: string;
  fields?: string[];
  verification: VerificationEvidence;
  loggedByAgentId?: string | null;
  /** When an agent logs a request received earlier (by phone, in a letter): the deadline runs from then. */
  receivedAt?: Date;
  channel?: RequestChannel;
  note?: string;
};

/** Files a request with its deadline; the audit entry names the kind, source and verification method. */
export async function fileRequest(deps: RequestDeskDeps, input: NewRequest, actor: Actor): Promise<PrivacyRequestView> {
  const now = deps.clock();
  const receivedAt = input.receivedAt ?? now;
  if (receivedAt.getTime() > now.getTime() + 60_000)
    throw badRequest('received_in_future', 'The request cannot have been received in the future');
  const note = input.note?.trim() || null;
  if (note && note.length > 500) throw badRequest('note_too_long', 'The note is limited to 500 characters');
  const id = await deps.db.transaction(async (tx) => {
    const [contact] = await tx.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, input.contactId));
    if (!contact) throw notFound('Contact');
    const [row] = await tx
      .insert(privacyRequests)
      .values({
        contactId: input.contactId,
        kind: input.kind,
        source: input.source,
        language: input.language ?? 'en',
        fields: input.fields ?? [],
        receivedAt,
        dueAt: addMonths(receivedAt, ANSWER_MONTHS),
        verification: input.verification,
        loggedByAgentId: input.loggedByAgentId ?? null,
        channel: input.channel ?? null,
        note,
      })
      .returning({ id: privacyRequests.id });
    await appendAudit(tx, {
      ...actor,
      action: 'privacy_request.received',
      targetType: 'privacy_request',
      targetId: row!.id,
      details: {
        contactId: input.contactId,
        kind: input.kind,
        source: input.source,
        verification: input.verification.method,
        fields: input.fields ?? [],
        ...(input.channel ? { channel: input.channel } : {}),
      },
    });
    return row!.id;
  });
  return getRequest(deps, id);
}

/** Open ones first, the most overdue on top; then the closed ones, newest first. With the desk's figures. */
export async function listRequests(deps: RequestDeskDeps, limit = 200): Promise<RequestList> {
  const now = deps.clock();
  const rows = await select(deps.db)
    .orderBy(sql`${privacyRequests.closedAt} is not null`, asc(privacyRequests.dueAt), desc(privacyRequests.closedAt))
    .limit(limit);
  return { items: rows.map((r) => toView(r.r, r.name, now)), figures: await requestFigures(deps) };
}

export async function requestFigures(deps: RequestDeskDeps): Promise<RequestFigures> {
  const now = deps.clock();
  const open = sql`${privacyRequests.closedAt} is null`;
  const late = sql`${privacyRequests.dueAt} < ${now.toISOString()}::timestamptz`;
  const seconds = sql`extract(epoch from ${privacyRequests.closedAt} - ${privacyRequests.receivedAt})`;
  const [counts] = await deps.db
    .select({
      open: sql<number>`count(*) filter (where ${open})`.mapWith(Number),
      overdue: sql<number>`count(*) filter (where ${open} and ${late})`.mapWith(Number),
      // Closed ones only: percentile_cont skips the nulls of open requests.
      median: sql<number | null>`percentile_cont(0.5) within group (order by ${seconds})`.mapWith((v) =>
        v === null ? null : Number(v),
      ),
    })
    .from(privacyRequests);
  const median = counts?.median ?? null;
  return {
    open: counts?.open ?? 0,
    overdue: counts?.overdue ?? 0,
    medianDaysToClose: median === null ? null : Math.round((median / 86_400) * 10) / 10,
  };
}

async function openRow(tx: Db, id: string): Promise<Row> {
  const [row] = await tx.select().from(privacyRequests).where(eq(privacyRequests.id, id)).for('update');
  if (!row) throw notFound('Request');
  if (row.closedAt) throw conflict('request_closed', 'The request is already closed');
  return row;
}

export async function assignRequest(
  deps: RequestDeskDeps,
  id: string,
  assigneeId: string | null,
  actor: Actor,
): Promise<PrivacyRequestView> {
  await deps.db.transaction(async (tx) => {
    const row = await openRow(tx, id);
    if (assigneeId) {
      const [agent] = await tx.select({ id: agents.id }).from(agents).where(eq(agents.id, assigneeId));
      if (!agent) throw notFound('Agent');
    }
    await tx
      .update(privacyRequests)
      .set({ assigneeId, status: assigneeId && row.status === 'received' ? 'in_progress' : row.status })
      .where(eq(privacyRequests.id, id));
    await appendAudit(tx, {
      ...actor,
      action: 'privacy_request.assigned',
      targetType: 'privacy_request',
      targetId: id,
      details: { assigneeId },
    });
  });
  return getRequest(deps, id);
}

/** Art. 12(3): once, by two months, with the reason recorded (the person must be told it within the first month). */
export async function extendRequest(
  deps: RequestDeskDeps,
  id: string,
  reason: string,
  actor: Actor,
): Promise<PrivacyRequestView> {
  const now = deps.clock();
  await deps.db.transaction(async (tx) => {
    const row = await openRow(tx, id);
    if (row.extendedAt) throw conflict('already_extended', 'The deadline can be extended only once');
    if (row.dueAt.getTime() < now.getTime())
      throw conflict('deadline_passed', 'The deadline has passed: an extension must be decided before it');
    await tx
      .update(privacyRequests)
      .set({
        extendedAt: now,
        extensionReason: reason.trim(),
        dueAt: addMonths(row.receivedAt, ANSWER_MONTHS + EXTENSION_MONTHS),
      })
      .where(eq(privacyRequests.id, id));
    await appendAudit(tx, {
      ...actor,
      action: 'privacy_request.extended',
      targetType: 'privacy_request',
      targetId: id,
      details: { months: EXTENSION_MONTHS },
    });
  });
  return getRequest(deps, id);
}

/** Closes the request with what it produced or why it was refused. */
export async function closeRequest(
  deps: RequestDeskDeps,
  id: string,
  outcome: RequestOutcome,
  actor: Actor,
  tx: Db = deps.db,
): Promise<void> {
  if (outcome.kind === 'refused' && outcome.note && outcome.note.length > 500)
    throw badRequest('note_too_long', 'The note is limited to 500 characters');
  const work = async (t: Db) => {
    await openRow(t, id);
    await t
      .update(privacyRequests)
      .set({ outcome, status: outcome.kind === 'refused' ? 'refused' : 'completed', closedAt: deps.clock() })
      .where(eq(privacyRequests.id, id));
    await appendAudit(t, {
      ...actor,
      action: 'privacy_request.closed',
      targetType: 'privacy_request',
      targetId: id,
      details:
        outcome.kind === 'refused'
          ? { outcome: 'refused', basis: outcome.basis }
          : { outcome: 'fulfilled', produced: outcome.produced },
    });
  };
  if (tx === deps.db) await deps.db.transaction(work);
  else await work(tx);
}

/** The open requests of a contact (the contact panel shows them). */
export async function openRequestsOf(deps: RequestDeskDeps, contactId: string): Promise<PrivacyRequestView[]> {
  const now = deps.clock();
  const rows = await select(deps.db)
    .where(and(eq(privacyRequests.contactId, contactId), isNull(privacyRequests.closedAt)))
    .orderBy(asc(privacyRequests.dueAt));
  return rows.map((r) => toView(r.r, r.name, now));
}
