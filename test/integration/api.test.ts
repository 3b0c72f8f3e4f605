import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { LOOPBACK_PROXY } from '../helpers/processes.ts';
import { AgentClient, startTestServer, type TestServer, type VisitorClient } from '../helpers/server.ts';
import { messages, agents } from '../../drizzle/schema/index.ts';

describe(`REST API on ${dbMode}`, () => {
  let server: TestServer;
  let agent: AgentClient;
  let manager: AgentClient;
  let admin: AgentClient;
  let visitor: VisitorClient;
  let conversationId: string;

  beforeAll(async () => {
    // The login limit counts per client address: the rate-limit test below is another client (X-Forwarded-For
    // from the trusted loopback proxy), so the logins of the other tests stay under it.
    server = await startTestServer(LOOPBACK_PROXY);
    [agent, manager, admin] = await Promise.all([
      server.agentClient('agent'),
      server.agentClient('manager'),
      server.agentClient('admin'),
    ]);
    visitor = await server.visitor();
    const sent = await visitor.post('/api/widget/messages', { clientId: 'client-0001', text: 'Where is my order?' });
    expect(sent.status).toBe(201);
    const list = await agent.get('/api/conversations');
    conversationId = list.body.items[0].id;
  });
  afterAll(() => server.stop());

  const messageCount = async () => (await server.root.db.select({ n: count() }).from(messages))[0]!.n;

  describe('authentication', () => {
    it('logs in with the admin from ADMIN_PASSWORD and reads /me', async () => {
      const client = await AgentClient.login(server.url, 'admin@example.com', 'admin-password-for-tests');
      const me = await client.get('/api/auth/me');
      expect(me.status).toBe(200);
      expect(me.body.agent).toMatchObject({ email: 'admin@example.com', role: 'admin' });
    });

    it('sets an httpOnly SameSite session cookie', async () => {
      const res = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@example.com', password: 'admin-password-for-tests' }),
      });
      const cookie = res.headers.getSetCookie()[0]!;
      expect(cookie).toMatch(/^sid=/);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
    });

    it('rejects a wrong password with 401 and the error shape', async () => {
      const res = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@example.com', password: 'wrong-password' }),
      });
      expect(res.status).toBe(401);
      const body = await res.json();
      expect(body).toEqual({ code: 'invalid_credentials', message: expect.any(String), requestId: expect.any(String) });
    });

    it('rate-limits login attempts', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await fetch(`${server.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.99' },
          body: JSON.stringify({ email: 'target@example.com', password: `guess-${i}` }),
        });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(10)).toEqual([429, 429]);
    });

    it('requires a session: 401 without the cookie', async () => {
      const res = await fetch(`${server.url}/api/conversations`);
      expect(res.status).toBe(401);
    });

    it('logout ends the session', async () => {
      const client = await server.agentClient('agent');
      expect((await client.post('/api/auth/logout')).status).toBe(204);
      expect((await client.get('/api/auth/me')).status).toBe(401);
    });
  });

  describe('CSRF protection on cookie-authenticated writes', () => {
    it('refuses a write without the x-csrf-token header and changes nothing', async () => {
      const before = await messageCount();
      const res = await fetch(`${server.url}/api/conversations/${conversationId}/notes`, {
        method: 'POST',
        headers: { cookie: agent.cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'forged' }),
      });
      expect(res.status).toBe(403);
      expect((await res.json()).code).toBe('csrf');
      expect(await messageCount()).toBe(before);
    });

    it('refuses another session’s CSRF token', async () => {
      const res = await agent.send(
        'POST',
        `/api/conversations/${conversationId}/notes`,
        { text: 'x' },
        { 'x-csrf-token': manager.csrfToken },
      );
      expect(res.status).toBe(403);
    });
  });

  describe('roles', () => {
    it('only admins create agents (agent and manager get 403, nothing created)', async () => {
      const before = (await server.root.db.select({ n: count() }).from(agents))[0]!.n;
      const body = { email: 'new@test.example', name: 'New', role: 'agent', password: 'long-enough-pw' };
      expect((await agent.post('/api/agents', body)).status).toBe(403);
      expect((await manager.post('/api/agents', body)).status).toBe(403);
      expect((await server.root.db.select({ n: count() }).from(agents))[0]!.n).toBe(before);
      const created = await admin.post('/api/agents', body);
      expect(created.status).toBe(201);
      expect(created.body.agent).toMatchObject({ email: 'new@test.example', role: 'agent', disabled: false });
      expect(created.body.agent).not.toHaveProperty('passwordHash');
      expect((await admin.post('/api/agents', body)).status).toBe(409);
    });

    it('only admins change agents; a disabled agent can no longer sign in', async () => {
      const target = await server.agentClient('agent');
      expect((await manager.send('PATCH', `/api/agents/${target.agent.id}`, { role: 'admin' })).status).toBe(403);
      const res = await admin.send('PATCH', `/api/agents/${target.agent.id}`, { disabled: true });
      expect(res.status).toBe(200);
      expect((await target.get('/api/auth/me')).status).toBe(401);
    });

    it('every role can list agents for assignment', async () => {
      const res = await agent.get('/api/agents');
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeGreaterThanOrEqual(3);
    });
  });

  describe('conversations', () => {
    it('lists with filters', async () => {
      const all = await agent.get('/api/conversations');
      expect(all.body.items).toHaveLength(1);
      expect(all.body.items[0]).toMatchObject({
        channel: 'chat',
        status: 'open',
        unreadCount: 1,
        lastMessagePreview: 'Where is my order?',
      });
      expect((await agent.get('/api/conversations?channel=email')).body.items).toHaveLength(0);
      expect((await agent.get('/api/conversations?status=open')).body.items).toHaveLength(1);
      expect((await agent.get('/api/conversations?assignee=unassigned')).body.items).toHaveLength(1);
      expect((await agent.get('/api/conversations?assignee=me')).body.items).toHaveLength(0);
      expect((await agent.get('/api/conversations?status=nonsense')).status).toBe(400);
    });

    it('paginates with a cursor, newest activity first, without gaps or repeats', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const v = await server.visitor();
        await v.post('/api/widget/messages', { clientId: `page-client-${i}`, text: `page test ${i}` });
      }
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await agent.get(`/api/conversations?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        for (const item of res.body.items) {
          expect(ids.has(item.id)).toBe(false);
          ids.add(item.id);
        }
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor);
      expect(ids.size).toBe(7);
      expect(pages).toBe(4);
      expect((await agent.get('/api/conversations?cursor=!!notacursor')).status).toBe(400);
    });

    it('shows a conversation with its messages and contact (with consent)', async () => {
      const res = await agent.get(`/api/conversations/${conversationId}`);
      expect(res.status).toBe(200);
      expect(res.body.messages.map((m: { body: string }) => m.body)).toEqual(['Where is my order?']);
      expect(res.body.contact.identities).toEqual([{ kind: 'visitor', address: visitor.visitorId }]);
      expect(
        res.body.contact.consent.map((c: { purpose: string; granted: boolean }) => [c.purpose, c.granted]).sort(),
      ).toEqual([
        ['analytics', false],
        ['support', true],
      ]);
    });

    it('replies, adds a note, assigns, changes status and marks read', async () => {
      const reply = await agent.post(`/api/conversations/${conversationId}/messages`, { text: 'It ships today.' });
      expect(reply.status).toBe(201);
      expect(reply.body.message).toMatchObject({
        direction: 'outbound',
        kind: 'message',
        deliveryState: 'sent',
        authorName: agent.agent.name,
      });
      const note = await agent.post(`/api/conversations/${conversationId}/notes`, { text: 'VIP customer' });
      expect(note.body.message).toMatchObject({ direction: 'internal', kind: 'note', deliveryState: 'stored' });
      const assigned = await agent.post(`/api/conversations/${conversationId}/assign`, { agentId: agent.agent.id });
      expect(assigned.body.conversation.assignee).toEqual({ id: agent.agent.id, name: agent.agent.name });
      expect((await agent.get('/api/conversations?assignee=me')).body.items).toHaveLength(1);
      const status = await agent.post(`/api/conversations/${conversationId}/status`, { status: 'pending' });
      expect(status.body.conversation.status).toBe('pending');
      expect((await agent.post(`/api/conversations/${conversationId}/read`)).status).toBe(204);
      const after = await agent.get(`/api/conversations/${conversationId}`);
      expect(after.body.conversation.unreadCount).toBe(0);
      // Assignment and status changes leave markers in the agents' timeline.
      const events = after.body.messages.filter((m: { kind: string }) => m.kind === 'event');
      expect(events.map((m: { body: string; authorName: string }) => [m.body, m.authorName])).toEqual([
        [`Assigned to ${agent.agent.name}`, agent.agent.name],
        ['Status changed from open to pending', agent.agent.name],
      ]);
      expect((await manager.get(`/api/conversations/${conversationId}`)).body.conversation.unreadCount).toBe(1);
      // The visitor sees the reply but never the note.
      const history = await visitor.get('/api/widget/messages');
      expect(history.body.messages.map((m: { body: string }) => m.body)).toEqual([
        'Where is my order?',
        'It ships today.',
      ]);
    });

    it('unassigns with null and refuses an unknown agent', async () => {
      expect(
        (await agent.post(`/api/conversations/${conversationId}/assign`, { agentId: null })).body.conversation.assignee,
      ).toBeNull();
      expect(
        (
          await agent.post(`/api/conversations/${conversationId}/assign`, {
            agentId: '00000000-0000-4000-8000-000000000000',
          })
        ).status,
      ).toBe(404);
    });
  });

  describe('contacts', () => {
    it('lists and searches contacts, and shows one', async () => {
      const list = await agent.get('/api/contacts?limit=100');
      expect(list.status).toBe(200);
      expect(list.body.items.length).toBeGreaterThanOrEqual(7);
      const one = await agent.get(`/api/contacts/${list.body.items[0].id}`);
      expect(one.status).toBe(200);
      expect(one.body.conversations.length).toBeGreaterThanOrEqual(1);
      expect((await agent.get('/api/contacts?q=nobody-has-this-name')).body.items).toEqual([]);
    });
  });

  describe('bad input gets a clear 4xx and changes nothing', () => {
    it('malformed JSON: 400 malformed_json', async () => {
      const before = await messageCount();
      const res = await agent.post(`/api/conversations/${conversationId}/messages`, '{"text": "unterminated');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'malformed_json', requestId: expect.any(String) });
      expect(await messageCount()).toBe(before);
    });

    it('a message over the size limit: 413, from agents and from visitors', async () => {
      const before = await messageCount();
      const huge = 'x'.repeat(10_001);
      const fromAgent = await agent.post(`/api/conversations/${conversationId}/messages`, { text: huge });
      expect(fromAgent.status).toBe(413);
      expect(fromAgent.body.code).toBe('message_too_large');
      const fromVisitor = await visitor.post('/api/widget/messages', { clientId: 'client-huge-1', text: huge });
      expect(fromVisitor.status).toBe(413);
      const enormous = await agent.post(`/api/conversations/${conversationId}/notes`, { text: 'y'.repeat(2_000_000) });
      expect(enormous.status).toBe(413);
      expect(await messageCount()).toBe(before);
    });

    it('unknown ids: 404', async () => {
      const unknown = '00000000-0000-4000-8000-000000000000';
      expect((await agent.get(`/api/conversations/${unknown}`)).status).toBe(404);
      expect((await agent.get('/api/conversations/not-an-id')).status).toBe(404);
      expect((await agent.post(`/api/conversations/${unknown}/messages`, { text: 'hi' })).status).toBe(404);
      expect((await agent.get(`/api/contacts/${unknown}`)).status).toBe(404);
      expect((await admin.send('PATCH', `/api/agents/${unknown}`, { name: 'x' })).status).toBe(404);
      expect((await visitor.get(`/api/widget/conversations/${unknown}`)).status).toBe(404);
      const route = await agent.get('/api/no-such-route');
      expect(route.status).toBe(404);
      expect(route.body).toMatchObject({ code: 'not_found', requestId: expect.any(String) });
    });

    it("a visitor token for someone else's conversation: 403", async () => {
      const other = await server.visitor();
      expect((await other.get(`/api/widget/conversations/${conversationId}`)).status).toBe(403);
      expect((await visitor.get(`/api/widget/conversations/${conversationId}`)).status).toBe(200);
    });

    it('a forged or missing visitor token: 401', async () => {
      const res = await fetch(`${server.url}/api/widget/messages`, {
        headers: { authorization: `Bearer ${visitor.token.slice(0, -2)}xx` },
      });
      expect(res.status).toBe(401);
      expect((await fetch(`${server.url}/api/widget/messages`)).status).toBe(401);
    });

    it(
      'a widget session without the required support consent or with an outdated notice ' +
        'is refused and stores nothing',
      async () => {
        const before = await server.root.db.select({ n: count() }).from(agents);
        const post = (body: unknown) =>
          fetch(`${server.url}/api/widget/sessions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
        const base = {
          inboxId: server.chatInboxId,
          policyVersion: '2026-11-01',
          textHash: 'x',
          consents: { support: true, analytics: false },
        };
        expect((await post({ ...base, consents: { support: false, analytics: true } })).status).toBe(400);
        expect((await post(base)).status).toBe(409);
        expect(before).toEqual(await server.root.db.select({ n: count() }).from(agents));
      },
    );
  });

  it('serves the OpenAPI document with every API route', async () => {
    const res = await fetch(`${server.url}/api/docs/json`);
    expect(res.status).toBe(200);
    const doc = await res.json();
    for (const path of [
      '/api/conversations',
      '/api/conversations/{id}/messages',
      '/api/contacts/{id}',
      '/api/agents',
      '/api/widget/sessions',
      '/api/auth/login',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
      expect(Object.keys(doc.paths)).not.toContain(`${path}/`);
    }
    expect((await fetch(`${server.url}/api/docs`)).status).toBeLessThan(400);
  });
});
