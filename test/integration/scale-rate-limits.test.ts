import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../../server/db/client.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import { rateLimits } from '../../server/http/rate-limits.ts';
import { dbMode } from '../helpers/db.ts';
import { NOTICE_POLICY_VERSION, NOTICE_TEXT_HASH, startTestServer, type TestServer } from '../helpers/server.ts';
import { ServerProcess, scratchDatabase } from '../helpers/processes.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// The client reaches the servers through two proxies: an internal one (10.x, the second address) and the
// loopback test client; both are trusted, so the client is the first address of X-Forwarded-For.
const PROXIES = { TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' };
// A fresh address per test run (TEST-NET-3 plus random octets), so counters of other runs never interfere.
const address = () =>
  `203.0.113.${1 + (randomBytes(1)[0]! % 250)}, 10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
const sessionBody = (inboxId: string) =>
  JSON.stringify({
    inboxId,
    policyVersion: NOTICE_POLICY_VERSION,
    textHash: NOTICE_TEXT_HASH,
    consents: { support: true, analytics: false },
  });

describe(`rate limits on the widget routes on ${dbMode}`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(PROXIES);
  });
  afterAll(() => server.stop());

  it('refuses a client past the limit with 429, the error shape and Retry-After; other clients go on', async () => {
    const from = address();
    const get = (forwarded: string) =>
      fetch(`${server.url}/api/widget/config?inbox=${server.chatInboxId}`, {
        headers: { 'x-forwarded-for': forwarded },
      });
    const statuses: number[] = [];
    for (let i = 0; i < rateLimits.widgetRead.max; i++) statuses.push((await get(from)).status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const refused = await get(from);
    expect(refused.status).toBe(429);
    const retryAfterSeconds = Number(refused.headers.get('retry-after'));
    expect(retryAfterSeconds).toBeGreaterThan(0);
    // The error shape, with the wait as a value the inbox and the widget word in the reader's language.
    expect(await refused.json()).toEqual({
      code: 'rate_limited',
      message: expect.any(String),
      params: { retryAfterSeconds },
      requestId: expect.any(String),
    });
    expect((await get(`198.51.100.7, ${from.split(', ')[1]}`)).status).toBe(200);
  });

  it('limits every widget route, every provider webhook, and login', () => {
    // The health check answers load balancers, which poll it: the one public route without a limit.
    const widget = server.routes.filter(
      (r) =>
        (r.url.startsWith('/api/widget/') || (r.access === 'public' && r.url.startsWith('/api/'))) &&
        r.method !== 'HEAD' &&
        r.url !== '/api/health',
    );
    expect(
      widget.some((r) => r.url.startsWith('/api/twilio/')) && widget.some((r) => r.url === '/api/slack/events'),
    ).toBe(true);
    expect(widget.length).toBeGreaterThan(6);
    const unlimited = widget.filter((r) => !r.rateLimited);
    expect(unlimited.map((r) => `${r.method} ${r.url}`)).toEqual([]);
    expect(server.routes.find((r) => r.method === 'POST' && r.url === '/api/auth/login')?.rateLimited).toBe(true);
  });
});

describe('rate limits shared by two servers through Redis', () => {
  const prefix = `test-${randomBytes(5).toString('hex')}`;
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  const servers: ServerProcess[] = [];
  let inboxId: string;

  beforeAll(async () => {
    scratch = await scratchDatabase('t_ratelimit');
    const env = { DATABASE_URL: scratch.url, REDIS_URL, REDIS_PREFIX: prefix, ...PROXIES };
    servers.push(await ServerProcess.create(env), await ServerProcess.create(env));
    await Promise.all(servers.map((s) => s.start()));
    const database = await openDatabase({ databaseUrl: scratch.url, poolSize: 1 });
    const [inbox] = await database.db.insert(inboxes).values({ name: 'Limited chat', channel: 'chat' }).returning();
    inboxId = inbox!.id;
    await database.close();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.dispose()));
    await scratch?.drop();
  });

  it('a client spreading requests over both servers gets the limit once, not once per server', async () => {
    const from = address();
    const statuses: number[] = [];
    for (let i = 0; i <= rateLimits.widgetSession.max; i++) {
      const res = await fetch(`${servers[i % 2]!.url}/api/widget/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
        body: sessionBody(inboxId),
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, -1).every((s) => s === 201)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});
