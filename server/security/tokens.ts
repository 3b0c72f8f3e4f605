import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');
export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** What a visitor token proves: this browser accepted the notice for this inbox as this contact. */
export type VisitorClaims = { visitorId: string; contactId: string; inboxId: string; issuedAt: number };

/** Stateless signed visitor tokens (HMAC-SHA256), so any server process can check them. */
export function createVisitorTokens(secret: string) {
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');
  return {
    issue(claims: Omit<VisitorClaims, 'issuedAt'>): string {
      const payload = Buffer.from(JSON.stringify({ ...claims, issuedAt: Date.now() })).toString('base64url');
      return `${payload}.${sign(payload)}`;
    },
    verify(token: string | undefined): VisitorClaims | null {
      if (!token) return null;
      const [payload, signature] = token.split('.');
      if (!payload || !signature) return null;
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
      try {
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as VisitorClaims;
        if (
          typeof claims.visitorId !== 'string' ||
          typeof claims.contactId !== 'string' ||
          typeof claims.inboxId !== 'string'
        ) {
          return null;
        }
        return claims;
      } catch {
        return null;
      }
    },
  };
}
export type VisitorTokens = ReturnType<typeof createVisitorTokens>;
