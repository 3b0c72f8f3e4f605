import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';

describe(`knowledge base API on ${dbMode}`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let agent: AgentClient;
  const changed: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    [admin, agent] = await Promise.all([server.agentClient('admin'), server.agentClient('agent')]);
    server.root.events.subscribe('kb.changed', ({ articleId }) => changed.push(articleId));
  });
  afterAll(() => server.stop());

  it('admins create, change and delete articles; agents read them; every change reaches the bot', async () => {
    const input = {
      title: 'Opening hours',
      body: 'We answer Monday to Friday, 9:00-17:00 CET.',
      language: 'en',
      questions: ['When are you open?', ' When are you open? ', 'Opening hours'],
    };
    expect((await agent.post('/api/kb/articles', input)).status).toBe(403);
    const created = await admin.post('/api/kb/articles', input);
    expect(created.status).toBe(201);
    expect(created.body.article).toMatchObject({
      title: 'Opening hours',
      questions: ['When are you open?', 'Opening hours'],
    });
    const id = created.body.article.id;
    expect((await agent.get('/api/kb/articles')).body.items.map((a: { id: string }) => a.id)).toContain(id);
    const patched = await admin.send('PATCH', `/api/kb/articles/${id}`, {
      language: 'de',
      body: 'Montag bis Freitag, 9-17 Uhr.',
    });
    expect(patched.body.article).toMatchObject({
      language: 'de',
      body: 'Montag bis Freitag, 9-17 Uhr.',
      title: 'Opening hours',
    });
    expect((await admin.send('PATCH', `/api/kb/articles/${id}`, { language: 'not a language' })).status).toBe(400);
    expect((await admin.send('DELETE', `/api/kb/articles/${id}`)).status).toBe(204);
    expect((await agent.get(`/api/kb/articles/${id}`)).status).toBe(404);
    expect(changed).toEqual([id, id, id]);
  });
});
