import { and, eq } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import { smsOptOuts } from '../../drizzle/schema/index.ts';
import { appendAudit } from '../../server/domain/audit.ts';

export async function isOptedOut(db: Db, twilioNumber: string, phone: string): Promise<boolean> {
  const [row] = await db
    .select({ id: smsOptOuts.id })
    .from(smsOptOuts)
    .where(and(eq(smsOptOuts.twilioNumber, twilioNumber), eq(smsOptOuts.phone, phone)));
  return row !== undefined;
}

/** STOP: from now on nothing goes to this person from this number. Audited (ids only). */
export async function optOut(db: Db, input: { twilioNumber: string; phone: string; contactId: string; keyword: string }) {
  await db.transaction(async (tx) => {
    const inserted = await tx.insert(smsOptOuts).values(input).onConflictDoNothing().returning({ id: smsOptOuts.id });
    if (inserted.length) {
      await appendAudit(tx, { actorKind: 'system', actorId: null, action: 'sms.opted_out', targetType: 'contact', targetId: input.contactId, details: { keyword: input.keyword } });
    }
  });
}

/** START: the person may be texted again. */
export async function optIn(db: Db, input: { twilioNumber: string; phone: string; contactId: string; keyword: string }) {
  await db.transaction(async (tx) => {
    const removed = await tx
      .delete(smsOptOuts)
      .where(and(eq(smsOptOuts.twilioNumber, input.twilioNumber), eq(smsOptOuts.phone, input.phone)))
      .returning({ id: smsOptOuts.id });
    if (removed.length) {
      await appendAudit(tx, { actorKind: 'system', actorId: null, action: 'sms.opted_in', targetType: 'contact', targetId: input.contactId, details: { keyword: input.keyword } });
    }
  });
}
