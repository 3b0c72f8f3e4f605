import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Socket } from 'socket.io-client';
import { dbMode } from '../helpers/db.ts';
import {
  nextEvent,
  startTestServer,
  type AgentClient,
  type TestServer,
  type VisitorClient,
} from '../helpers/server.ts';
import { satisfactionRatings } from '../../drizzle/schema/index.ts';
import { readZip } from '../helpers/zip.ts';

/** The dashboard API end to end on a real server: roles, filters, CSV, the widget's rating, withdrawal and erasure. */
describe(`analytics API (${dbMode})`, () => {
  let server: TestServer;
  let manager: AgentClient;
  let agent: AgentClient;
  let admin: AgentClient;
  let managerSocket: Socket;
  // Three visitors who agreed to analysis, one who did not.
  const visitors: VisitorClient[] = [];
  const conversationIds: string[] = [];

  beforeAll(async () => {
    // k = 1 so each person's contribution is visible as a number.
    server = await startTestServer({ ANALYTICS_MIN_COHORT: '1' });
    manager = await server.agentClient('manager');
    agent = await server.agentClient('agent');
    admin = await server.agentClient('admin');
    managerSocket = await manager.socket();
    for (const analytics of [true, true, true, false]) {
      const v = await server.visitor(analytics);
      const sent = await v.post('/api/widget/messages', {
        clientId: `c-${visitors.length}-abcdefgh`,
        text: 'Hello, I need help',
      });
      expect(sent.status).toBe(201);
      visitors.push(v);
      conversationIds.push((await v.get('/api/widget/messages')).body.conversationId);
    }
    // An agent answers the first three.
    for (const id of conversationIds.slice(0, 3))
      expect((await agent.post(`/api/conversations/${id}/messages`, { text: 'Happy to help' })).status).toBe(201);
  });
  afterAll(async () => {
    managerSocket?.disconnect();
    await server?.stop();
  });

  const figures = async (query = '') => {
    const res = await manager.get(`/api/analytics/dashboard${query}`);
    expect(res.status).toBe(200);
    return res.body;
  };

  it('is for managers and admins: agents get 403, strangers 401', async () => {
    expect((await agent.get('/api/analytics/dashboard')).status).toBe(403);
    expect((await agent.get('/api/analytics/dashboard')).body).toMatchObject({
      code: 'forbidden',
      requestId: expect.any(String),
    });
    expect((await agent.get('/api/analytics/dashboard.csv')).status).toBe(403);
    expect((await fetch(`${server.url}/api/analytics/dashboard`)).status).toBe(401);
    expect((await admin.get('/api/analytics/dashboard')).status).toBe(200);
    expect((await manager.get('/api/analytics/dashboard')).status).toBe(200);
  });

  it('counts only the three who agreed, and says what share that is', async () => {
    const d = await figures();
    expect(d.coverage).toEqual({ consenting: 3, contacts: 4, percent: 75 });
    expect(d.volume.conversations).toEqual({ value: 3, suppressed: false });
    expect(d.volume.messages).toEqual({ value: 6, suppressed: false });
    expect(d.firstResponse.conversations.value).toBe(3);
    expect(d.backlog.find((b: { status: string }) => b.status === 'open').conversations.value).toBe(3);
    expect((await figures('?channel=email')).volume.conversations.value).toBe(0);
  });

  it('rejects a bad filter with the one error shape', async () => {
    const res = await manager.get('/api/analytics/dashboard?tz=Mars/Olympus');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'bad_filter',
      message: expect.stringContaining('time zone'),
      requestId: expect.any(String),
    });
    expect((await manager.get('/api/analytics/dashboard?from=2026-02-01&to=2026-01-01')).status).toBe(400);
  });

  it('exports the aggregates as CSV', async () => {
    const res = await fetch(`${server.url}/api/analytics/dashboard.csv?tz=Europe/Helsinki`, {
      headers: { cookie: manager.cookie },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toMatch(
      /attachment; filename="support-analytics-\d{4}-\d{2}-\d{2}\.csv"/,
    );
    const lines = (await res.text()).split('\r\n');
    expect(lines[0]).toBe('metric,dimension,value,unit');
    expect(lines).toContain('conversations,total,3,conversations');
    expect(lines).toContain('coverage,,75,percent');
    expect(lines).toContain('time_zone,,,Europe/Helsinki');
  });

  it('exports the CSV in the manager’s language: ?locale=, else the browser’s Accept-Language', async () => {
    const csv = async (query: string, language?: string) => {
      const res = await fetch(`${server.url}/api/analytics/dashboard.csv?tz=Europe/Helsinki${query}`, {
        headers: { cookie: manager.cookie, ...(language ? { 'accept-language': language } : {}) },
      });
      expect(res.status).toBe(200);
      return (await res.text()).replace(/^\uFEFF/, '').split('\r\n');
    };
    const german = await csv('&locale=de', 'fr-FR,fr;q=0.9');
    expect(german[0]).toBe('Kennzahl;Aufschlüsselung;Wert;Einheit');
    expect(german).toContain('Konversationen;gesamt;3;Konversationen');
    expect(german).toContain('Zeitzone;;;Europe/Helsinki');
    const french = await csv('', 'fr-FR,fr;q=0.9,en;q=0.8');
    expect(french).toContain('Couverture;;75;pour cent');
    expect((await csv('', 'en-GB'))[0]).toBe('metric,dimension,value,unit');
    const bad = await fetch(`${server.url}/api/analytics/dashboard.csv?locale=xx`, {
      headers: { cookie: manager.cookie },
    });
    expect(bad.status).toBe(400);
  });

  it('asks for a rating only after resolution, stores it and counts it', async () => {
    const v = visitors[0]!;
    expect((await v.get('/api/widget/rating')).body).toEqual({
      conversationId: conversationIds[0],
      status: 'open',
      score: null,
      ask: true,
    });
    const early = await v.post('/api/widget/rating', { score: 5 });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('not_resolved');

    const socket = await v.socket();
    const resolvedEvent = nextEvent(socket, 'conversation:status', (p: { status: string }) => p.status === 'resolved');
    expect((await agent.post(`/api/conversations/${conversationIds[0]}/status`, { status: 'resolved' })).status).toBe(
      200,
    );
    await resolvedEvent;
    socket.disconnect();

    expect((await v.post('/api/widget/rating', { score: 6 })).status).toBe(400);
    expect((await v.post('/api/widget/rating', { score: 2 })).body).toEqual({
      conversationId: conversationIds[0],
      status: 'resolved',
      score: 2,
      ask: true,
    });
    // A second answer replaces the first.
    expect((await v.post('/api/widget/rating', { score: 4 })).body.score).toBe(4);
    expect(
      await server.root.db
        .select()
        .from(satisfactionRatings)
        .where(eq(satisfactionRatings.conversationId, conversationIds[0]!)),
    ).toHaveLength(1);
    // The rating is the visitor's personal data: it is in their own export.
    const exported = await fetch(`${server.url}/api/widget/export`, {
      headers: { authorization: `Bearer ${v.token}` },
    });
    const data = JSON.parse((await readZip(Buffer.from(await exported.arrayBuffer()))).get('data.json')!.toString());
    expect(data.tables.satisfaction_ratings).toEqual([
      expect.objectContaining({ conversationId: conversationIds[0], score: 4 }),
    ]);

    const d = await figures();
    expect(d.satisfaction.ratings.value).toBe(1);
    expect(d.satisfaction.average.value).toBe(4);
    expect(d.resolution.conversations.value).toBe(1);
    expect(d.resolution.median.value).toBeGreaterThanOrEqual(0);
  });

  it('drops a contact at once when they withdraw analytics consent, and tells open dashboards', async () => {
    const before = await figures();
    const changed = nextEvent(managerSocket, 'analytics:changed');
    const res = await visitors[1]!.post('/api/widget/consent', { purpose: 'analytics', granted: false });
    expect(res.status).toBe(200);
    expect(await changed).toEqual({ reason: 'consent' });
    const after = await figures();
    expect(after.coverage).toEqual({ consenting: 2, contacts: 4, percent: 50 });
    expect(after.volume.conversations.value).toBe(before.volume.conversations.value - 1);
    expect(after.volume.messages.value).toBe(before.volume.messages.value - 2);
  });

  it('drops an erased contact and their rating', async () => {
    const contactId = (await admin.get(`/api/conversations/${conversationIds[0]}`)).body.conversation.contact.id;
    const erased = await admin.post(`/api/contacts/${contactId}/erase`, { confirm: true });
    expect(erased.status).toBe(200);
    const d = await figures();
    expect(d.coverage).toEqual({ consenting: 1, contacts: 3, percent: 33 });
    expect(d.volume.conversations.value).toBe(1);
    expect(d.satisfaction.ratings.value).toBe(0);
    expect(d.satisfaction.average).toEqual({ value: null, suppressed: false });
  });
});
