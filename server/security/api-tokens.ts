import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { apiTokens } from '../../drizzle/schema/index.ts';
import type { Db } from '../db/client.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { appendAudit } from '../privacy/audit.ts';

/**
 * API tokens for integrations: an admin creates one with a name, scopes and an optional expiry; the secret is
 * shown once and only its SHA-256 is stored. A request with `Authorization: Bearer pit_…` acts for the admin who
 * created the token, only on the routes its scopes name (requiredScope), rate-limited per token, and every use
 * leaves an audit entry (token id, method, route pattern; never a value).
 */
export const API_TOKEN_SCOPES = [
  'conversations:read',
  'conversations:write',
  'messages:read',
  'messages:write',
  'contacts:read',
  'contacts:write',
  'privacy:read',
  'privacy:write',
  'analytics:read',
] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

export const API_TOKEN_PREFIX = 'pit_';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The scope a route needs from a token, from its method and path pattern; null: no token may call it (agent and
 * token administration, settings, the bot, channels: those stay with signed-in people).
 */
export function requiredScope(method: string, url: string): ApiTokenScope | null {
  const read = SAFE.has(method);
  if (url.startsWith('/api/privacy') || /^\/api\/contacts\/:id\/(export|erase|consent|merge)/.test(url))
    return read ? 'privacy:read' : 'privacy:write';
  if (url === '/api/messages/:id/redact' || (url.startsWith('/api/recordings') && !read)) return 'privacy:write';
  if (/^\/api\/conversations\/:id\/(messages|notes|files)$/.test(url)) return 'messages:write';
  if (url.startsWith('/api/messages') || url.startsWith('/api/attachments') || url.startsWith('/api/recordings'))
    return read ? 'messages:read' : 'messages:write';
  if (url.startsWith('/api/conversations') || url.startsWith('/api/search'))
    return read ? 'conversations:read' : 'conversations:write';
  if (url.startsWith('/api/contacts')) return read ? 'contacts:read' : 'contacts:write';
  if (url.startsWith('/api/analytics') && read) return 'analytics:read';
  return null;
}

export type ApiTokenView = {
  id: string;
  name: string;
  scopes: string[];
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
};

const toView = (row: typeof apiTokens.$inferSelect): ApiTokenView => ({
  id: row.id,
  name: row.name,
  scopes: row.scopes,
  createdBy: row.createdBy,
  createdAt: row.createdAt.toISOString(),
  expiresAt: row.expiresAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
});

export async function createApiToken(
  db: Db,
  adminId: string,
  input: { name: string; scopes: ApiTokenScope[]; expiresInDays?: number },
): Promise<{ token: ApiTokenView; secret: string }> {
  const secret = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiTokens)
      .values({
        name: input.name,
        scopes: [...new Set(input.scopes)],
        tokenHash: sha256(secret),
        createdBy: adminId,
        expiresAt,
      })
      .returning();
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId: adminId,
      action: 'api_token.created',
      targetType: 'api_token',
      targetId: row!.id,
      details: { scopes: row!.scopes, expires: expiresAt !== null },
    });
    return { token: toView(row!), secret };
  });
}

export async function listApiTokens(db: Db): Promise<ApiTokenView[]> {
  return (await db.select().from(apiTokens).orderBy(desc(apiTokens.createdAt))).map(toView);
}

export async function revokeApiToken(db: Db, adminId: string, id: string): Promise<ApiTokenView> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
      .returning();
    if (!row) {
      const [existing] = await tx.select().from(apiTokens).where(eq(apiTokens.id, id));
      if (!existing) throw notFound('API token');
      return toView(existing);
    }
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId: adminId,
      action: 'api_token.revoked',
      targetType: 'api_token',
      targetId: id,
    });
    return toView(row);
  });
}

const invalid = () => new DomainError(401, 'invalid_api_token', 'Unknown, expired or revoked API token');

/** The token a bearer secret names, if it is live; throws 401 otherwise. */
export async function liveApiToken(db: Db, secret: string) {
  const [row] = await db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.tokenHash, sha256(secret)));
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= new Date())) throw invalid();
  return row;
}

/** One audit entry per use (ids and the route pattern only), and the token's last use. */
export async function recordApiTokenUse(db: Db, tokenId: string, agentId: string, method: string, route: string) {
  await db.transaction(async (tx) => {
    await tx.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, tokenId));
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId: agentId,
      action: 'api_token.used',
      targetType: 'api_token',
      targetId: tokenId,
      details: { method, route },
    });
  });
}
