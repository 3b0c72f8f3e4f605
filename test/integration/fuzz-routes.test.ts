import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dbMode } from '../helpers/db.ts';
import { LOOPBACK_PROXY } from '../helpers/processes.ts';
import { startTestServer, type AgentClient, type TestServer, type VisitorClient } from '../helpers/server.ts';
import { arbitraryFor, operationOf, type OpenApiDocument } from '../helpers/openapi-arbitrary.ts';
import { visitorAddress } from '../helpers/fault-harness.ts';
import type { RouteRecord } from '../../server/server.ts';
import { FUZZ_SEED } from '../helpers/fuzz-seed.ts';

/**
 * Property-based fuzzing of every route: requests shaped by the route's own OpenAPI schema, filled
 * with hostile values (and sometimes the wrong types), sent with the credentials the route asks for.
 * Properties: never a 5xx, an /api error always has the one error shape, and the server stays up
 * without logging a single failure. Runs are bounded (FUZZ_RUNS, default 200 per public or visitor
 * route, a quarter of that per agent route) so CI stays fast; a failure prints fast-check's seed.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const SAFE = new Set(['GET', 'HEAD']);

describe(`fuzzing every route on ${dbMode}`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let visitor: VisitorClient;
  let doc: OpenApiDocument;
  const known: string[] = [];

  beforeAll(async () => {
    // Requests spread over many client addresses (X-Forwarded-For from the trusted loopback proxy).
    server = await startTestServer(LOOPBACK_PROXY);
    admin = await server.agentClient('admin');
    visitor = await server.visitor();
    const sent = await visitor.post('/api/widget/messages', { clientId: 'fuzz-seed-01', text: 'a message to aim at' });
    const history = await visitor.get('/api/widget/messages');
    const conversation = await admin.get(`/api/conversations/${history.body.conversationId}`);
    known.push(
      history.body.conversationId,
      sent.body.message.id,
      conversation.body.conversation?.contact?.id ?? history.body.conversationId,
      admin.agent.id,
      server.chatInboxId,
    );
    doc = (await admin.get('/api/docs/json')).body;
  });
  afterAll(() => server.stop());

  function credentials(route: RouteRecord): Record<string, string> {
    if (route.access === 'visitor') return { authorization: `Bearer ${visitor.token}` };
    if (route.access && route.access !== 'public') return { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken };
    return {};
  }

  function requestFor(route: RouteRecord) {
    const op = operationOf(doc, route.method, route.url);
    const params = (op?.parameters ?? []).filter((p) => p.in === 'path');
    const query = (op?.parameters ?? []).filter((p) => p.in === 'query');
    const bodySchema = op?.requestBody?.content?.['application/json']?.schema;
    const segment = fc.oneof(
      fc.uuid(),
      fc.constantFrom(...known),
      fc.string({ maxLength: 40 }),
      fc.constantFrom('..%2f..%2fetc%2fpasswd', '%00', '%E0%A4%A', '.env', '../package.json'),
    );
    return fc.record({
      path: fc.tuple(...(params.length ? params.map(() => segment) : [fc.constant('')]), segment).map((values) => {
        let i = 0;
        return route.url
          .replace(/:[A-Za-z]+/g, () => encodeURIComponent(values[i++]!))
          .replace(/\*$/, () => values.at(-1)!);
      }),
      query: fc.record(Object.fromEntries(query.map((q) => [q.name, arbitraryFor(q.schema, known)])), {
        requiredKeys: [],
      }),
      body: SAFE.has(route.method) ? fc.constant(undefined) : arbitraryFor(bodySchema, known),
      address: fc.nat({ max: 60_000 }),
    });
  }

  const routes = () =>
    server.routes
      .filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS' && !r.url.startsWith('/api/docs'))
      // Signing out ends the session the other agent routes are fuzzed with: it goes last.
      .sort((a, b) => Number(a.url === '/api/auth/logout') - Number(b.url === '/api/auth/logout'));

  it('never answers 5xx, keeps the error shape and stays up', async () => {
    const failures: string[] = [];
    for (const route of routes()) {
      const publicSurface = route.access === undefined || route.access === 'public' || route.access === 'visitor';
      const runs = publicSurface ? RUNS : Math.max(10, Math.round(RUNS / 4));
      const declares503 = Object.keys(operationOf(doc, route.method, route.url)?.responses ?? {}).includes('503');
      try {
        await fc.assert(
          fc.asyncProperty(requestFor(route), async ({ path, query, body, address }) => {
            const search = new URLSearchParams(
              Object.entries(query).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
            );
            const res = await server.fastify.inject({
              method: route.method as 'GET',
              url: `${path}${search.size ? `?${search}` : ''}`,
              headers: {
                ...credentials(route),
                'x-forwarded-for': visitorAddress(address),
                ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
              },
              payload: body === undefined ? undefined : JSON.stringify(body),
            });
            // A declared 503 is a real outage the route reports (e.g. the bot's model is not loaded after
            // the fuzzer switched the embedder); anything else in the 5xx range is a bug.
            const outage = res.statusCode === 503 && declares503 && res.json().code !== 'internal';
            if (!outage)
              expect(res.statusCode, `${route.method} ${path} -> ${res.body.slice(0, 200)}`).toBeLessThan(500);
            if (res.statusCode >= 400 && path.startsWith('/api/')) {
              expect(Object.keys(res.json()).sort(), `${route.method} ${path}`).toEqual([
                'code',
                'message',
                'requestId',
              ]);
            }
          }),
          { numRuns: runs, endOnFailure: true, seed: FUZZ_SEED },
        );
      } catch (err) {
        failures.push(
          `${route.method} ${route.url}: ${(err as Error).message.replace(/\s*\n\s*/g, ' | ').slice(0, 1500)}`,
        );
      }
    }
    expect(failures).toEqual([]);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    expect(server.logs()).not.toContain('"request failed"');
  }, 600_000);
});
