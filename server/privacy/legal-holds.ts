import { and, desc, eq, inArray, isNull, or } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { agents, contacts, conversations, legalHolds } from '../../drizzle/schema/index.ts';
import type { LegalHoldView } from '../http/views.ts';
import { appendAudit } from './audit.ts';
import { badRequest, conflict, notFound } from '../domain/errors.ts';

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
