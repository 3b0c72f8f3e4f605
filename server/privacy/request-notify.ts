import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { contactIdentities, contacts, privacyRequests } from '../../drizzle/schema/index.ts';
import type { RequestOutcome } from '../../drizzle/schema/privacy-requests.ts';
import { appendAudit } from './audit.ts';
import { outcomeMail } from './request-texts.ts';
import type { CodeMailer } from './request-codes.ts';

/**
 * Where the outcome of a request goes: the address the person verified with, else the contact's email. Read
 * before the request is carried out (an erasure takes the address with it).
 */
export async function outcomeAddress(db: Db, requestId: string): Promise<string | null> {
  const [row] = await db
    .select({ verification: privacyRequests.verification, email: contacts.email })
    .from(privacyRequests)
    .leftJoin(contacts, eq(contacts.id, privacyRequests.contactId))
    .where(eq(privacyRequests.id, requestId));
  const identityId = row?.verification?.identityId;
  if (identityId) {
    const [identity] = await db
      .select({ address: contactIdentities.address })
      .from(contactIdentities)
      .where(and(eq(contactIdentities.id, identityId), eq(contactIdentities.kind, 'email')));
    if (identity) return identity.address;
  }
  return row?.email ?? null;
}

/** Tells the person the outcome in their language; the audit says whether it was sent, never where. */
export async function tellOutcome(
  deps: { db: Db; sendMail: CodeMailer },
  requestId: string,
  address: string | null,
  outcome: RequestOutcome,
): Promise<boolean> {
  const [request] = await deps.db
    .select({ kind: privacyRequests.kind, language: privacyRequests.language })
    .from(privacyRequests)
    .where(eq(privacyRequests.id, requestId));
  if (!request) return false;
  const mail = outcomeMail(request.language, request.kind, outcome);
  const sent = address ? await deps.sendMail({ to: address, ...mail }) : false;
  await deps.db.transaction((tx) =>
    appendAudit(tx, {
      actorKind: 'system',
      actorId: null,
      action: sent ? 'privacy_request.outcome_sent' : 'privacy_request.outcome_not_sent',
      targetType: 'privacy_request',
      targetId: requestId,
      details: { language: request.language, reason: sent ? undefined : address ? 'mail_failed' : 'no_address' },
    }),
  );
  return sent;
}
