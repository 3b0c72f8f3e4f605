import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');
export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** What a visitor token proves: this browser accepted the notice for this inbox as this contact. */
export type VisitorClaims = { visitorId: string; contactId: string; inboxId: string; issuedAt: number };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** payload.signature: unpadded base64url, the signature exactly one HMAC-SHA256 (32 bytes = 43 characters). */
const TOKEN = /^([A-Za-z0-9_-]{1,1024})\.([A-Za-z0-9_-]{43})$/;
const CLAIM_KEYS = ['contactId', 'inboxId', 'issuedAt', 'visitorId'].join();

/**
 * Stateless signed visitor tokens (HMAC-SHA256), so any server process can check them. `verify` proves only
 * that this server issued the claims; whether the session still stands (consent, idle time) is the database's
 * answer (assertActiveVisitor in server/domain/widget.ts).
 */
export function createVisitorTokens(secret: string) {
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');
  return {
    issue(claims: Omit<VisitorClaims, 'issuedAt'>): string {
      const { visitorId, contactId, inboxId } = claims;
      const body = { visitorId, contactId, inboxId, issuedAt: Date.now() };
      const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
      return `${payload}.${sign(payload)}`;
    },
    /** The claims of a well-formed token this server signed, else null (anything extra or odd is refused). */
    verify(token: string | undefined): VisitorClaims | null {
      if (typeof token !== 'string') return null;
      const match = TOKEN.exec(token);
      if (!match) return null;
      const [, payload, signature] = match as unknown as [string, string, string];
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
      const bytes = Buffer.from(payload, 'base64url');
      // Canonical encoding only: one token string per payload (no stray trailing bits).
      if (bytes.toString('base64url') !== payload) return null;
      return parseClaims(bytes.toString('utf8'));
    },
  };
}
export type VisitorTokens = ReturnType<typeof createVisitorTokens>;

function parseClaims(json: string): VisitorClaims | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const claims = value as Record<string, unknown>;
  if (Object.keys(claims).sort().join() !== CLAIM_KEYS) return null;
  const { visitorId, contactId, inboxId, issuedAt } = claims;
  if (![visitorId, contactId, inboxId].every((id) => typeof id === 'string' && UUID.test(id))) return null;
  if (typeof issuedAt !== 'number' || !Number.isSafeInteger(issuedAt) || issuedAt <= 0) return null;
  return { visitorId, contactId, inboxId, issuedAt } as VisitorClaims;
}
