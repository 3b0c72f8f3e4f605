import { and, asc, count, eq, gt } from 'drizzle-orm';
import type { CountryCode } from 'libphonenumber-js/max';
import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { contactIdentities, privacyRequestCodes } from '../../drizzle/schema/index.ts';
import { randomToken, sha256 } from '../security/tokens.ts';
import { appendAudit } from './audit.ts';
import { conflict, DomainError } from '../domain/errors.ts';
import type { VerificationEvidence } from '../../drizzle/schema/privacy-requests.ts';
import { parseTypedIdentity, type TypedIdentity } from './request-identity.ts';
import { requestTexts, type RequestLanguage } from './request-texts.ts';
import { findIdentity as findIdentityOf } from '../domain/identity-lookup.ts';
import { openAddress, tokenOfSlackMember } from '../domain/identity-address.ts';

/**
 * One-time codes of the public request page: the person proves they hold an identity on file (an email address, a
 * phone number or a Slack account we know) before a request about it is filed. The code goes where that identity
 * is reached: by mail, by SMS from our SMS number, or as a direct message from our Slack app. A code lives
 * CODE_TTL_MINUTES, allows MAX_ATTEMPTS tries and works once; only its hash is stored, it is never logged, and an
 * identity we do not know gets the same answer as one we do (no one learns from the page whether someone is a
 * customer).
 */
export const CODE_TTL_MINUTES = 15;
export const MAX_ATTEMPTS = 5;
/** Codes per identity per hour: more are silently not sent (the route also limits per client address). */
export const CODES_PER_HOUR = 3;
export const SESSION_MINUTES = 30;

export type CodeMailer = (mail: { to: string; subject: string; text: string }) => Promise<boolean>;
/** How a code reaches each kind of identity (server/privacy/customer-mail.ts builds them from the channels). */
export type CodeSenders = {
  sendMail: CodeMailer;
  sms: { available(): Promise<boolean>; send(to: string, text: string): Promise<boolean> };
  slack: {
    available(): boolean;
    memberByEmail(email: string): Promise<string | null>;
    send(memberId: string, text: string): Promise<boolean>;
  };
};
export type RequestCodeDeps = CodeSenders & {
  db: Db;
  clock: () => Date;
  /** The country of numbers typed without their country code (PHONE_REGION). */
  phoneRegion?: CountryCode;
};
/** The identity kinds a code can be sent to, and how the request's evidence names each. */
export type CodeIdentityKind = 'email' | 'phone' | 'slack';
/** How the page says where to look for the code. */
export type CodeRoute = 'email' | 'email_or_slack' | 'sms' | 'slack';
const METHODS = { email: 'email_code', phone: 'sms_code', slack: 'slack_code' } as const;

const codeHash = (id: string, code: string) => sha256(`${id}:${code}`);
const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
export const invalidCode = () => new DomainError(400, 'code_invalid', 'The code is wrong, used or expired');
export const invalidSession = () =>
  new DomainError(401, 'verification_expired', 'Your verification has expired: ask for a new code');
const smsUnavailable = () => conflict('sms_unavailable', 'Codes cannot be sent by text message here');
const slackUnavailable = () => conflict('slack_unavailable', 'Codes cannot be sent on Slack here');

type Found = { id: string; kind: CodeIdentityKind; to: string };

/**
 * The identity on file the typed one names, with where its code goes; null when there is none. An email address
 * that is not on file may still be a Slack account's: Slack names the member (users.lookupByEmail), and a code goes
 * to that member when we know them from Slack.
 */
