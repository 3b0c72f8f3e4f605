import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { agents, contacts, processingRestrictions, privacyRequests } from '../../drizzle/schema/index.ts';
import {
  restrictionPurposes,
  type RestrictionKind,
  type RestrictionPurpose,
} from '../../drizzle/schema/restrictions.ts';
import type { RestrictionView } from '../http/views.ts';
import { appendAudit } from './audit.ts';
import { badRequest, conflict, notFound } from '../domain/errors.ts';

/**
 * Restriction of processing (Art. 18) and objection (Art. 21). The contact's data is kept (retention and erasure
 * apply as before) but left out of the purposes in force: a restriction covers all of restrictionPurposes, an
 * objection the ones named. Every place that processes for one of those purposes asks `excludedFrom` (or its SQL
 * twin `excludedSql`) first: the bot runner, the analytics scope, the follow-up mailer and the satisfaction survey.
 */

type Row = typeof processingRestrictions.$inferSelect;
const toView = (r: Row, setByName: string | null): RestrictionView => ({
  id: r.id,
  contactId: r.contactId,
  kind: r.kind,
  purposes: r.purposes,
  reason: r.reason,
  requestId: r.requestId,
  setBy: r.setByAgentId && setByName ? { id: r.setByAgentId, name: setByName } : null,
  setAt: r.setAt.toISOString(),
  liftedAt: r.liftedAt?.toISOString() ?? null,
});

/** The restrictions and objections in force on a contact, oldest first. */
export async function restrictionsOf(db: Db, contactId: string): Promise<RestrictionView[]> {
  const rows = await db
    .select({ r: processingRestrictions, name: agents.name })
    .from(processingRestrictions)
    .leftJoin(agents, eq(agents.id, processingRestrictions.setByAgentId))
    .where(and(eq(processingRestrictions.contactId, contactId), isNull(processingRestrictions.liftedAt)))
    .orderBy(processingRestrictions.setAt);
  return rows.map((r) => toView(r.r, r.name));
}

/** SQL: the contact (an SQL expression) is left out of `purpose` by a restriction or objection in force. */
export const excludedSql = (contactId: SQL, purpose: RestrictionPurpose) => sql`exists (
  select 1 from processing_restrictions pr
  where pr.contact_id = ${contactId} and pr.lifted_at is null and ${purpose}::text = any(pr.purposes))`;

/** Whether the contact is left out of `purpose` now. */
export async function excludedFrom(db: Db, contactId: string, purpose: RestrictionPurpose): Promise<boolean> {
  const [row] = await db
    .select({ id: processingRestrictions.id })
    .from(processingRestrictions)
    .where(
      and(
        eq(processingRestrictions.contactId, contactId),
        isNull(processingRestrictions.liftedAt),
        sql`${purpose}::text = any(${processingRestrictions.purposes})`,
      ),
    )
    .limit(1);
  return row !== undefined;
}

export type RestrictionInput = {
  kind: RestrictionKind;
  /** An objection's purposes; a restriction always covers all of them. */
  purposes?: RestrictionPurpose[];
  reason: string;
  /** The restriction or objection request this answers: it is closed as fulfilled in the same transaction. */
  requestId?: string;
};

// The analytics scope rechecks queued contacts at its next refresh (analytics/scope/refresh.ts).
const recheckAnalytics = (tx: Db, contactId: string) =>
  tx.execute(sql`insert into analytics_consent_queue (contact_id, due_at) values (${contactId}, now())`);

export async function placeRestriction(
  db: Db,
  contactId: string,
  input: RestrictionInput,
  actorId: string,
  now: () => Date = () => new Date(),
): Promise<RestrictionView> {
  const purposes = input.kind === 'restriction' ? [...restrictionPurposes] : [...new Set(input.purposes ?? [])].sort();
  if (purposes.length === 0) throw badRequest('no_purposes', 'An objection names at least one purpose');
  const reason = input.reason.trim();
  if (reason.length < 3) throw badRequest('reason_required', 'Give a reason of at least 3 characters');
  return db.transaction(async (tx) => {
    const [contact] = await tx.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, contactId));
    if (!contact) throw notFound('Contact');
    if (input.requestId) await closeAnsweredRequest(tx, input.requestId, contactId, input.kind, actorId, now());
    const [row] = await tx
      .insert(processingRestrictions)
      .values({
        contactId,
        kind: input.kind,
        purposes,
        reason,
        requestId: input.requestId ?? null,
        setByAgentId: actorId,
      })
      .returning();
    await recheckAnalytics(tx, contactId);
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId,
      action: input.kind === 'restriction' ? 'contact.restricted' : 'contact.objection_recorded',
      targetType: 'contact',
      targetId: contactId,
      details: { restrictionId: row!.id, purposes, ...(input.requestId ? { requestId: input.requestId } : {}) },
    });
    const [agent] = await tx.select({ name: agents.name }).from(agents).where(eq(agents.id, actorId));
    return toView(row!, agent?.name ?? null);
  });
}

/** A restriction/objection request of this contact, still open, is closed as fulfilled by what was placed. */
async function closeAnsweredRequest(
  tx: Db,
  requestId: string,
  contactId: string,
  kind: RestrictionKind,
  actorId: string,
  closedAt: Date,
) {
  const [request] = await tx.select().from(privacyRequests).where(eq(privacyRequests.id, requestId)).for('update');
  if (!request || request.contactId !== contactId) throw notFound('Privacy request');
  if (request.kind !== kind) throw badRequest('request_kind', `The request asks for ${request.kind}, not ${kind}`);
  if (request.closedAt) throw conflict('request_closed', 'This request is already closed');
  await tx
    .update(privacyRequests)
    .set({ outcome: { kind: 'fulfilled', produced: 'restriction' }, status: 'completed', closedAt })
    .where(eq(privacyRequests.id, requestId));
  await appendAudit(tx, {
    actorKind: 'agent',
    actorId,
    action: 'privacy_request.closed',
    targetType: 'privacy_request',
    targetId: requestId,
    details: { outcome: 'fulfilled', produced: 'restriction', contactId },
  });
}

export async function liftRestriction(db: Db, id: string, liftReason: string, actorId: string) {
  const reason = liftReason.trim();
  if (reason.length < 3) throw badRequest('reason_required', 'Give a reason of at least 3 characters');
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(processingRestrictions).where(eq(processingRestrictions.id, id));
    if (!current) throw notFound('Restriction');
    if (current.liftedAt) throw conflict('already_lifted', 'This restriction was already lifted');
    const [row] = await tx
      .update(processingRestrictions)
      .set({ liftedAt: new Date(), liftedByAgentId: actorId, liftReason: reason })
      .where(eq(processingRestrictions.id, id))
      .returning();
    await recheckAnalytics(tx, current.contactId);
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId,
      action: current.kind === 'restriction' ? 'contact.restriction_lifted' : 'contact.objection_lifted',
      targetType: 'contact',
      targetId: current.contactId,
      details: { restrictionId: id, purposes: current.purposes },
    });
    const [agent] = row!.setByAgentId
      ? await tx.select({ name: agents.name }).from(agents).where(eq(agents.id, row!.setByAgentId))
      : [];
    return toView(row!, agent?.name ?? null);
  });
}
