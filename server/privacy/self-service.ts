import { and, count, eq, gt } from 'drizzle-orm';
import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Readable } from 'node:stream';
import { contacts, privacyDownloadLinks, privacyPendingChanges } from '../../drizzle/schema/index.ts';
import type { PrivacyRequestSource, VerificationEvidence } from '../../drizzle/schema/privacy-requests.ts';
import { serverTranslator } from '../../web/i18n/server-catalog.ts';
import { randomToken, sha256 } from '../security/tokens.ts';
import { DomainError, badRequest, conflict, notFound } from '../domain/errors.ts';
import { normalizePhone } from '../domain/contacts.ts';
import { appendAudit, type AuditEntry } from './audit.ts';
import { closeRequest, fileRequest, type RequestDeskDeps } from './request-desk.ts';
import { exportContact, type ExportDeps } from './export.ts';
import { rectifyContact, type RectifyDeps } from './rectify.ts';
import { CODES_PER_HOUR, type CodeMailer } from './request-codes.ts';
import type { CustomerTexter } from './customer-mail.ts';
import type { RequestLanguage } from './request-texts.ts';

/**
 * Self-service rights (issue 21, item 2) for a person already verified (a widget visitor token, or a one-time
 * code on the request page): a copy delivered as an expiring link, corrections of name, email and phone (a new
 * address or number is confirmed by a code sent to it before anything changes), and an erasure request an admin
 * decides. Each one is a tracked request on the desk.
 */
export const LINK_DAYS = 7;
export const CHANGE_CODE_MINUTES = 15;
export const CHANGE_MAX_ATTEMPTS = 5;
const DAY_MS = 86_400_000;

export type SelfServiceDeps = RequestDeskDeps &
  ExportDeps &
  RectifyDeps & {
    publicUrl: string;
    sendMail: CodeMailer;
    /** Text messages from the SMS inbox's number; a new phone number cannot be confirmed without one. */
    sms?: CustomerTexter;
  };

/** Who asks, and how we know it is them. */
export type Requester = {
  contactId: string;
  source: Exclude<PrivacyRequestSource, 'agent'>;
  language: RequestLanguage;
  verification: VerificationEvidence;
};

const actorOf = (who: Requester): Pick<AuditEntry, 'actorKind' | 'actorId'> => ({
  actorKind: 'visitor',
  actorId: who.contactId,
});
const codeHash = (id: string, code: string) => sha256(`change:${id}:${code}`);
const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export const downloadPath = (token: string) => `/api/public/privacy-requests/download/${token}`;

/** Files an access request and answers it at once with a link valid LINK_DAYS days (mailed to `mailTo` too). */
export async function deliverCopy(
  deps: SelfServiceDeps,
  who: Requester,
  mailTo: string | null,
): Promise<{ requestId: string; url: string; expiresAt: string; mailed: boolean }> {
  const filed = await fileRequest(deps, { ...who, kind: 'access' }, actorOf(who));
  const token = randomToken();
  const now = deps.clock();
  const expiresAt = new Date(now.getTime() + LINK_DAYS * DAY_MS);
  await deps.db.transaction(async (tx) => {
    const [link] = await tx
      .insert(privacyDownloadLinks)
      .values({ contactId: who.contactId, requestId: filed.id, tokenHash: sha256(token), createdAt: now, expiresAt })
      .returning({ id: privacyDownloadLinks.id });
    await closeRequest(
      deps,
      filed.id,
      { kind: 'fulfilled', produced: 'export', details: { downloadLinkId: link!.id, validDays: LINK_DAYS } },
      { actorKind: 'system', actorId: null },
      tx,
    );
  });
  const url = `${deps.publicUrl.replace(/\/$/, '')}${downloadPath(token)}`;
  let mailed = false;
  if (mailTo) {
    const t = serverTranslator(who.language);
    const until = new Intl.DateTimeFormat(who.language, { dateStyle: 'long', timeZone: 'UTC' }).format(expiresAt);
    mailed = await deps.sendMail({
      to: mailTo,
      subject: t('selfService.linkSubject'),
      text: t('selfService.linkBody', { url, until }),
    });
  }
  return { requestId: filed.id, url, expiresAt: expiresAt.toISOString(), mailed };
}

