import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { contacts } from '../../drizzle/schema/index.ts';
import type { ContactView } from '../http/views.ts';
import { getContact } from '../domain/contacts.ts';
import type { InboxIds } from '../domain/scope.ts';
import { notFound } from '../domain/errors.ts';
import { appendAudit } from './audit.ts';

export type ContactPatch = { name?: string | null; email?: string | null; phone?: string | null };

/** Rectification (Art. 16): the audit entry names the fields that changed, never their values. */
/** Answers the contact as `scope` (the agent's visible inboxes, server/domain/scope.ts) shows it. */
export async function rectifyContact(
  db: Db,
  id: string,
  patch: ContactPatch,
  actorId: string,
  scope: InboxIds = null,
): Promise<ContactView> {
  await db.transaction(async (tx) => {
    const [current] = await tx.select().from(contacts).where(eq(contacts.id, id)).for('update');
    if (!current) throw notFound('Contact');
    const changed = (Object.keys(patch) as Array<keyof ContactPatch>).filter(
      (k) => patch[k] !== undefined && patch[k] !== current[k],
    );
    if (!changed.length) return;
    await tx
      .update(contacts)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(contacts.id, id));
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId,
      action: 'contact.rectified',
      targetType: 'contact',
      targetId: id,
      details: { fields: changed },
    });
  });
  return getContact(db, id, scope);
}
