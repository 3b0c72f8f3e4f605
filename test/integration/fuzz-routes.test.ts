import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dbMode } from '../helpers/db.ts';
import { LOOPBACK_PROXY } from '../helpers/processes.ts';
import { startTestServer, type AgentClient, type TestServer, type VisitorClient } from '../helpers/server.ts';
import { arbitraryFor, operationOf, type OpenApiDocument } from '../helpers/openapi-arbitrary.ts';
import { visitorAddress } from '../helpers/fault-harness.ts';
import type { RouteRecord } from '../../server/server.ts';
import { FUZZ_SEED } from '../helpers/fuzz-seed.ts';
import twilio from 'twilio';
import { and, eq } from 'drizzle-orm';
import { startFakeTwilio, sid, type FakeTwilio } from '../helpers/fake-twilio.ts';
import { FakeSlack, slackSignature } from '../helpers/fake-slack.ts';
import { CUSTOMER, SUPPORT_CHANNEL, messageEvent, nextTs } from '../fixtures/channels/slack.ts';
import { inboxes, messages } from '../../drizzle/schema/index.ts';
import { openedMessages } from '../helpers/opened-messages.ts';

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

/** Text a provider can deliver and PostgreSQL cannot store, mixed into ordinary and arbitrary text. */
const poison = fc.constantFrom('\u0000', 'a\u0000b', '\uD800', 'x\uDC00y', '\uDBFF', '\u0000\uDFFF', '%00', '\\u0000');
const hostile = (maxLength = 80) =>
  fc
    .tuple(
      fc.oneof(fc.string({ maxLength }), fc.string({ unit: 'binary', maxLength }), poison),
      fc.option(poison, { nil: '' }),
      fc.string({ maxLength: 8 }),
    )
    .map(([a, b, c]) => `${a}${b}${c}`.slice(0, maxLength));