/** The copy behind a link: 404 for a token we never issued, 410 once it has expired; every use is audited. */
export async function openDownload(deps: SelfServiceDeps, token: string): Promise<Readable> {
  const now = deps.clock();
  const [link] = await deps.db
    .select()
    .from(privacyDownloadLinks)
    .where(eq(privacyDownloadLinks.tokenHash, sha256(token)));
  if (!link) throw notFound('Download');
  if (link.expiresAt <= now)
    throw new DomainError(410, 'link_expired', 'This download link has expired: ask for a new copy');
  await deps.db.transaction(async (tx) => {
    await tx
      .update(privacyDownloadLinks)
      .set({ downloads: link.downloads + 1, lastDownloadAt: now })
      .where(eq(privacyDownloadLinks.id, link.id));
    await appendAudit(tx, {
      actorKind: 'visitor',
      actorId: null,
      action: 'privacy_download.used',
      targetType: 'privacy_download_link',
      targetId: link.id,
      details: { contactId: link.contactId, requestId: link.requestId ?? undefined },
    });
  });
  const { stream } = await exportContact(deps, link.contactId, { kind: 'visitor', id: link.contactId });
  return stream;
}

export type Correction = { name?: string; email?: string; phone?: string };
export type CorrectionResult = {
  requestId: string;
  applied: Array<'name'>;
  pending: Array<{ id: string; field: 'email' | 'phone' }>;
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * A correction: the name changes at once; a new email address or phone number gets a code sent to it and changes
 * only when that code comes back (confirmCorrection). The request closes when nothing is left pending.
 */
export async function requestCorrection(
  deps: SelfServiceDeps,
  who: Requester,
  input: Correction,
): Promise<CorrectionResult> {
  const name = input.name?.trim();
  const email = input.email?.trim().toLowerCase();
  const phone = input.phone?.trim() ? normalizePhone(input.phone) : undefined;
  if (email !== undefined && !EMAIL.test(email))
    throw badRequest('invalid_email', 'This is not a valid email address, for example name@example.org.');
  if (input.name !== undefined && !name) throw badRequest('empty_name', 'The name cannot be empty');
  if (phone && !(await deps.sms?.available()))
    throw conflict('sms_unavailable', 'We cannot send a code to a phone number yet: ask our support to change it');
  const fields = [name && 'name', email && 'email', phone && 'phone'].filter((f): f is string => Boolean(f));
  if (!fields.length)
    throw badRequest('nothing_to_correct', 'Enter the name, email address or phone number to correct');

  if ((email || phone) && (await codesLastHour(deps, who.contactId)) >= CODES_PER_HOUR)
    throw new DomainError(429, 'too_many_codes', 'Too many codes were sent in the last hour: try again later');

  const filed = await fileRequest(deps, { ...who, kind: 'rectification', fields }, actorOf(who));
  const applied: CorrectionResult['applied'] = [];
  if (name) {
    await rectifyContact(deps, who.contactId, { name }, actorOf(who));
    applied.push('name');
  }
  const pending: CorrectionResult['pending'] = [];
  const t = serverTranslator(who.language);
  for (const [field, value] of [
    ['email', email],
    ['phone', phone],
  ] as const) {
    if (!value) continue;
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const now = deps.clock();
    const id = randomUUID();
    await deps.db.insert(privacyPendingChanges).values({
      id,
      contactId: who.contactId,
      requestId: filed.id,
      field,
      value,
      codeHash: codeHash(id, code),
      createdAt: now,
      expiresAt: new Date(now.getTime() + CHANGE_CODE_MINUTES * 60_000),
    });
    const args = { code, minutes: CHANGE_CODE_MINUTES };
    const sent =
      field === 'email'
        ? await deps.sendMail({
            to: value,
            subject: t('selfService.changeCodeSubject'),
            text: t('selfService.changeCodeBody', args),
          })
        : await deps.sms!.send(value, t('selfService.changeCodeSms', args));
    await deps.db.transaction((tx) =>
      appendAudit(tx, {
        ...actorOf(who),
        action: sent ? 'privacy_request.change_code_sent' : 'privacy_request.change_code_not_sent',
        targetType: 'privacy_request',
        targetId: filed.id,
        details: { contactId: who.contactId, field, pendingChangeId: id },
      }),
    );
    pending.push({ id, field });
  }
  if (!pending.length) await finishCorrection(deps, filed.id);
  return { requestId: filed.id, applied, pending };
}

/**
 * Codes sent to new addresses and numbers of this person in the last hour and not yet used: as with the request
 * page's codes, a few an hour, so no one can flood a stranger's inbox or run up text messages from our number.
 */
async function codesLastHour(deps: SelfServiceDeps, contactId: string): Promise<number> {
  const [row] = await deps.db
    .select({ n: count() })
    .from(privacyPendingChanges)
    .where(
      and(
        eq(privacyPendingChanges.contactId, contactId),
        gt(privacyPendingChanges.createdAt, new Date(deps.clock().getTime() - 3_600_000)),
      ),
    );
  return row?.n ?? 0;
}

async function finishCorrection(deps: SelfServiceDeps, requestId: string) {
  await closeRequest(
    deps,
    requestId,
    { kind: 'fulfilled', produced: 'rectification' },
    { actorKind: 'system', actorId: null },
  );
}

const wrongCode = () => new DomainError(400, 'code_invalid', 'The code is wrong, used or expired');

/** Applies a pending email or phone change once its code is right; a few tries, then a new correction is needed. */
export async function confirmCorrection(
  deps: SelfServiceDeps,
  contactId: string,
  pendingId: string,
  code: string,
): Promise<{ field: 'email' | 'phone' }> {
  const now = deps.clock();
  const [row] = await deps.db
    .select()
    .from(privacyPendingChanges)
    .where(and(eq(privacyPendingChanges.id, pendingId), eq(privacyPendingChanges.contactId, contactId)));
  if (!row || row.expiresAt <= now || row.attempts >= CHANGE_MAX_ATTEMPTS) throw wrongCode();
  if (!sameHash(row.codeHash, codeHash(row.id, code.trim()))) {
    await deps.db
      .update(privacyPendingChanges)
      .set({ attempts: row.attempts + 1 })
      .where(eq(privacyPendingChanges.id, row.id));
    throw wrongCode();
  }
  // Taken first, so a second confirmation of the same code finds nothing.
  const taken = await deps.db
    .delete(privacyPendingChanges)
    .where(eq(privacyPendingChanges.id, row.id))
    .returning({ id: privacyPendingChanges.id });
  if (!taken.length) throw wrongCode();
  const [contact] = await deps.db.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, contactId));
  if (!contact) throw notFound('Contact');
  await rectifyContact(deps, contactId, { [row.field]: row.value }, { actorKind: 'visitor', actorId: contactId });
  if (row.requestId) {
    const left = await deps.db
      .select({ id: privacyPendingChanges.id })
      .from(privacyPendingChanges)
      .where(eq(privacyPendingChanges.requestId, row.requestId));
    if (!left.length) await finishCorrection(deps, row.requestId).catch(ignoreClosed);
  }
  return { field: row.field };
}

const ignoreClosed = (err: unknown) => {
  if (!(err instanceof DomainError && err.code === 'request_closed')) throw err;
};

/** An erasure request: filed for an admin to decide (they are told the outcome in their language). */
export async function requestErasure(deps: SelfServiceDeps, who: Requester) {
  const filed = await fileRequest(deps, { ...who, kind: 'erasure' }, actorOf(who));
  return { id: filed.id, dueAt: filed.dueAt };
}
