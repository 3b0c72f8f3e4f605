import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient, VisitorClient, emitWithAck, nextEvent } from '../helpers/server.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, ServerProcess, scratchDatabase } from '../helpers/processes.ts';
import { handshake } from '../helpers/handshake.ts';

/**
 * The outside attack of issue 14: an /agent handshake with a valid session cookie and `Origin: null` (what sandboxed
 * iframes and file:// pages send) ended the server process. The server runs as its own process here, as in
 * production, so a crash is a dead process and not a test-runner warning.
 */
describe('socket handshakes against a server process', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
  let server: ServerProcess;
  let admin: AgentClient;

  beforeAll(async () => {
    // PostgreSQL when the run is on PostgreSQL; otherwise the process's own PGlite directory.
    scratch = process.env.DATABASE_URL ? await scratchDatabase('t_handshake') : undefined;
    server = await ServerProcess.create({ DATABASE_URL: scratch?.url ?? '', REDIS_URL: '', CHAT_INBOX: 'Handshake' });
    await server.start();
    admin = await AgentClient.login(server.url, ADMIN_EMAIL, ADMIN_PASSWORD);
  }, 120_000);

  afterAll(async () => {
    await server?.dispose();
    await scratch?.drop();
  });

  it('refuses a valid cookie with Origin: null, and keeps serving HTTP and the sockets already open', async () => {
    const existing = await admin.socket();
    try {
      const attack = await handshake(`${server.url}/agent`, { cookie: admin.cookie, origin: 'null' });
      expect(attack).toEqual({ outcome: 'refused', message: 'forbidden_origin' });

      expect(server.running).toBe(true);
      const health = await fetch(`${server.url}/api/health`);
      expect(health.status).toBe(200);

      // The socket opened before the attack still gets what a visitor writes.
      const visitor = await VisitorClient.start(server.url, server.inboxId!, false);
      const widget = await visitor.socket();
      try {
        const seen = nextEvent(existing, 'message:created', (p) => p.message.body === 'after the attack');
        expect(
          (await emitWithAck(widget, 'message:send', { clientId: 'after-attack-1', text: 'after the attack' })).ok,
        ).toBe(true);
        expect((await seen).message.body).toBe('after the attack');
      } finally {
        widget.close();
      }
    } finally {
      existing.close();
    }
  });

  it('lets the session cookie open /agent only from our own pages', async () => {
    const agent = `${server.url}/agent`;
    const cookie = admin.cookie;
    const refused = { outcome: 'refused', message: 'forbidden_origin' };
    for (const origin of ['null', 'not a url', 'http://', 'file://', 'http://evil.example', 'http://127.0.0.1']) {
      expect(await handshake(agent, { cookie, origin }), origin).toEqual(refused);
    }
    // A foreign page on another port of the same host is another origin too.
    expect(await handshake(agent, { cookie, origin: 'http://127.0.0.1:1' })).toEqual(refused);
    expect(await handshake(agent, { cookie, origin: `${server.url}.evil.example` })).toEqual(refused);
    // Our own page (PUBLIC_URL), and clients that send no Origin (same-origin polling, non-browser clients).
    expect(await handshake(agent, { cookie, origin: server.url })).toEqual({ outcome: 'connected' });
    expect(await handshake(agent, { cookie })).toEqual({ outcome: 'connected' });
    // Without a session nothing opens, whatever the origin.
    expect(await handshake(agent, { origin: server.url })).toEqual({ outcome: 'refused', message: 'unauthorized' });
    expect(await handshake(agent, { origin: 'null' })).toEqual(refused);
    expect(server.running).toBe(true);
  });

  it('answers a missing, null or malformed origin, cookie or auth on /widget with an error', async () => {
    const widget = `${server.url}/widget`;
    const invalid = { outcome: 'refused', message: 'invalid_visitor_token' };
    for (const origin of [undefined, 'null', 'not a url', 'http://']) {
      expect(await handshake(widget, { origin }), String(origin)).toEqual(invalid);
      expect(await handshake(widget, { origin, cookie: admin.cookie, auth: { token: 'x.y' } })).toEqual(invalid);
    }
    for (const token of [null, 1, true, [], {}, '', '.', 'a.b.c', 'x'.repeat(10_000)]) {
      expect(await handshake(widget, { auth: { token } }), JSON.stringify(token).slice(0, 20)).toEqual(invalid);
    }
    // And a real visitor token still opens it.
    const visitor = await VisitorClient.start(server.url, server.inboxId!, false);
    expect(await handshake(widget, { origin: 'null', auth: { token: visitor.token } })).toEqual({
      outcome: 'connected',
    });
    expect(server.running).toBe(true);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });
});
