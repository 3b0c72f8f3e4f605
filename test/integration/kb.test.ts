import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { KB_LIMITS } from '../../bot/kb.ts';

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

  it('states its limits as 400s: questions per article and example questions in all', async () => {
    const many = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `Question ${tag} number ${i}?`);
    const article = (questions: string[]) => ({ title: 'Limits', body: 'Body', language: 'en', questions });
    const tooMany = await admin.post('/api/kb/articles', article(many(KB_LIMITS.questionsPerArticle + 1, 'x')));
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.body)).toContain(String(KB_LIMITS.questionsPerArticle));
    // Fill the KB up to the total limit, then one question more is refused, on create and on change.
    const perArticle = KB_LIMITS.questionsPerArticle;
    const ids: string[] = [];
    for (let k = 0; k < KB_LIMITS.questions / perArticle; k++) {
      const r = await admin.post('/api/kb/articles', article(many(perArticle, `a${k}`)));
      expect(r.status).toBe(201);
      ids.push(r.body.article.id);
    }
    const over = await admin.post('/api/kb/articles', article(['One more?']));
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ code: 'kb_limit' });
    expect(over.body.message).toContain(String(KB_LIMITS.questions));
    const grow = await admin.send('PATCH', `/api/kb/articles/${ids[0]}`, {
      questions: [...many(perArticle - 1, 'a0'), 'changed?'],
    });
    expect(grow.status).toBe(200);
    for (const id of ids) expect((await admin.send('DELETE', `/api/kb/articles/${id}`)).status).toBe(204);
  }, 120_000);
});
