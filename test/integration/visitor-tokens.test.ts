import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { contactIdentities } from '../../drizzle/schema/index.ts';
import { dbMode } from '../helpers/db.ts';
import {
  VisitorClient,
  connect,
  emitWithAck,
  startTestServer,
  type ApiResponse,
  type TestServer,
} from '../helpers/server.ts';
import { identityIs } from '../helpers/identities.ts';

const IDLE_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

describe(`visitor tokens end (VISITOR_TOKEN_IDLE_DAYS=${IDLE_DAYS}) on ${dbMode}`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ VISITOR_TOKEN_IDLE_DAYS: String(IDLE_DAYS) });
  });
  afterAll(() => server.stop());

  /** The visitor's token was last used `days` ago (the server's record of it, as if time had passed). */
  const lastUsed = async (visitor: VisitorClient, days: number) => {
    await server.root.db
      .update(contactIdentities)
      .set({ lastSeenAt: new Date(Date.now() - days * DAY_MS) })
      .where(identityIs(server.root.db, 'visitor', visitor.visitorId));
  };
  const lastSeenAt = async (visitor: VisitorClient) => {
    const [row] = await server.root.db
      .select({ at: contactIdentities.lastSeenAt })
      .from(contactIdentities)
      .where(identityIs(server.root.db, 'visitor', visitor.visitorId));
    return row!.at;
  };
  const socketWith = (token: string) =>
    connect(io(`${server.url}/widget`, { transports: ['websocket'], auth: { token }, reconnection: false }));
  const expectRefused = (res: ApiResponse, code: string) => {
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code, message: expect.any(String), requestId: expect.any(String) });
  };

  it('a token used within the idle time keeps working, and its use starts the idle time again', async () => {
    const visitor = await server.visitor();
    await lastUsed(visitor, IDLE_DAYS - 1);
    const before = await lastSeenAt(visitor);
    expect((await visitor.get('/api/widget/messages')).status).toBe(200);
    expect((await lastSeenAt(visitor)).getTime()).toBeGreaterThan(before.getTime() + (IDLE_DAYS - 2) * DAY_MS);
    const socket = await visitor.socket();
    socket.close();
  });

  it('refuses a token idle longer than the idle time over HTTP and on the socket handshake', async () => {
    const visitor = await server.visitor();
    expect((await visitor.post('/api/widget/messages', { clientId: 'before-idle-1', text: 'hello' })).status).toBe(201);
    await lastUsed(visitor, IDLE_DAYS + 1);
    expectRefused(await visitor.get('/api/widget/messages'), 'visitor_token_expired');
    expectRefused(await visitor.get('/api/widget/export'), 'visitor_token_expired');
    expectRefused(
      await visitor.post('/api/widget/messages', { clientId: 'after-idle-1', text: 'still there?' }),
      'visitor_token_expired',
    );
    await expect(visitor.socket()).rejects.toThrow(/^visitor_token_expired$/);
    // A refused request is no use: it does not bring the token back to life.
    expectRefused(await visitor.get('/api/widget/consent'), 'visitor_token_expired');
  });

  it("refuses a token with anything after it ('.junk') over HTTP and on the socket", async () => {
    const visitor = await server.visitor();
    const junk = new VisitorClient(server.url, `${visitor.token}.junk`, visitor.visitorId);
    expectRefused(await junk.get('/api/widget/messages'), 'invalid_visitor_token');
    expectRefused(await junk.get('/api/widget/export'), 'invalid_visitor_token');
    await expect(socketWith(`${visitor.token}.junk`)).rejects.toThrow(/^invalid_visitor_token$/);
    // The token itself still works.
    expect((await visitor.get('/api/widget/messages')).status).toBe(200);
  });

  it('after the support consent is withdrawn, every visitor route and the socket refuse the token', async () => {
    const visitor = await server.visitor();
    const sent = await visitor.post('/api/widget/messages', { clientId: 'before-end-1', text: 'hello' });
    const conversationId = (await visitor.get('/api/widget/messages')).body.conversationId as string;
    expect(sent.status).toBe(201);
    expect((await visitor.get('/api/widget/export')).status).toBe(200);
    const socket = await visitor.socket();
    expect((await emitWithAck(socket, 'history:get', {})).ok).toBe(true);
    socket.close();

    expect((await visitor.post('/api/widget/consent', { purpose: 'support', granted: false })).status).toBe(200);

    const routes = server.routes.filter((r) => r.access === 'visitor' && r.method !== 'HEAD');
    expect(routes.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining(['GET /api/widget/export', 'GET /api/widget/consent', 'POST /api/widget/messages']),
    );
    const bodies: Record<string, unknown> = {
      'POST /api/widget/messages': { clientId: 'after-end-1', text: 'still here?' },
      'POST /api/widget/consent': { purpose: 'analytics', granted: true },
      'POST /api/widget/rating': { score: 5 },
    };
    for (const route of routes) {
      const key = `${route.method} ${route.url}`;
      const url = `${server.url}${route.url.replace(':id', conversationId)}`;
      const body = bodies[key];
      const res = await fetch(url, {
        method: route.method,
        headers: {
          authorization: `Bearer ${visitor.token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await res.json()) as { code?: string };
      expect({ route: key, status: res.status, code: json.code }).toEqual({
        route: key,
        status: 401,
        code: 'session_ended',
      });
    }
    await expect(visitor.socket()).rejects.toThrow(/^session_ended$/);
  });
});
