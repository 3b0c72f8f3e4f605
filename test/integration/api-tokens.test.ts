import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer, type VisitorClient } from '../helpers/server.ts';
import { apiTokens, auditLog } from '../../drizzle/schema/index.ts';
import { API_TOKEN_SCOPES, requiredScope } from '../../server/security/api-tokens.ts';

/**
 * API tokens as an integration uses them: an admin creates one (shown once, stored hashed), it reaches exactly
 * the routes its scopes name and nothing else, every use is audited, revoking or expiry ends it at once, and it
 * is rate-limited on its own.
 */
describe(`API tokens on ${dbMode}`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let visitor: VisitorClient;
  let conversationId: string;

  const call = async (secret: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${secret}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
  const create = async (scopes: string[], extra: Record<string, unknown> = {}) => {
    const res = await admin.post('/api/tokens', { name: 'CRM sync', scopes, ...extra });
    expect(res.status).toBe(201);
    return res.body as { token: { id: string }; secret: string };
  };

  beforeAll(async () => {
    server = await startTestServer({ API_TOKEN_RATE_PER_MINUTE: '40' });
    admin = await server.agentClient('admin');
    visitor = await server.visitor();
    await visitor.post('/api/widget/messages', { clientId: 'token-test-01', text: 'Is my order on its way?' });
    conversationId = (await visitor.get('/api/widget/messages')).body.conversationId;
  });
  afterAll(() => server.stop());

  it('is shown once and stored as a hash only', async () => {
    const { token, secret } = await create(['conversations:read'], { expiresInDays: 30 });
    expect(secret).toMatch(/^pit_[A-Za-z0-9_-]{43}$/);
    const [row] = await server.root.db.select().from(apiTokens).where(eq(apiTokens.id, token.id));
    expect(JSON.stringify(row)).not.toContain(secret.slice(4));
    expect(row!.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const list = await admin.get('/api/tokens');
    expect(JSON.stringify(list.body)).not.toContain(secret.slice(4));
    expect(list.body.items[0]).toMatchObject({ id: token.id, name: 'CRM sync', scopes: ['conversations:read'] });
  });

  it('reaches what its scopes name, without a cookie or CSRF header, and nothing else', async () => {
    const { token, secret } = await create(['conversations:read', 'messages:write']);
    expect((await call(secret, 'GET', '/api/conversations')).body.items.map((c: { id: string }) => c.id)).toEqual([
      conversationId,
    ]);
    const reply = await call(secret, 'POST', `/api/conversations/${conversationId}/messages`, { text: 'On its way.' });
    expect(reply.status).toBe(201);
    const history = await visitor.get('/api/widget/messages');
    expect(history.body.messages.map((m: { body: string }) => m.body)).toContain('On its way.');

    const contacts = await call(secret, 'GET', '/api/contacts');
    expect(contacts).toMatchObject({ status: 403, body: { code: 'token_scope' } });
    expect(contacts.body.message).toContain('contacts:read');
    expect((await call(secret, 'POST', '/api/tokens', { name: 'x', scopes: ['privacy:write'] })).status).toBe(403);
    expect((await call(secret, 'GET', '/api/agents')).body.code).toBe('token_scope');

    // Every use is in the audit log: the token's id, the method and the route pattern; never the secret.
    const uses = await server.root.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'api_token.used'), eq(auditLog.targetId, token.id)));
    expect(uses.map((u) => u.details)).toEqual([
      { method: 'GET', route: '/api/conversations' },
      { method: 'POST', route: '/api/conversations/:id/messages' },
    ]);
    expect(JSON.stringify(uses)).not.toContain(secret.slice(4));
  });

  it('stops at once when revoked or expired, and an unknown one never works', async () => {
    const { token, secret } = await create(['conversations:read']);
    expect((await call(secret, 'GET', '/api/conversations')).status).toBe(200);
    expect((await admin.post(`/api/tokens/${token.id}/revoke`)).body.token.revokedAt).not.toBeNull();
    expect(await call(secret, 'GET', '/api/conversations')).toMatchObject({
      status: 401,
      body: { code: 'invalid_api_token' },
    });

    const other = await create(['conversations:read'], { expiresInDays: 1 });
    await server.root.db
      .update(apiTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiTokens.id, other.token.id));
    expect((await call(other.secret, 'GET', '/api/conversations')).status).toBe(401);
    expect((await call(`pit_${'A'.repeat(43)}`, 'GET', '/api/conversations')).status).toBe(401);
  });

  it('is rate-limited per token, with Retry-After', async () => {
    const first = await create(['conversations:read']);
    const second = await create(['conversations:read']);
    const statuses: number[] = [];
    for (let i = 0; i < 41; i++) statuses.push((await call(first.secret, 'GET', '/api/conversations')).status);
    expect(statuses.slice(0, 40).every((s) => s === 200)).toBe(true);
    const limited = await call(first.secret, 'GET', '/api/conversations');
    expect(limited).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another token is counted on its own.
    expect((await call(second.secret, 'GET', '/api/conversations')).status).toBe(200);
  }, 120_000);

  it('authorization matrix: a token with every scope gets into exactly the agent routes with a scope', async () => {
    const { secret } = await create([...API_TOKEN_SCOPES]);
    const wrong: string[] = [];
    const agentRoutes = server.routes.filter(
      (r) => ['agent', 'manager', 'admin'].includes(r.access ?? '') && !['HEAD', 'OPTIONS'].includes(r.method),
    );
    for (const route of agentRoutes) {
      // Random ids and empty bodies: nothing is changed, only who is let in is probed.
      const path = route.url.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');
      const res = await call(secret, route.method, path, route.method === 'GET' ? undefined : {});
      const scope = requiredScope(route.method, route.url);
      const refused = res.status === 401 || res.status === 403;
      if (scope ? refused : res.body?.code !== 'token_scope')
        wrong.push(`${route.method} ${route.url} (${scope ?? 'no scope'}): ${res.status} ${res.body?.code}`);
    }
    expect(wrong).toEqual([]);
    expect(agentRoutes.filter((r) => requiredScope(r.method, r.url)).length).toBeGreaterThan(20);
  }, 120_000);
});