describe(`fuzzing every signed webhook with valid signatures on ${dbMode}`, () => {
  const SLACK_SECRET = '1f2e3d4c5b6a79881f2e3d4c5b6a7988';
  const SMS_NUMBER = '+15550100000';
  const VOICE_NUMBER = '+15550100001';
  let fakeTwilio: FakeTwilio;
  let slack: FakeSlack;
  let server: TestServer;
  let smsInbox: string;
  let voiceInbox: string;

  beforeAll(async () => {
    fakeTwilio = await startFakeTwilio();
    slack = await FakeSlack.start();
    slack.addUser({ id: CUSTOMER, name: 'fuzz.customer', realName: 'Fuzz Customer' });
    server = await startTestServer({
      TWILIO_ACCOUNT_SID: fakeTwilio.accountSid,
      TWILIO_AUTH_TOKEN: fakeTwilio.authToken,
      TWILIO_API_URL: fakeTwilio.url,
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_CHANNELS: SUPPORT_CHANNEL,
      SLACK_API_URL: slack.apiUrl,
      OUTBOUND_ALLOW_HOSTS: `${new URL(fakeTwilio.url).host},${new URL(slack.apiUrl).host}`,
    });
    const rows = await server.root.db
      .insert(inboxes)
      .values([
        { name: 'Fuzz SMS', channel: 'sms', settings: { phoneNumber: SMS_NUMBER } },
        { name: 'Fuzz voice', channel: 'voice', settings: { phoneNumber: VOICE_NUMBER } },
      ])
      .returning();
    smsInbox = rows[0]!.id;
    voiceInbox = rows[1]!.id;
  });
  afterAll(async () => {
    await server?.stop();
    await fakeTwilio?.close();
    await slack?.close();
  });

  type Signed = { url: string; headers: Record<string, string>; payload: string };

  /** Form-encoded and signed the way Twilio signs: over the public URL and the fields the server will read. */
  const twilioRequest = (path: string, fields: Record<string, string>): Signed => {
    const payload = new URLSearchParams(fields).toString();
    const decoded = Object.fromEntries(new URLSearchParams(payload));
    return {
      url: path,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(fakeTwilio.authToken, `${server.url}${path}`, decoded),
      },
      payload,
    };
  };
  const slackRequest = (body: unknown): Signed => {
    const payload = JSON.stringify(body);
    return {
      url: '/api/slack/events',
      headers: { 'content-type': 'application/json', ...slackSignature(SLACK_SECRET, payload) },
      payload,
    };
  };

  const sids = (prefix: string) =>
    fc.oneof(
      fc.constant(null).map(() => sid(prefix)),
      fc.constantFrom(sid(prefix)),
    );
  const maybe = <T>(valid: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: valid }, bad);
  const account = () => maybe(fc.constant(fakeTwilio.accountSid), hostile(40));
  const phone = () => maybe(fc.constantFrom('+15550109999', '+358401234567', 'Anonymous'), hostile(60));

  /** One arbitrary signed request per webhook route, keyed by its route URL. */
  const webhooks: Record<string, () => fc.Arbitrary<Signed>> = {
    '/api/twilio/:inboxId/sms': () =>
      fc
        .record({
          MessageSid: maybe(sids('SM'), hostile(40)),
          AccountSid: account(),
          From: phone(),
          To: maybe(fc.constant(SMS_NUMBER), hostile(40)),
          Body: maybe(fc.constantFrom('STOP', 'START', 'HELP', 'Hi'), hostile(200)),
          NumMedia: maybe(fc.constantFrom('0', '1'), hostile(8)),
          NumSegments: maybe(fc.constant('1'), hostile(8)),
        })
        .map((f) => twilioRequest(`/api/twilio/${smsInbox}/sms`, f)),
    '/api/twilio/:inboxId/status': () =>
      fc
        .record({
          MessageSid: maybe(sids('SM'), hostile(40)),
          AccountSid: account(),
          MessageStatus: maybe(fc.constantFrom('sent', 'delivered', 'failed', 'undelivered'), hostile(40)),
          ErrorCode: hostile(10),
        })
        .map((f) => twilioRequest(`/api/twilio/${smsInbox}/status`, f)),
    '/api/twilio/:inboxId/voice': () =>
      fc
        .record({
          CallSid: maybe(sids('CA'), hostile(40)),
          AccountSid: account(),
          From: phone(),
          To: maybe(fc.constant(VOICE_NUMBER), hostile(40)),
          CallStatus: hostile(20),
        })
        .map((f) => twilioRequest(`/api/twilio/${voiceInbox}/voice`, f)),
    '/api/twilio/:inboxId/voice/recorded': () =>
      fc
        .record({ CallSid: maybe(sids('CA'), hostile(40)), AccountSid: account() })
        .map((f) => twilioRequest(`/api/twilio/${voiceInbox}/voice/recorded`, f)),
    '/api/twilio/:inboxId/voice/recording': () =>
      fc
        .record({
          AccountSid: account(),
          CallSid: maybe(sids('CA'), hostile(40)),
          RecordingSid: maybe(sids('RE'), hostile(40)),
          RecordingStatus: maybe(fc.constant('completed'), hostile(40)),
          RecordingDuration: maybe(fc.constantFrom('0', '12'), hostile(12)),
          RecordingStartTime: maybe(fc.constant(new Date().toUTCString()), hostile(64)),
        })
        .map((f) => twilioRequest(`/api/twilio/${voiceInbox}/voice/recording`, f)),
    '/api/slack/events': () =>
      fc
        .record({
          text: hostile(300),
          eventId: maybe(
            fc.string({ minLength: 1, maxLength: 12 }).map((x) => `Ev${x}`),
            hostile(30),
          ),
          user: maybe(fc.constant(CUSTOMER), hostile(20)),
          threadTs: fc.option(maybe(fc.constant(nextTs()), hostile(20)), { nil: undefined }),
          file: fc.option(
            fc.record({ id: hostile(12), name: hostile(40), mimetype: hostile(30), url_private: hostile(80) }),
            { nil: undefined },
          ),
        })
        .map(({ text, eventId, user, threadTs, file }) =>
          slackRequest(
            messageEvent({
              text,
              user,
              eventId,
              ...(threadTs ? { threadTs } : {}),
              ...(file ? { files: [{ ...file, mode: 'hosted', size: 10 }] } : {}),
            }),
          ),
        ),
  };

  it('reaches every handler: never 5xx, and the server logs no failure', async () => {
    const signed = server.routes.filter((r) => r.signed).map((r) => r.url);
    // A new signed webhook must get a generator here, or it would escape the fuzzer.
    expect(signed.sort()).toEqual(Object.keys(webhooks).sort());
    const failures: string[] = [];
    const handled = new Map<string, number>();
    let address = 0;
    for (const url of signed) {
      try {
        await fc.assert(
          fc.asyncProperty(webhooks[url]!(), async (request) => {
            const res = await server.fastify.inject({
              method: 'POST',
              url: request.url,
              headers: request.headers,
              payload: request.payload,
              remoteAddress: `10.9.${(++address >> 8) & 255}.${address & 255}`,
            });
            expect(res.statusCode, `${url} -> ${res.body.slice(0, 200)}`).toBeLessThan(500);
            if (res.statusCode < 300) handled.set(url, (handled.get(url) ?? 0) + 1);
          }),
          { numRuns: RUNS, endOnFailure: true, seed: FUZZ_SEED },
        );
      } catch (err) {
        failures.push(`${url}: ${(err as Error).message.replace(/\s*\n\s*/g, ' | ').slice(0, 1500)}`);
      }
    }
    expect(failures).toEqual([]);
    // Valid signatures: the requests got past the checks into every handler, not just a 403.
    for (const url of signed) expect(handled.get(url) ?? 0, url).toBeGreaterThan(0);
    expect(server.logs()).not.toContain('"request failed"');
  }, 600_000);

  it('stores a message with a NUL or a broken surrogate cleaned and marked, exactly once per delivery', async () => {
    // Opened: the text is stored sealed (issue 22).
    const stored = async (channel: 'sms' | 'voice' | 'slack', externalId: string) =>
      openedMessages(
        server.root.db,
        server.root.dataKeys,
        and(eq(messages.channel, channel), eq(messages.externalId, externalId)),
      );
    const cleaned = expect.objectContaining({
      markers: [expect.objectContaining({ kind: 'text_cleaned', detail: expect.stringContaining('text') })],
    });

    const smsSid = sid('SM');
    const sms = twilioRequest(`/api/twilio/${smsInbox}/sms`, {
      MessageSid: smsSid,
      AccountSid: fakeTwilio.accountSid,
      From: '+1555\u00000199',
      To: SMS_NUMBER,
      Body: 'Order 12\u00003 \uD800arrived broken',
    });
    for (let delivery = 0; delivery < 2; delivery++) {
      const res = await server.fastify.inject({ method: 'POST', ...sms, remoteAddress: '10.8.0.1' });
      expect(res.statusCode).toBe(200);
    }
    const smsRows = await stored('sms', smsSid);
    expect(smsRows).toHaveLength(1);
    expect(smsRows[0]!.body).toBe('Order 12\uFFFD3 \uFFFDarrived broken');
    expect(smsRows[0]!.metadata).toEqual(cleaned);

    // STOP from a poisoned number: the opt-out is recorded too, and the answer is 200.
    const stop = twilioRequest(`/api/twilio/${smsInbox}/sms`, {
      MessageSid: sid('SM'),
      AccountSid: fakeTwilio.accountSid,
      From: '+1555\u00000199',
      To: SMS_NUMBER,
      Body: 'STOP',
    });
    expect((await server.fastify.inject({ method: 'POST', ...stop, remoteAddress: '10.8.0.1' })).statusCode).toBe(200);

    const event = messageEvent({ text: 'Refund \u0000please\uDC00', eventId: 'Ev0POISON01' });
    for (let delivery = 0; delivery < 2; delivery++) {
      const res = await server.fastify.inject({ method: 'POST', ...slackRequest(event), remoteAddress: '10.8.0.2' });
      expect(res.statusCode).toBe(200);
    }
    const slackRows = await stored('slack', `${SUPPORT_CHANNEL}:${event.event.ts}`);
    expect(slackRows).toHaveLength(1);
    expect(slackRows[0]!.body).toBe('Refund \uFFFDplease\uFFFD');
    expect(slackRows[0]!.metadata).toEqual(cleaned);
  });
});
