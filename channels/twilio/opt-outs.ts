import { and, eq } from 'drizzle-orm';
import type { Db } from '../../server/channel-port.ts';
import { messages, smsOptOuts } from '../../drizzle/schema/index.ts';
import { appendAudit } from '../../server/channel-port.ts';

export async function isOptedOut(db: Db, twilioNumber: string, phone: string): Promise<boolean> {
  const [row] = await db
    .select({ id: smsOptOuts.id })
    .from(smsOptOuts)
    .where(and(eq(smsOptOuts.twilioNumber, twilioNumber), eq(smsOptOuts.phone, phone)));
  return row !== undefined;
}

/** Whether this number texted STOP to any of our numbers (and not START since): unasked-for texts stay unsent. */
export async function isOptedOutAnywhere(db: Db, phone: string): Promise<boolean> {
  const [row] = await db.select({ id: smsOptOuts.id }).from(smsOptOuts).where(eq(smsOptOuts.phone, phone)).limit(1);
  return row !== undefined;
}

type OptInput = { twilioNumber: string; phone: string; contactId: string; keyword: string; conversationId: string };

/** A marker in the conversation's timeline, so agents see why replies are refused (or allowed again). */
async function markTimeline(tx: Db, conversationId: string, body: string) {
  const [event] = await tx
    .insert(messages)
    .values({
      conversationId,
      channel: 'sms',
      direction: 'internal',
      kind: 'event',
      authorKind: 'system',
      body,
      deliveryState: 'stored',
    })
    .returning({ id: messages.id });
  return event!.id;
}

/**
 * STOP: from now on nothing goes to this person from this number. Audited (ids only). Returns the timeline
 * marker's id when it changed anything.
 */
export async function optOut(db: Db, input: OptInput): Promise<string | null> {
  return db.transaction(async (tx) => {
    const { conversationId: _conversation, ...row } = input;
    const inserted = await tx.insert(smsOptOuts).values(row).onConflictDoNothing().returning({ id: smsOptOuts.id });
    if (!inserted.length) return null;
    await appendAudit(tx, {
      actorKind: 'system',
      actorId: null,
      action: 'sms.opted_out',
      targetType: 'contact',
      targetId: input.contactId,
      details: { keyword: input.keyword },
    });
    return markTimeline(
      tx,
      input.conversationId,
      `The customer texted ${input.keyword}: nothing will be sent to this number until they text START`,
    );
  });
}

/** START: the person may be texted again. */
export async function optIn(db: Db, input: OptInput): Promise<string | null> {
  return db.transaction(async (tx) => {
    const removed = await tx
      .delete(smsOptOuts)
      .where(and(eq(smsOptOuts.twilioNumber, input.twilioNumber), eq(smsOptOuts.phone, input.phone)))
      .returning({ id: smsOptOuts.id });
    if (!removed.length) return null;
    await appendAudit(tx, {
      actorKind: 'system',
      actorId: null,
      action: 'sms.opted_in',
      targetType: 'contact',
      targetId: input.contactId,
      details: { keyword: input.keyword },
    });
    return markTimeline(
      tx,
      input.conversationId,
      `The customer texted ${input.keyword}: replies by SMS are allowed again`,
    );
  });
}
