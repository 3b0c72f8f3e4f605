import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { FUZZ_SEED } from '../helpers/fuzz-seed.ts';

/**
 * The widget socket is public input too: whatever a client emits as 'message:send' or 'history:get',
 * the ack is a success or a domain error, never 'internal', and the socket stays connected.
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
});
