import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { messages } from '../../drizzle/schema/index.ts';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestJson, type TestServer } from '../helpers/server.ts';

/**
 * Issue 18, item 4: ingest stores the language each customer message is written in (detected offline, as the bot
 * detects it), and the inbox reads it with the message to show the conversation's language to agents.
 */
describe(`the language of customer messages (${dbMode})`, () => {
  let server: TestServer;
  let agent: AgentClient;

  beforeAll(async () => {
    server = await startTestServer();
    agent = await server.agentClient('agent');
  });
  afterAll(() => server.stop());

  async function conversationOf(text: string) {
    const visitor = await server.visitor();
    expect((await visitor.post('/api/widget/messages', { clientId: randomUUID(), text })).status).toBe(201);
    const list = await agent.get('/api/conversations');
    const item = list.body.items.find((c: TestJson) => c.lastMessagePreview === text);
    return (await agent.get(`/api/conversations/${item.id}`)).body;
  }

  it('stores the detected language with the message and shows it to agents', async () => {
    const text = 'Hej! Mitt paket har inte kommit fram än. Kan ni se var det är?';
    const detail = await conversationOf(text);
    expect(detail.messages.map((m: TestJson) => [m.body, m.language])).toEqual([[text, 'sv']]);
    const [row] = await server.root.db.select().from(messages).where(eq(messages.id, detail.messages[0].id));
    expect(row!.language).toBe('sv');
  });

  it('leaves the language unknown when a message is too short to tell', async () => {
    const detail = await conversationOf('ok');
    expect(detail.messages[0].language).toBeUndefined();
  });

  it('tells the agent’s own replies apart: they carry no customer language', async () => {
    const detail = await conversationOf('Guten Tag, meine Bestellung ist leider noch nicht angekommen.');
    expect(detail.messages[0].language).toBe('de');
    const reply = await agent.post(`/api/conversations/${detail.conversation.id}/messages`, { text: 'Hello!' });
    expect(reply.status).toBe(201);
    const after = (await agent.get(`/api/conversations/${detail.conversation.id}`)).body;
    expect(after.messages.map((m: TestJson) => m.language)).toEqual(['de', undefined]);
  });
});
