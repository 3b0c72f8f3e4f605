import { openContact } from '../domain/contact-fields.ts';
import { identityKeysOf } from '../domain/identity-address.ts';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { contactIdentities, contacts, privacyRequests } from '../../drizzle/schema/index.ts';
import { readableIdentities } from '../domain/identity-address.ts';
import type {
  NotToldReason,
  OutcomeChannel,
  OutcomeNotice,
  RequestChannel,
  RequestOutcome,
} from '../../drizzle/schema/privacy-requests.ts';
import { appendAudit } from './audit.ts';
import { outcomeMail, outcomeShort, type OutcomeTextOptions } from './request-texts.ts';
import type { CodeMailer } from './request-codes.ts';
import type { CustomerSlack, CustomerTexter } from './customer-mail.ts';
import { canTakeText } from './request-identity.ts';

/**
 * Telling a person the outcome of their request (issue 21: "the customer is told the outcome in their language"),
 * on the channel they verified with: by mail to the address the code went to, by SMS to the number, or as a Slack
 * direct message to the member. A request without such an identity (the widget's privacy panel, an agent logging
 * it) goes to what is on file: first the kind of identity the request came by, then an email address, a number
 * that takes text messages, a Slack account. A number that texted STOP is not texted: the person is then not told,
 * and the desk shows why. The copy's download link never goes by SMS or Slack (the page shows it once, the mail
 * goes only to a verified address).
 */
export type OutcomeRecipient =
  | { via: OutcomeChannel; to: string }
  | { via: OutcomeChannel | null; reason: Extract<NotToldReason, 'no_address' | 'opted_out'> };

export type OutcomeSenders = {
  db: Db;
  clock: () => Date;
  sendMail: CodeMailer;
  sms: CustomerTexter;
  slack: CustomerSlack;
  /** The transparency page's base URL: a refusal by SMS or Slack links to "your rights". */
  publicUrl: string;
};

type Found = { via: OutcomeChannel; to: string };
/** How an identity on file is reached; a visitor (widget) identity has no address to write to. */
function reachOf(kind: string, address: string): Found | null {
  switch (kind) {
    case 'email':
      return { via: 'email', to: address };
    case 'phone':
      return canTakeText(address) ? { via: 'sms', to: address } : null;
    case 'slack': {
      // Slack identities are "<workspace>:<member id>"; the app writes to the member.
      const member = address.split(':').pop();
      return member ? { via: 'slack', to: member } : null;
    }
    default:
      return null;
  }
}

/** Which kind of identity to try first for a request an agent logged, from how it reached them. */
const PREFERRED: Partial<Record<RequestChannel, OutcomeChannel>> = { email: 'email', phone: 'sms' };
const ORDER: readonly OutcomeChannel[] = ['email', 'sms', 'slack'];

/**
 * Where the outcome goes, or why it cannot go anywhere. Read before the request is carried out: an erasure takes
 * the identities and the STOP list's rows with it.
 */
export async function outcomeRecipient(
  deps: Pick<OutcomeSenders, 'db' | 'sms'>,
  requestId: string,
): Promise<OutcomeRecipient> {
  const [row] = await deps.db
    .select({
      verification: privacyRequests.verification,
      channel: privacyRequests.channel,
      contactId: privacyRequests.contactId,
      sealedEmail: contacts.sealedEmail,
    })
    .from(privacyRequests)
    .leftJoin(contacts, eq(contacts.id, privacyRequests.contactId))
    .where(eq(privacyRequests.id, requestId));
  if (!row) return { via: null, reason: 'no_address' };
  let found: Found | null = null;
  const verifiedWith = row.verification?.identityId;
  if (verifiedWith) {
    const [identity] = await readableIdentities(deps.db, eq(contactIdentities.id, verifiedWith));
    if (identity) found = reachOf(identity.kind, identity.address);
  }
  if (!found && row.contactId) {
    // Addresses are stored sealed: those whose key is gone reach no one.
    const onFile = (await readableIdentities(deps.db, eq(contactIdentities.contactId, row.contactId)))
      .map((i) => reachOf(i.kind, i.address))
      .filter((r): r is Found => r !== null);
    // The contact's own email, sealed (contact-fields.ts).
    const { email } = await openContact(identityKeysOf(deps.db).dataKeys, { id: row.contactId, ...row });
    if (email && !onFile.some((r) => r.via === 'email')) onFile.push({ via: 'email', to: email });
    const preferred = row.channel ? PREFERRED[row.channel] : undefined;
    const order = preferred ? [preferred, ...ORDER.filter((c) => c !== preferred)] : ORDER;
    found = order.map((via) => onFile.find((r) => r.via === via)).find((r) => r !== undefined) ?? null;
  }
  if (!found) return { via: null, reason: 'no_address' };
  if (found.via === 'sms' && (await deps.sms.optedOut(found.to))) return { via: 'sms', reason: 'opted_out' };
  return found;
}

/**
 * Tells the person the outcome in their language on the recipient's channel, and records on the request whether
 * they were told and how (the desk shows it). The audit entry says the channel or the reason, never where.
 */
export async function tellOutcome(
  deps: OutcomeSenders,
  requestId: string,
  recipient: OutcomeRecipient,
  outcome: RequestOutcome,
): Promise<OutcomeNotice | null> {
  const [request] = await deps.db
    .select({ kind: privacyRequests.kind, language: privacyRequests.language })
    .from(privacyRequests)
    .where(eq(privacyRequests.id, requestId));
  if (!request) return null;
  const at = deps.clock().toISOString();
  let notice: OutcomeNotice;
  if ('reason' in recipient) {
    notice = { told: false, via: recipient.via, reason: recipient.reason, at };
  } else {
    const options: OutcomeTextOptions = { rightsUrl: `${deps.publicUrl.replace(/\/$/, '')}/privacy` };
    const { via, to } = recipient;
    let sent: boolean | 'unavailable';
    switch (via) {
      case 'email':
        sent = await deps.sendMail({ to, ...outcomeMail(request.language, request.kind, outcome) });
        break;
      case 'sms':
        sent = (await deps.sms.available())
          ? await deps.sms.send(to, outcomeShort('sms', request.language, request.kind, outcome, options))
          : 'unavailable';
        break;
      case 'slack':
        sent = deps.slack.available()
          ? await deps.slack.send(to, outcomeShort('slack', request.language, request.kind, outcome, options))
          : 'unavailable';
        break;
    }
    notice =
      sent === true
        ? { told: true, via, at }
        : { told: false, via, reason: sent === 'unavailable' ? 'channel_unavailable' : 'not_sent', at };
  }
  await deps.db.transaction(async (tx) => {
    await tx.update(privacyRequests).set({ outcomeNotice: notice }).where(eq(privacyRequests.id, requestId));
    await appendAudit(tx, {
      actorKind: 'system',
      actorId: null,
      action: notice.told ? 'privacy_request.outcome_sent' : 'privacy_request.outcome_not_sent',
      targetType: 'privacy_request',
      targetId: requestId,
      details: {
        language: request.language,
        via: notice.via ?? undefined,
        reason: notice.told ? undefined : notice.reason,
      },
    });
  });
  return notice;
}
