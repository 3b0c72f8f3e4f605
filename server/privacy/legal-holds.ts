import { and, asc, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { agents, contacts, conversations, legalHolds, messages, recordings } from '../../drizzle/schema/index.ts';
import type { LegalHoldView } from '../http/views.ts';
import { appendAudit } from './audit.ts';
import { columnOf, conversationOf, type PrivacyCatalog } from './subject.ts';
import { DomainError, badRequest, conflict, notFound } from '../domain/errors.ts';

type HoldRow = typeof legalHolds.$inferSelect;
const toView = (h: HoldRow, createdByName: string | null): LegalHoldView => ({
  id: h.id,
  contactId: h.contactId,
  conversationId: h.conversationId,
  reason: h.reason,
  createdBy: h.createdByAgentId && createdByName ? { id: h.createdByAgentId, name: createdByName } : null,
  createdAt: h.createdAt.toISOString(),
  releasedAt: h.releasedAt?.toISOString() ?? null,
});

const select = (db: Db) =>
  db
    .select({ h: legalHolds, name: agents.name })
    .from(legalHolds)
    .leftJoin(agents, eq(agents.id, legalHolds.createdByAgentId));

export async function listHolds(db: Db): Promise<LegalHoldView[]> {
  return (await select(db).orderBy(desc(legalHolds.createdAt))).map((r) => toView(r.h, r.name));
}

/** Active holds on a contact or any of its conversations. */
export async function activeHoldsOf(db: Db, contactId: string): Promise<LegalHoldView[]> {
  const rows = await select(db).where(
    and(
      isNull(legalHolds.releasedAt),
      or(
        eq(legalHolds.contactId, contactId),
        inArray(
          legalHolds.conversationId,
          db.select({ id: conversations.id }).from(conversations).where(eq(conversations.contactId, contactId)),
        ),
      ),
    ),
  );
  return rows.map((r) => toView(r.h, r.name));
}

/**
 * What a destructive operation is about to touch: a contact (and so all its conversations), a conversation,
 * a message or a recording (each through its conversation and that conversation's contact).
 */
export type HoldTarget = { contactId?: string; conversationId?: string; messageId?: string; recordingId?: string };

/** The operations a hold blocks, as the codes the inbox words them by (`params.action`). */
const HELD_ACTIONS: Record<string, string> = {
  Erasure: 'erasure',
  Redaction: 'redaction',
  'Deleting a recording': 'delete_recording',
  'Deleting a conversation': 'delete_conversation',
  'Merging these contacts': 'merge',
};

/** The one answer every operation blocked by a hold gives: 409 `legal_hold`, naming the holds' reasons. */
export class LegalHoldError extends DomainError {
  constructor(
    action: string,
    readonly holds: Array<{ id: string; reason: string }>,
  ) {
    const reasons = holds.map((h) => h.reason);
    super(409, 'legal_hold', `${action} is blocked by a legal hold: ${reasons.join('; ')}`, {
      action: HELD_ACTIONS[action] ?? 'other',
      reasons,
    });
  }
}

/**
 * The active holds that bind a target: holds on the contact it belongs to or on its conversation (for a
 * contact: on the contact or on any of its conversations). An unknown id is bound by nothing.
 */
export async function holdsBinding(db: Db, target: HoldTarget): Promise<Array<{ id: string; reason: string }>> {
  const { contactId, conversationId, messageId, recordingId } = target;
  const reached = [
    contactId ? eq(conversations.contactId, contactId) : undefined,
    conversationId ? eq(conversations.id, conversationId) : undefined,
    messageId
      ? inArray(
          conversations.id,
          db.select({ id: messages.conversationId }).from(messages).where(eq(messages.id, messageId)),
        )
      : undefined,
    recordingId
      ? inArray(
          conversations.id,
          db.select({ id: recordings.conversationId }).from(recordings).where(eq(recordings.id, recordingId)),
        )
      : undefined,
  ].filter((c): c is SQL => c !== undefined);
  if (!reached.length) throw new Error('holdsBinding: the target names nothing');
  const touched = or(...reached);
  return db
    .select({ id: legalHolds.id, reason: legalHolds.reason })
    .from(legalHolds)
    .where(
      and(
        isNull(legalHolds.releasedAt),
        or(
          contactId ? eq(legalHolds.contactId, contactId) : undefined,
          inArray(legalHolds.conversationId, db.select({ id: conversations.id }).from(conversations).where(touched)),
          inArray(legalHolds.contactId, db.select({ id: conversations.contactId }).from(conversations).where(touched)),
        ),
      ),
    )
    .orderBy(asc(legalHolds.createdAt));
}

/**
 * The same rule as SQL predicates, for the retention engine's set-based queries: a row whose conversation
 * (and that conversation's contact) are given as SQL expressions is held; a contact is held by a hold on
 * itself or on any of its conversations.
 */
export const held = (
  conversationId: SQL | typeof conversations.id,
  contactId: SQL | typeof conversations.contactId,
) => sql`exists (
  select 1 from ${legalHolds} h where h.released_at is null
    and (h.conversation_id = ${conversationId} or h.contact_id = ${contactId}))`;
export const contactHeld = (contactId: SQL | typeof contacts.id) => sql`exists (
  select 1 from ${legalHolds} h where h.released_at is null
    and (h.contact_id = ${contactId}
      or h.conversation_id in (select id from ${conversations} where contact_id = ${contactId})))`;

/** Whether the conversation a row hangs off (given as an SQL expression) is under a legal hold. */
export const conversationHeld = (conversationId: SQL) =>
  sql`exists (select 1 from ${conversations} c
    where c.id = ${conversationId} and ${held(sql`c.id`, sql`c.contact_id`)})`;

/**
 * Whether a row of the catalog table `key` is under a legal hold: through the conversation it hangs off, else
 * through its parent row or the contact it is about. Erasure asks it of the rows about other people in which
 * it would replace the erased person's identifiers.
 */
export function rowHeld(catalog: PrivacyCatalog, key: string): SQL {
  const entry = catalog[key];
  if (!entry || entry.reach.subject !== 'contact') return sql`false`;
  if (entry.table === conversations) return held(conversations.id, conversations.contactId);
  const conversation = conversationOf(catalog, key);
  if (conversation) return conversationHeld(conversation);
  const { reach } = entry;
  if (reach.via === 'self') return contactHeld(sql`${columnOf(catalog, key, 'id')}`);
  if (reach.via === 'column') return contactHeld(sql`${columnOf(catalog, key, reach.column)}`);
  return sql`exists (select 1 from ${catalog[reach.through]!.table}
    where ${columnOf(catalog, reach.through, 'id')} = ${columnOf(catalog, key, reach.column)}
      and ${rowHeld(catalog, reach.through)})`;
}

/**
 * The check every operation that destroys data makes before it changes anything (erasure, redaction,
 * deleting a recording by hand or by retention, and merges when they come): throws LegalHoldError while a
 * hold binds the target. Called from the operations themselves, not their routes, so no caller can skip it.
 * Pass the transaction the operation runs in when it has one.
 */
export async function assertNotHeld(db: Db, target: HoldTarget, action: string): Promise<void> {
  const holds = await holdsBinding(db, target);
  if (holds.length) throw new LegalHoldError(action, holds);
}

export async function placeHold(
  db: Db,
  input: { contactId?: string; conversationId?: string; reason: string },
  actorId: string,
) {
  if (Boolean(input.contactId) === Boolean(input.conversationId)) {
    throw badRequest('hold_target', 'A hold is on exactly one contact or one conversation');
  }
  if (
    input.contactId &&
    !(await db.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, input.contactId))).length
  )
    throw notFound('Contact');
  if (
    input.conversationId &&
    !(await db.select({ id: conversations.id }).from(conversations).where(eq(conversations.id, input.conversationId)))
      .length
  ) {
    throw notFound('Conversation');
  }
  return db.transaction(async (tx) => {
    const [hold] = await tx
      .insert(legalHolds)
      .values({
        contactId: input.contactId ?? null,
        conversationId: input.conversationId ?? null,
        reason: input.reason,
        createdByAgentId: actorId,
      })
      .returning();
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId,
      action: 'legal_hold.placed',
      targetType: input.contactId ? 'contact' : 'conversation',
      targetId: input.contactId ?? input.conversationId!,
      details: { holdId: hold!.id },
    });
    const [agent] = await tx.select({ name: agents.name }).from(agents).where(eq(agents.id, actorId));
    return toView(hold!, agent?.name ?? null);
  });
}

export async function releaseHold(db: Db, holdId: string, actorId: string) {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(legalHolds).where(eq(legalHolds.id, holdId));
    if (!current) throw notFound('Legal hold');
    if (current.releasedAt) throw conflict('already_released', 'This hold was already released');
    const [hold] = await tx
      .update(legalHolds)
      .set({ releasedAt: new Date() })
      .where(eq(legalHolds.id, holdId))
      .returning();
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId,
      action: 'legal_hold.released',
      targetType: 'legal_hold',
      targetId: holdId,
    });
    const [agent] = hold!.createdByAgentId
      ? await tx.select({ name: agents.name }).from(agents).where(eq(agents.id, hold!.createdByAgentId))
      : [];
    return toView(hold!, agent?.name ?? null);
  });
}