async function findIdentity(deps: RequestCodeDeps, typed: TypedIdentity): Promise<Found | null> {
  const byAddress = async (kind: 'email' | 'phone', address: string) => {
    const row = await findIdentityOf(deps.db, kind, address);
    return row ? { id: row.id, kind, to: address } : null;
  };
  const byMember = async (memberId: string) => {
    // Slack identities are "<the member's workspace>:<member id>"; the page is given the member id alone, so they
    // carry a second token of it (contact_identities.member_token): found whichever workspace the member wrote from,
    // a Slack Connect member's included. One member known from two workspaces: the first identity is theirs.
    const [row] = await deps.db
      .select({ id: contactIdentities.id })
      .from(contactIdentities)
      .where(
        and(
          eq(contactIdentities.kind, 'slack'),
          eq(contactIdentities.memberToken, tokenOfSlackMember(deps.db, memberId)),
        ),
      )
      .orderBy(asc(contactIdentities.createdAt))
      .limit(1);
    return row ? { id: row.id, kind: 'slack' as const, to: memberId } : null;
  };
  switch (typed.kind) {
    case 'email': {
      const found = await byAddress('email', typed.address);
      if (found || !deps.slack.available()) return found;
      const member = await deps.slack.memberByEmail(typed.address);
      return member ? byMember(member) : null;
    }
    case 'phone':
      return byAddress('phone', typed.address);
    case 'slack':
      return byMember(typed.memberId);
  }
}

/**
 * Sends a code when the identity is on file; answers a challenge id either way. Refuses, before looking anyone up,
 * what no one could be sent a code for: text that is no email address, phone number or Slack member id, a number
 * that cannot take a text message, or a channel this server cannot send on (a 400 or 409 with its code).
 */
export async function sendRequestCode(
  deps: RequestCodeDeps,
  rawAddress: string,
  language: RequestLanguage,
): Promise<{ challengeId: string; via: CodeRoute }> {
  const typed = parseTypedIdentity(rawAddress, deps.phoneRegion);
  if (typed.kind === 'phone' && !(await deps.sms.available())) throw smsUnavailable();
  if (typed.kind === 'slack' && !deps.slack.available()) throw slackUnavailable();
  // Where a code goes if the identity is on file: from what was typed and what this server can send, never from
  // who is on file.
  const via: CodeRoute =
    typed.kind === 'phone'
      ? 'sms'
      : typed.kind === 'slack'
        ? 'slack'
        : deps.slack.available()
          ? 'email_or_slack'
          : 'email';
  const unknown = () => ({ challengeId: randomUUID(), via });
  const now = deps.clock();
  const identity = await findIdentity(deps, typed);
  if (!identity) return unknown();
  const [recent] = await deps.db
    .select({ n: count() })
    .from(privacyRequestCodes)
    .where(
      and(
        eq(privacyRequestCodes.identityId, identity.id),
        gt(privacyRequestCodes.createdAt, new Date(now.getTime() - 3_600_000)),
      ),
    );
  if ((recent?.n ?? 0) >= CODES_PER_HOUR) return unknown();
  const id = randomUUID();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  await deps.db.transaction(async (tx) => {
    await tx.insert(privacyRequestCodes).values({
      id,
      identityId: identity.id,
      codeHash: codeHash(id, code),
      language,
      createdAt: now,
      expiresAt: new Date(now.getTime() + CODE_TTL_MINUTES * 60_000),
    });
    await appendAudit(tx, {
      actorKind: 'visitor',
      actorId: null,
      action: 'privacy_request.code_sent',
      targetType: 'contact_identity',
      targetId: identity.id,
      details: { codeId: id, via: identity.kind },
    });
  });
  const texts = requestTexts(language);
  switch (identity.kind) {
    case 'email':
      await deps.sendMail({
        to: identity.to,
        subject: texts.codeSubject,
        text: texts.codeBody(code, CODE_TTL_MINUTES),
      });
      break;
    case 'phone':
      await deps.sms.send(identity.to, texts.codeSms(code, CODE_TTL_MINUTES));
      break;
    case 'slack':
      await deps.slack.send(identity.to, texts.codeSlack(code, CODE_TTL_MINUTES));
      break;
  }
  return { challengeId: id, via };
}

