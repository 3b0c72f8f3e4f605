import { and, count, eq, gt } from 'drizzle-orm';
import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { contactIdentities, privacyRequestCodes } from '../../drizzle/schema/index.ts';
import { randomToken, sha256 } from '../security/tokens.ts';
import { appendAudit } from './audit.ts';
import { DomainError } from '../domain/errors.ts';
import { requestTexts, type RequestLanguage } from './request-texts.ts';

/**
 * One-time codes of the public request page: the person proves they hold an identity on file (an email address
 * we know) before a request about it is filed. A code lives CODE_TTL_MINUTES, allows MAX_ATTEMPTS tries and works
 * once; only its hash is stored, it is never logged, and an address we do not know gets the same answer as one we
 * do (no one learns from the page whether someone is a customer).
 */
export const CODE_TTL_MINUTES = 15;
export const MAX_ATTEMPTS = 5;
/** Codes per identity per hour: more are silently not sent (the route also limits per client address). */
export const CODES_PER_HOUR = 3;
export const SESSION_MINUTES = 30;

export type CodeMailer = (mail: { to: string; subject: string; text: string }) => Promise<boolean>;
export type RequestCodeDeps = { db: Db; clock: () => Date; sendMail: CodeMailer };

const codeHash = (id: string, code: string) => sha256(`${id}:${code}`);
const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
export const invalidCode = () => new DomainError(400, 'code_invalid', 'The code is wrong, used or expired');
export const invalidSession = () =>
  new DomainError(401, 'verification_expired', 'Your verification has expired: ask for a new code');

/** Sends a code when the address is on file; answers a challenge id either way. */
export async function sendRequestCode(
  deps: RequestCodeDeps,
  rawAddress: string,
  language: RequestLanguage,
): Promise<{ challengeId: string }> {
  const address = rawAddress.trim().toLowerCase();
  const now = deps.clock();
  const [identity] = await deps.db
    .select({ id: contactIdentities.id })
    .from(contactIdentities)
    .where(and(eq(contactIdentities.kind, 'email'), eq(contactIdentities.address, address)));
  if (!identity) return { challengeId: randomUUID() };
  const [recent] = await deps.db
    .select({ n: count() })
    .from(privacyRequestCodes)
    .where(
      and(
        eq(privacyRequestCodes.identityId, identity.id),
        gt(privacyRequestCodes.createdAt, new Date(now.getTime() - 3_600_000)),
      ),
    );
  if ((recent?.n ?? 0) >= CODES_PER_HOUR) return { challengeId: randomUUID() };
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
      details: { codeId: id },
    });
  });
  const texts = requestTexts(language);
  await deps.sendMail({ to: address, subject: texts.codeSubject, text: texts.codeBody(code, CODE_TTL_MINUTES) });
  return { challengeId: id };
}

export type VerifiedSession = {
  codeId: string;
  identityId: string;
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
      contactId: contactIdentities.contactId,
      language: privacyRequestCodes.language,
      verifiedAt: privacyRequestCodes.verifiedAt,
      expiresAt: privacyRequestCodes.sessionExpiresAt,
    })
    .from(privacyRequestCodes)
    .innerJoin(contactIdentities, eq(contactIdentities.id, privacyRequestCodes.identityId))
    .where(eq(privacyRequestCodes.sessionHash, sha256(token)));
  if (!row || !row.verifiedAt || !row.expiresAt || row.expiresAt <= deps.clock()) throw invalidSession();
  return { ...row, language: row.language as RequestLanguage, verifiedAt: row.verifiedAt };
}
