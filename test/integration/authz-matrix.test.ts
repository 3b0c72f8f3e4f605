import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createAgent, login } from '../../server/domain/agents.ts';
import type { AgentRole } from '../../drizzle/schema/enums.ts';
import type { RouteRecord } from '../../server/server.ts';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type TestServer, type VisitorClient } from '../helpers/server.ts';

/**
 * Every registered route x every kind of caller, with the expectation derived from the route's
 * declared access level (server/plugins/auth.ts), so a new route is covered the moment it exists:
 *   public (or a static/docs route, which declares none)  nobody is turned away (no 401/403)
 *   public and signed (a provider webhook)               everybody is turned away: no caller here holds the
 *                                                        provider's signing secret (401/403 invalid_signature,
 *                                                        or 404 while the provider is not configured)
 *   visitor                                              only a visitor token gets in; everyone else 401
 *   agent | manager | admin                              no session: 401; a session below the level: 403;
 *                                                        at or above it: in
 * "In" means neither 401 nor 403 and no 5xx (the request itself may be a 400 or 404: the probe sends
 * empty bodies and random ids, so no write changes anything). Cookie-authenticated writes without the
 * x-csrf-token header must be refused with 403 csrf for every role, before anything else happens.
 */
type Caller = 'anonymous' | 'visitor' | AgentRole;
const callers: Caller[] = ['anonymous', 'visitor', 'agent', 'manager', 'admin'];
const rank: Record<AgentRole, number> = { agent: 1, manager: 2, admin: 3 };
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

type Outcome = 'in' | 401 | 403;

function expected(access: string | undefined, caller: Caller): Outcome {
  if (access === undefined || access === 'public') return 'in';
  if (access === 'visitor') return caller === 'visitor' ? 'in' : 401;
  if (caller === 'anonymous' || caller === 'visitor') return 401;
  return rank[caller] >= rank[access as AgentRole] ? 'in' : 403;
}

/** A concrete path for a route pattern: ids become random (nonexistent) UUIDs. */
function concrete(url: string): string {
  return url
    .replace(/:dataClass/g, 'messages')
    .replace(/:[A-Za-z]+/g, () => randomUUID())
    .replace(/\*$/, 'index.html');
}

describe(`authorization matrix: every route x every role on ${dbMode}`, () => {
  let server: TestServer;
  let visitor: VisitorClient;
  const emails: Record<AgentRole, string> = { agent: '', manager: '', admin: '' };
  const password = 'matrix-password-123';

  beforeAll(async () => {
    server = await startTestServer();
    visitor = await server.visitor();
    for (const role of ['agent', 'manager', 'admin'] as const) {
      emails[role] = `matrix-${role}@test.example`;
      await createAgent(server.root.db, { email: emails[role], name: `Matrix ${role}`, role, password }, null);
    }
  });
  afterAll(() => server.stop());

  const reading: Partial<Record<AgentRole, { token: string; csrfToken: string }>> = {};
  // A fresh session per write: a probe of POST /api/auth/logout must not sign the next probes out.
  async function credentials(caller: Caller, csrf: boolean, write: boolean): Promise<Record<string, string>> {
    if (caller === 'anonymous') return {};
    if (caller === 'visitor') return { authorization: `Bearer ${visitor.token}` };
    const session =
      !write && reading[caller] ? reading[caller] : await login(server.root.db, emails[caller], password, 1);
    if (!write) reading[caller] = session!;
    return { cookie: `sid=${session!.token}`, ...(csrf ? { 'x-csrf-token': session!.csrfToken } : {}) };
  }

  async function probe(route: RouteRecord, caller: Caller, csrf = true) {
    const headers = await credentials(caller, csrf, !SAFE.has(route.method));
    const hasBody = !SAFE.has(route.method) && route.method !== 'DELETE';
    const res = await fetch(`${server.url}${concrete(route.url)}`, {
      method: route.method,
      redirect: 'manual',
      headers: { ...headers, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
      body: hasBody ? '{}' : undefined,
    });
    const text = await res.text();
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { code?: string }).code;
    } catch {
      /* HTML, zip or empty */
    }
    return { status: res.status, code };
  }

  const routes = () => server.routes.filter((r) => r.method !== 'OPTIONS');

  it('covers the whole application', () => {
    expect(routes().length).toBeGreaterThan(60);
    const levels = new Set(routes().map((r) => r.access));
    // Only known levels (a typo would silently be "in" for nobody or everybody), and all kinds present.
    expect(
      [...levels].filter((a) => ![undefined, 'public', 'visitor', 'agent', 'manager', 'admin'].includes(a)),
    ).toEqual([]);
    for (const level of [undefined, 'public', 'visitor', 'agent', 'admin'])
      expect(levels.has(level), String(level)).toBe(true);
  });

  it('each route answers each role as its declared access level says', async () => {
    const mismatches: string[] = [];
    for (const route of routes()) {
      const answers = await Promise.all(callers.map((caller) => probe(route, caller)));
      for (const [i, caller] of callers.entries()) {
        const { status, code } = answers[i]!;
        if (route.signed) {
          const refused =
            ((status === 401 || status === 403) && code === 'invalid_signature') ||
            (status === 404 && /not_configured$/.test(code ?? ''));
          if (!refused)
            mismatches.push(
              `${route.method} ${route.url} (signed webhook) as ${caller}: ` +
                `expected a refusal, got ${status} ${code ?? ''}`,
            );
          continue;
        }
        const want = expected(route.access, caller);
        // HEAD answers carry no body, so no error code to compare.
        const wantCode =
          route.method === 'HEAD'
            ? undefined
            : want === 403
              ? 'forbidden'
              : route.access === 'visitor'
                ? 'invalid_visitor_token'
                : 'unauthorized';
        const ok =
          want === 'in' ? status !== 401 && status !== 403 && status < 500 : status === want && code === wantCode;
        if (!ok)
          mismatches.push(
            `${route.method} ${route.url} (${route.access ?? 'undeclared'}) as ${caller}: ` +
              `expected ${want}, got ${status} ${code ?? ''}`,
          );
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);

  it('refuses every cookie-authenticated write without the CSRF token, whatever the role', async () => {
    const writes = routes().filter(
      (r) => !SAFE.has(r.method) && ['agent', 'manager', 'admin'].includes(r.access ?? ''),
    );
    expect(writes.length).toBeGreaterThan(20);
    const mismatches: string[] = [];
    for (const route of writes) {
      const roles = ['agent', 'manager', 'admin'] as const;
      const answers = await Promise.all(roles.map((caller) => probe(route, caller, false)));
      for (const [i, caller] of roles.entries()) {
        const { status, code } = answers[i]!;
        if (status !== 403 || code !== 'csrf')
          mismatches.push(
            `${route.method} ${route.url} as ${caller} without x-csrf-token: got ${status} ${code ?? ''}`,
          );
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);
});