export type VerifiedSession = {
  codeId: string;
  identityId: string;
  /** The kind of identity the code went to (email, phone or slack). */
  identityKind: CodeIdentityKind;
  contactId: string;
  language: RequestLanguage;
  verifiedAt: Date;
};

/** Checks a code; a right one opens a session of SESSION_MINUTES for filing requests (its token is returned once). */
export async function verifyRequestCode(
  deps: Pick<RequestCodeDeps, 'db' | 'clock'>,
  challengeId: string,
  code: string,
): Promise<{ token: string; expiresAt: Date }> {
  const now = deps.clock();
  const result = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(privacyRequestCodes)
      .where(eq(privacyRequestCodes.id, challengeId))
      .for('update');
    if (!row || row.verifiedAt || row.expiresAt <= now || row.attempts >= MAX_ATTEMPTS) return null;
    if (!sameHash(row.codeHash, codeHash(row.id, code.trim()))) {
      await tx
        .update(privacyRequestCodes)
        .set({ attempts: row.attempts + 1 })
        .where(eq(privacyRequestCodes.id, row.id));
      return null;
    }
    const token = randomToken();
    const expiresAt = new Date(now.getTime() + SESSION_MINUTES * 60_000);
    await tx
      .update(privacyRequestCodes)
      .set({ verifiedAt: now, sessionHash: sha256(token), sessionExpiresAt: expiresAt })
      .where(eq(privacyRequestCodes.id, row.id));
    await appendAudit(tx, {
      actorKind: 'visitor',
      actorId: null,
      action: 'privacy_request.identity_verified',
      targetType: 'contact_identity',
      targetId: row.identityId,
      details: { codeId: row.id },
    });
    return { token, expiresAt };
  });
  if (!result) throw invalidCode();
  return result;
}

export async function requestSession(
  deps: Pick<RequestCodeDeps, 'db' | 'clock'>,
  token: string,
): Promise<VerifiedSession> {
  const [row] = await deps.db
    .select({
      codeId: privacyRequestCodes.id,
      identityId: privacyRequestCodes.identityId,
      identityKind: contactIdentities.kind,
      contactId: contactIdentities.contactId,
      language: privacyRequestCodes.language,
      verifiedAt: privacyRequestCodes.verifiedAt,
      expiresAt: privacyRequestCodes.sessionExpiresAt,
    })
    .from(privacyRequestCodes)
    .innerJoin(contactIdentities, eq(contactIdentities.id, privacyRequestCodes.identityId))
    .where(eq(privacyRequestCodes.sessionHash, sha256(token)));
  if (!row || !row.verifiedAt || !row.expiresAt || row.expiresAt <= deps.clock()) throw invalidSession();
  return {
    ...row,
    // Codes are only ever sent to these three kinds (findIdentity).
    identityKind: row.identityKind as CodeIdentityKind,
    language: row.language as RequestLanguage,
    verifiedAt: row.verifiedAt,
  };
}

/** The evidence a request filed in this session records: which kind of identity the code went to, never the code. */
export function codeEvidence(session: VerifiedSession): VerificationEvidence {
  return {
    method: METHODS[session.identityKind],
    identityKind: session.identityKind,
    identityId: session.identityId,
    codeId: session.codeId,
    verifiedAt: session.verifiedAt.toISOString(),
  };
}

/**
 * The email address the session was verified with, where a copy's link is mailed too; null when the code went by
 * SMS or Slack (the link is then only shown on the page: no mail goes to an address this session did not prove).
 */
export async function verifiedMailbox(db: Db, session: VerifiedSession): Promise<string | null> {
  if (session.identityKind !== 'email') return null;
  const [identity] = await db
    .select({ id: contactIdentities.id, sealedAddress: contactIdentities.sealedAddress })
    .from(contactIdentities)
    .where(eq(contactIdentities.id, session.identityId));
  return identity ? openAddress(db, identity) : null;
}
