import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimits } from '../../server/http/rate-limits.ts';
import { dbMode } from '../helpers/db.ts';
import { NOTICE_POLICY_VERSION, NOTICE_TEXT_HASH, startTestServer, type TestServer } from '../helpers/server.ts';

/** A different made-up client address on every call (TEST-NET-2), as an attacker rotating the header would. */
let n = 0;
const forged = () => `198.51.100.${(n++ % 250) + 1}`;

const login = (server: TestServer, forwardedFor: string, email = `nobody${n++}@test.example`) =>
  fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ email, password: 'a-wrong-password' }),
  });

const startSession = (server: TestServer, forwardedFor: string) =>
  fetch(`${server.url}/api/widget/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({
      inboxId: server.chatInboxId,
      policyVersion: NOTICE_POLICY_VERSION,
      textHash: NOTICE_TEXT_HASH,
      consents: { support: true, analytics: false },
    }),
  });

async function statuses(times: number, call: () => Promise<Response>): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < times; i++) result.push((await call()).status);
  return result;
}

describe(`the client address cannot be forged (default settings) on ${dbMode}`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('limits one client rotating X-Forwarded-For (and the email) after 10 logins', async () => {
    expect(rateLimits.login.max).toBe(10);
    expect(await statuses(10, () => login(server, forged()))).toEqual(Array(10).fill(401));
    const refused = await login(server, forged());
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { code: string }).code).toBe('rate_limited');
  });

  it('limits one client rotating X-Forwarded-For after 30 widget sessions a minute', async () => {
    expect(rateLimits.widgetSession.max).toBe(30);
    const seen = await statuses(31, () => startSession(server, forged()));
    expect(seen.slice(0, 30)).toEqual(Array(30).fill(201));
    expect(seen[30]).toBe(429);
  });
});

describe(`TRUST_PROXY names the proxy whose X-Forwarded-For counts on ${dbMode}`, () => {
  let server: TestServer;
  beforeAll(async () => {
    // The test client is the "proxy": it connects from the loopback address.
    server = await startTestServer({ TRUST_PROXY: '127.0.0.1' });
  });
  afterAll(() => server.stop());

  it('counts two forwarded client addresses separately for logins', async () => {
    const [first, second] = ['203.0.113.10', '203.0.113.20'];
    expect(await statuses(10, () => login(server, first))).toEqual(Array(10).fill(401));
    expect((await login(server, first)).status).toBe(429);
    expect((await login(server, second)).status).toBe(401);
  });

  it('counts two forwarded client addresses separately for widget sessions', async () => {
    const [first, second] = ['203.0.113.30', '203.0.113.40'];
    expect(await statuses(30, () => startSession(server, first))).toEqual(Array(30).fill(201));
    expect((await startSession(server, first)).status).toBe(429);
    expect((await startSession(server, second)).status).toBe(201);
  });

  it('limits guesses at one account from many addresses after 10', async () => {
    const email = 'target@test.example';
    const seen = await statuses(11, () => login(server, `192.0.2.${n++ % 250}`, email));
    expect(seen).toEqual([...Array(10).fill(401), 429]);
  });
});
