import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { contacts, conversations } from '../../drizzle/schema/index.ts';
import type { ContactView } from '../http/views.ts';
import type { DomainEventBus } from '../domain/events.ts';
import { getContact, normalizePhone } from '../domain/contacts.ts';
import type { InboxIds } from '../domain/scope.ts';
import { notFound } from '../domain/errors.ts';
import { appendAudit, type AuditEntry } from './audit.ts';
import { openContact, sealFields } from '../domain/contact-fields.ts';
import { identityKeysOf } from '../domain/identity-address.ts';

export type ContactPatch = { name?: string | null; email?: string | null; phone?: string | null };

/** What rectification needs: the database, and the bus that carries the change to every agent's screen. */
export type RectifyDeps = { db: Db; events: Pick<DomainEventBus, 'publish'> };

/**
 * Rectification (Art. 16): the audit entry names the fields that changed, never their values. After commit,
 * `contact.rectified` tells every agent who sees one of the contact's conversations (server/realtime/audience.ts).
 * Answers the contact as `scope` (the agent's visible inboxes, server/domain/scope.ts) shows it.
 */
export async function rectifyContact(
  deps: RectifyDeps,
  id: string,
  patch: ContactPatch,
  /** An agent's id, or who else corrects it (the person themselves through self-service). */
  actor: string | Pick<AuditEntry, 'actorKind' | 'actorId'>,
  scope: InboxIds = null,
): Promise<ContactView> {
  const { db } = deps;
  // Phone numbers are validated and stored in E.164 (an empty value clears the field).
  if (typeof patch.phone === 'string')
    patch = { ...patch, phone: patch.phone.trim() ? normalizePhone(patch.phone) : null };
  const rectified = await db.transaction(async (tx) => {
    const [stored] = await tx.select().from(contacts).where(eq(contacts.id, id)).for('update');
    if (!stored) throw notFound('Contact');
    const keys = identityKeysOf(db);
    const current = await openContact(keys.dataKeys, stored);
    const changed = (['name', 'email', 'phone'] as const).filter(
      (k) => patch[k] !== undefined && patch[k] !== current[k],
    );
    if (!changed.length) return null;
    const fields = Object.fromEntries(changed.map((k) => [k, patch[k]]));
    // The new values sealed (contact-fields.ts).
    await tx
      .update(contacts)
      .set({ ...(await sealFields(keys, id, fields)), updatedAt: new Date() })
      .where(eq(contacts.id, id));
    const updated = { id, name: current.name, email: current.email, phone: current.phone, ...fields };
    await appendAudit(tx, {
      ...(typeof actor === 'string' ? { actorKind: 'agent' as const, actorId: actor } : actor),
      action: 'contact.rectified',
      targetType: 'contact',
      targetId: id,
      details: { fields: changed },
    });
    const inboxes = await tx
      .selectDistinct({ inboxId: conversations.inboxId })
      .from(conversations)
      .where(eq(conversations.contactId, id));
    return { contact: updated, inboxIds: inboxes.map((i) => i.inboxId) };
  });
  if (rectified) deps.events.publish('contact.rectified', rectified);
  return getContact(db, id, scope);
}
