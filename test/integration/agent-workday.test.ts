import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Socket } from 'socket.io-client';
import { dbMode } from '../helpers/db.ts';
import { AgentClient, startTestServer, type TestJson, type TestServer } from '../helpers/server.ts';
import { contacts, conversations, agents } from '../../drizzle/schema/index.ts';
import { createAgent } from '../../server/domain/agents.ts';
import { ADMIN_DISPLAY_NAME } from '../../server/domain/admin-name.ts';
import { setContactFields } from '../helpers/contacts.ts';

/** Issue 17 items 2, 5, 7, 8: canned replies, notification preferences, @mentions in notes, profiles. */
describe(`an agent's day: canned replies, mentions, profiles (${dbMode})`, () => {
  let server: TestServer;
  let agent: AgentClient;
  let manager: AgentClient;
  let admin: AgentClient;
  let conversationId: string;
  let contactId: string;

  beforeAll(async () => {
    server = await startTestServer();
    [agent, manager, admin] = await Promise.all([
      server.agentClient('agent'),
      server.agentClient('manager'),
      server.agentClient('admin'),
    ]);
    const visitor = await server.visitor();
    expect((await visitor.post('/api/widget/messages', { clientId: 'client-0001', text: 'Hello?' })).status).toBe(201);
    const list = await agent.get('/api/conversations');
    conversationId = list.body.items[0].id;
    const [row] = await server.root.db
      .select({ contactId: conversations.contactId })
      .from(conversations)
      .where(eq(conversations.id, conversationId));
    contactId = row!.contactId;
  });
  afterAll(() => server.stop());

  describe('canned replies', () => {
    let sharedId: string;

    it('managers add shared replies; agents only their own', async () => {
      const shared = await manager.post('/api/canned-replies', {
        shortcut: '/thanks',
        title: 'Thanks',
        shared: true,
        variants: {
          en: 'Thank you {{contact.firstName}}, {{agent.firstName}} here from {{inbox.name}}.',
          de: 'Danke {{contact.firstName}}, hier ist {{agent.firstName}}.',
        },
      });
      expect(shared.status).toBe(201);
      expect(shared.body).toMatchObject({ shortcut: 'thanks', shared: true });
      sharedId = shared.body.id;

      const refused = await agent.post('/api/canned-replies', {
        shortcut: 'mine',
        title: 'Mine',
        shared: true,
        variants: { en: 'x' },
      });
      expect(refused.status).toBe(403);
      const own = await agent.post('/api/canned-replies', {
        shortcut: 'order',
        title: 'Order number',
        shared: false,
        variants: { en: 'Could you send me your order number, {{contact.name}}? {{order.number}}' },
      });
      expect(own.status).toBe(201);
      const duplicate = await agent.post('/api/canned-replies', {
        shortcut: 'order',
        title: 'Again',
        shared: false,
        variants: { en: 'y' },
      });
      expect(duplicate.status).toBe(409);

      // The agent sees the shared reply and their own; the manager does not see the agent's own.
      const mine = await agent.get('/api/canned-replies');
      expect(mine.body.items.map((r: TestJson) => r.shortcut)).toEqual(['order', 'thanks']);
      const theirs = await manager.get('/api/canned-replies');
      expect(theirs.body.items.map((r: TestJson) => r.shortcut)).toEqual(['thanks']);
      // An agent cannot change a shared reply, nor see someone else's.
      expect((await agent.send('PUT', `/api/canned-replies/${sharedId}`, { ...shared.body, title: 'x' })).status).toBe(
        403,
      );
      expect((await manager.send('DELETE', `/api/canned-replies/${own.body.id}`)).status).toBe(404);
    });

    it('fills only known data; the rest stays a placeholder for the agent to fill', async () => {
      // The widget visitor has no name yet: {{contact.firstName}} is unknown, not invented.
      const unknown = await agent.post(`/api/canned-replies/${sharedId}/render`, { conversationId });
      expect(unknown.status).toBe(200);
      expect(unknown.body.language).toBe('en');
      expect(unknown.body.unfilled).toEqual(['contact.firstName']);
      expect(unknown.body.text).toBe(`Thank you {{contact.firstName}}, agent here from Test chat.`);

      await server.root.db.update(contacts).set({ locale: 'de-DE' }).where(eq(contacts.id, contactId));
      await setContactFields(server.root.db, contactId, { name: 'Jana Kowalska' });
      const german = await agent.post(`/api/canned-replies/${sharedId}/render`, { conversationId });
      expect(german.body).toMatchObject({
        text: 'Danke Jana, hier ist agent.',
        language: 'de',
        languageSource: 'conversation',
        unfilled: [],
      });
      // No Finnish text: the agent may pick English explicitly; a missing language falls back.
      const english = await agent.post(`/api/canned-replies/${sharedId}/render`, { conversationId, language: 'en' });
      expect(english.body.text).toBe('Thank you Jana, agent here from Test chat.');
      await server.root.db.update(contacts).set({ locale: 'fi' }).where(eq(contacts.id, contactId));
      const fallback = await agent.post(`/api/canned-replies/${sharedId}/render`, { conversationId });
      expect(fallback.body).toMatchObject({ language: 'en', languageSource: 'fallback' });

      const own = (await agent.get('/api/canned-replies')).body.items.find((r: TestJson) => r.shortcut === 'order');
      const custom = await agent.post(`/api/canned-replies/${own.id}/render`, { conversationId });
      expect(custom.body.unfilled).toEqual(['order.number']);
      expect(custom.body.text).toContain('Jana Kowalska? {{order.number}}');
    });

    it('an admin who kept the placeholder name signs as the team, in the reply’s language', async () => {
      await server.root.db.update(agents).set({ name: ADMIN_DISPLAY_NAME }).where(eq(agents.id, admin.agent.id));
      const signed = await manager.post('/api/canned-replies', {
        shortcut: 'signed',
        title: 'Signed',
        shared: true,
        variants: {
          en: 'Best regards, {{agent.name}} ({{agent.firstName}})',
          de: 'Viele Grüße, {{agent.name}} ({{agent.firstName}})',
          fi: 'Ystävällisin terveisin {{agent.name}} ({{agent.firstName}})',
        },
      });
      expect(signed.status).toBe(201);
      const render = async (locale: string, language?: string) => {
        await server.root.db.update(contacts).set({ locale }).where(eq(contacts.id, contactId));
        const body = { conversationId, ...(language ? { language } : {}) };
        return (await admin.post(`/api/canned-replies/${signed.body.id}/render`, body)).body;
      };
      // The widget's word for the team (message.team) in the conversation's language, never the English default.
      expect((await render('de-DE')).text).toBe('Viele Grüße, Support-Team (Support-Team)');
      expect((await render('fi')).text).toBe('Ystävällisin terveisin Asiakaspalvelu (Asiakaspalvelu)');
      // The agent picks the English text: the name follows the text, whole.
      expect((await render('fi', 'en')).text).toBe('Best regards, Support team (Support team)');
      // A name the admin chose is theirs, in every language.
      await server.root.db.update(agents).set({ name: 'Aino Virtanen' }).where(eq(agents.id, admin.agent.id));
      expect((await render('de-DE')).text).toBe('Viele Grüße, Aino Virtanen (Aino)');
      await server.root.db.update(agents).set({ name: admin.agent.name }).where(eq(agents.id, admin.agent.id));
    });
  });

  describe('profiles', () => {
    it('an agent changes their display name and colour; customers see that name', async () => {
      const changed = await agent.send('PATCH', '/api/agents/me', { name: 'Robin Park', color: '#1f7a5c' });
      expect(changed.status).toBe(200);
      expect(changed.body.agent).toMatchObject({ name: 'Robin Park', color: '#1f7a5c', status: 'active' });
      expect((await agent.send('PATCH', '/api/agents/me', { color: 'red' })).status).toBe(400);

      const visitor = await server.visitor();
      await visitor.post('/api/widget/messages', { clientId: 'client-0002', text: 'Hi' });
      const [conv] = await server.root.db
        .select({ id: conversations.id })
        .from(conversations)
        .orderBy(conversations.createdAt)
        .offset(1)
        .limit(1);
      expect((await agent.post(`/api/conversations/${conv!.id}/messages`, { text: 'Hello!' })).status).toBe(201);
      const history = await visitor.get('/api/widget/messages');
      const reply = history.body.messages.find((m: TestJson) => m.body === 'Hello!');
      expect(reply.authorName).toBe('Robin Park');
    });

    it('an agent chooses the inbox’s language; it comes back with the session, null follows the browser', async () => {
      expect((await agent.get('/api/auth/me')).body.agent.locale).toBeNull();
      const chosen = await agent.send('PATCH', '/api/agents/me', { locale: 'sv' });
      expect(chosen.status).toBe(200);
      expect(chosen.body.agent.locale).toBe('sv');
      expect((await agent.get('/api/auth/me')).body.agent.locale).toBe('sv');
      const unknown = await agent.send('PATCH', '/api/agents/me', { locale: 'pt' });
      expect(unknown.status).toBe(400);
      expect((await agent.get('/api/auth/me')).body.agent.locale).toBe('sv');
      const browser = await agent.send('PATCH', '/api/agents/me', { locale: null });
      expect(browser.body.agent.locale).toBeNull();
    });

    it('changes the password only with the current one, and ends the other sessions', async () => {
      const email = 'pw@test.example';
      await createAgent(server.root.db, { email, name: 'Pat', role: 'agent', password: 'first-password-1' }, null);
      const here = await AgentClient.login(server.url, email, 'first-password-1');
      const elsewhere = await AgentClient.login(server.url, email, 'first-password-1');
      const wrong = await here.post('/api/agents/me/password', {
        currentPassword: 'not-it-at-all',
        newPassword: 'second-password-2',
      });
      expect(wrong.status).toBe(400);
      expect(wrong.body.code).toBe('wrong_password');
      const ok = await here.post('/api/agents/me/password', {
        currentPassword: 'first-password-1',
        newPassword: 'second-password-2',
      });
      expect(ok.status).toBe(200);
      expect((await here.get('/api/auth/me')).status).toBe(200);
      expect((await elsewhere.get('/api/auth/me')).status).toBe(401);
      await expect(AgentClient.login(server.url, email, 'first-password-1')).rejects.toThrow(/401/);
      await AgentClient.login(server.url, email, 'second-password-2');
    });

    it('a one-time password from an admin must be changed before anything else', async () => {
      const email = 'otp@test.example';
      const created = await createAgent(
        server.root.db,
        { email, name: 'Olli', role: 'agent', password: 'unknown-password-1' },
        null,
      );
      expect((await agent.post(`/api/agents/${created.id}/one-time-password`)).status).toBe(403);
      const set = await admin.post(`/api/agents/${created.id}/one-time-password`);
      expect(set.status).toBe(200);
      const once: string = set.body.password;
      expect(set.body.agent.mustChangePassword).toBe(true);

      const client = await AgentClient.login(server.url, email, once);
      expect(client.agent).toMatchObject({ mustChangePassword: true });
      const blocked = await client.get('/api/conversations');
      expect(blocked.status).toBe(403);
      expect(blocked.body.code).toBe('password_change_required');
      await expect(client.socket()).rejects.toThrow(/password_change_required/);
      const changed = await client.post('/api/agents/me/password', {
        currentPassword: once,
        newPassword: 'olli-own-password',
      });
      expect(changed.status).toBe(200);
      expect(changed.body.agent.mustChangePassword).toBe(false);
      expect((await client.get('/api/conversations')).status).toBe(200);
    });

    it('an invitation link is shown once without SMTP, works once, and signs the colleague in', async () => {
      const invited = await admin.post('/api/agents/invitations', {
        email: 'new.colleague@test.example',
        name: 'Nora New',
        role: 'agent',
      });
      expect(invited.status).toBe(201);
      expect(invited.body).toMatchObject({ emailed: false, agent: { status: 'invited', name: 'Nora New' } });
      const link: string = invited.body.link;
      expect(link).toMatch(/\/inbox\/#\/invite\/[\w-]+$/);
      const token = link.split('/').pop()!;
      const listed = (await admin.get('/api/agents')).body.items.find((a: TestJson) => a.name === 'Nora New');
      expect(listed.status).toBe('invited');

      const peek = await fetch(`${server.url}/api/auth/invitation/peek`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      expect(await peek.json()).toEqual({ name: 'Nora New', email: 'new.colleague@test.example' });
      const accept = (password: string) =>
        fetch(`${server.url}/api/auth/invitation`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token, password }),
        });
      const accepted = await accept('nora-chosen-password');
      expect(accepted.status).toBe(200);
      expect(((await accepted.json()) as TestJson).agent).toMatchObject({ status: 'active', name: 'Nora New' });
      expect((await accept('another-password-1')).status).toBe(404);
      await AgentClient.login(server.url, 'new.colleague@test.example', 'nora-chosen-password');
    });

    it('demo colleagues are listed as demo accounts, not active ones', async () => {
      await createAgent(
        server.root.db,
        { email: 'demo@test.example', name: 'Demo Dana', role: 'agent', password: 'nobody-knows-it', demo: true },
        null,
      );
      const listed = (await admin.get('/api/agents')).body.items.find((a: TestJson) => a.name === 'Demo Dana');
      expect(listed.status).toBe('demo');
      const [row] = await server.root.db.select().from(agents).where(eq(agents.id, listed.id));
      expect(row!.demo).toBe(true);
    });
  });

  describe('notifications and mentions', () => {
    it('keeps each agent’s preferences on the server', async () => {
      const initial = await agent.get('/api/agents/me/notifications');
      expect(initial.body).toEqual({ browser: false, sound: false, assigned: true, mentions: true, myMessages: true });
      const changed = await agent.send('PUT', '/api/agents/me/notifications', { sound: true, myMessages: false });
      expect(changed.body).toMatchObject({ sound: true, myMessages: false, mentions: true });
      expect((await agent.get('/api/agents/me/notifications')).body).toEqual(changed.body);
      expect((await manager.get('/api/agents/me/notifications')).body.sound).toBe(false);
    });

    it('a note that @mentions an agent notifies that agent, live, and nobody else', async () => {
      const sockets: Socket[] = [];
      try {
        const [agentSocket, managerSocket, adminSocket] = await Promise.all(
          [agent, manager, admin].map(async (c) => {
            const s = await c.socket();
            sockets.push(s);
            return s;
          }),
        );
        const received: Record<string, TestJson[]> = { agent: [], manager: [], admin: [] };
        agentSocket!.on('mention:created', (p: TestJson) => received.agent!.push(p));
        managerSocket!.on('mention:created', (p: TestJson) => received.manager!.push(p));
        adminSocket!.on('mention:created', (p: TestJson) => received.admin!.push(p));
        const arrived = new Promise<TestJson>((resolve) => agentSocket!.once('mention:created', resolve));

        // "@Robin Park" is the agent's display name (changed above), written in another case.
        const note = await manager.post(`/api/conversations/${conversationId}/notes`, {
          text: 'Could @robin park take this? (not @nobody)',
        });
        expect(note.status).toBe(201);
        const payload = await arrived;
        expect(payload).toMatchObject({ conversationId, messageId: note.body.message?.id ?? note.body.id });
        expect(payload.by).toEqual({ id: manager.agent.id, name: manager.agent.name });
        // The admin's note round trip is the barrier: had the manager or admin been told, it came before this.
        const seen = new Promise<void>((resolve) =>
          adminSocket!.on('message:created', (p: TestJson) => p.message.body === 'noted' && resolve()),
        );
        const second = await admin.post(`/api/conversations/${conversationId}/notes`, { text: 'noted' });
        expect(second.status).toBe(201);
        await seen;
        expect(received.manager).toEqual([]);
        expect(received.admin).toEqual([]);
        expect(received.agent).toHaveLength(1);
      } finally {
        for (const s of sockets) s.disconnect();
      }
    });
  });
});
