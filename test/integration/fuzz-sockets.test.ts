import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { dbMode } from '../helpers/db.ts';
import { emitWithAck, nextEvent, startTestServer, type TestServer } from '../helpers/server.ts';
import { handshake } from '../helpers/handshake.ts';
import { FUZZ_SEED } from '../helpers/fuzz-seed.ts';

/**
 * The widget socket is public input too: whatever a client emits as 'message:send' or 'history:get',
 * the ack is a success or a domain error, never 'internal', and the socket stays connected.
 * And every handshake of both namespaces, whatever its Origin, Cookie and auth payload, is either accepted (only
 * with valid credentials from an allowed origin) or refused, and the server keeps serving.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udfff', '', '   ', 'a'.repeat(20_000)),
);

describe(`fuzzing the widget socket on ${dbMode}`, () => {
  let server: TestServer;
  let socket: Socket;
  beforeAll(async () => {
    server = await startTestServer();
    socket = await (await server.visitor()).socket();
  });
  afterAll(async () => {
    socket?.close();
    await server.stop();
  });

  it('answers every message:send and history:get with a result or a domain error', async () => {
    const payload = fc.oneof(
      fc.record(
        {
          clientId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{8,20}$/), fc.string({ maxLength: 80 })),
          text: hostileText,
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('message:send', 'history:get'), payload, async (event, body) => {
        const ack = (await socket.timeout(10_000).emitWithAck(event, body)) as {
          ok: boolean;
          error?: { code: string };
        };
        expect(ack.ok || ack.error?.code !== 'internal', JSON.stringify(ack)).toBe(true);
      }),
      { numRuns: RUNS, seed: FUZZ_SEED },
    );
    expect(socket.connected).toBe(true);
    expect(server.logs()).not.toContain('socket handler failed');
  }, 120_000);

  it('accepts a handshake of /agent or /widget only with valid credentials and refuses all others', async () => {
    const agent = await server.agentClient('agent');
    const visitor = await server.visitor();
    const openBefore = await agent.socket();
    // Printable ASCII: what an HTTP client lets into a header value. Over 16 KiB, Node refuses the request (431).
    const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) });
    // Huge values stand as markers, so a counterexample prints short; expand() makes them real.
    const expand = <T>(v: T): T =>
      typeof v === 'string' ? (v.replace('<20k>', 'x'.repeat(20_000)).replace('<200k>', 'x'.repeat(200_000)) as T) : v;
    const origin = fc.option(
      fc.oneof(
        fc.constantFrom('null', '', ' ', 'not a url', 'http://', 'file://', 'http://evil.example', 'http://<20k>'),
        fc.constantFrom(server.url, `${server.url}/`, `${server.url}/inbox`, server.url.replace('http:', 'https:')),
        fc.webUrl(),
        headerText,
      ),
      { nil: undefined },
    );
    const cookie = fc.option(
      fc.oneof(
        fc.constant(agent.cookie),
        fc.constantFrom('sid=', 'sid', '=', ';;', 'sid=%', 'sid=%E0%A4%A', 'sid=<20k>', `${agent.cookie}x`),
        headerText,
        headerText.map((text) => `sid=${text}`),
      ),
      { nil: undefined },
    );
    const token = fc.oneof(
      fc.constant(visitor.token),
      fc.constant(visitor.token.split('.')[0]!),
      // A valid token with anything after it is not that token (strict parsing).
      fc.constant(`${visitor.token}.junk`),
      fc.constant('<200k>'),
      fc.jsonValue({ maxDepth: 2 }),
    );
    // Every JSON type as the whole payload, and as the token inside it.
    const auth = fc.option(fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.record({ token }, { requiredKeys: [] })), {
      nil: undefined,
    });
    const isObject = (v: unknown): v is Record<string, unknown> =>
      typeof v === 'object' && v !== null && !Array.isArray(v);

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/agent', '/widget'),
        origin,
        cookie,
        auth,
        async (nsp, shortO, shortC, shortA) => {
          const [o, c] = [expand(shortO), expand(shortC)];
          const a = isObject(shortA) && 'token' in shortA ? { ...shortA, token: expand(shortA.token) } : shortA;
          const result = await handshake(`${server.url}${nsp}`, { origin: o, cookie: c, auth: a });
          // socket.io sends no payload for null; any other non-object payload is not a CONNECT packet. Over
          // maxHttpBufferSize (64 kB here) the packet is not read at all; over 16 KiB of headers, not the request.
          const payloadOk = a === undefined || a === null || (isObject(a) && JSON.stringify(a).length < 64_000);
          const headersFit = (o?.length ?? 0) < 16_000 && (c?.length ?? 0) < 16_000;
          const accepted =
            nsp === '/agent'
              ? payloadOk && headersFit && c === agent.cookie && (o === undefined || o === server.url)
              : payloadOk && headersFit && isObject(a) && a.token === visitor.token;
          const what = JSON.stringify({ nsp, shortO, shortC, shortA, result });
          if (accepted) expect(result, what).toEqual({ outcome: 'connected' });
          else expect(result.outcome, what).not.toBe('connected');
          if (result.outcome === 'refused') expect(['internal', 'unavailable'], what).not.toContain(result.message);
        },
      ),
      { numRuns: RUNS, seed: FUZZ_SEED },
    );

    // Still serving: HTTP, and the agent socket opened before the fuzzing gets a visitor's message.
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    const seen = nextEvent(openBefore, 'message:created', (p) => p.message.body === 'after the handshakes');
    expect(
      (await emitWithAck(socket, 'message:send', { clientId: 'after-fuzz-01', text: 'after the handshakes' })).ok,
    ).toBe(true);
    expect((await seen).message.body).toBe('after the handshakes');
    openBefore.close();
    expect(server.logs()).not.toContain('socket middleware failed');
    expect(server.logs()).not.toContain('socket listener failed');
  }, 120_000);
});
