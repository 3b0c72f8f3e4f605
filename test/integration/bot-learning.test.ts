import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMode } from '../helpers/db.ts';
import { emitWithAck, nextEvent, startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { kbSeedFor } from '../../server/demo/kb.ts';

/**
 * Issue 16 items 7 and 8 through the API: agent assist finds a similar resolved conversation with the reply
 * that resolved it; a question an agent answered becomes an example question only after an admin's review and
 * only while the customer's consent grants "bot_training" (off by default).
 */
describe(`agent assist and learning from agents (${dbMode})`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let agent: AgentClient;

  beforeAll(async () => {
    server = await startTestServer({ BOT_ENABLED: 'true', BOT_EMBEDDER: 'lexical' });
    admin = await server.agentClient('admin');
    agent = await server.agentClient('agent');
    for (const article of kbSeedFor('en')) expect((await admin.post('/api/kb/articles', article)).status).toBe(201);
    await new Promise((r) => setTimeout(r, 200));
    await server.bot.whenReady();
    // Every article added rebuilds the bot once; on a loaded machine that takes longer than the default.
  }, 240_000);
  afterAll(() => server.stop());

  /** A visitor's question the bot hands off; returns the conversation and the contact. */
  async function ask(text: string, clientId: string) {
    const visitor = await server.visitor();
    const socket = await visitor.socket();
    try {
      const handedOff = nextEvent(socket, 'message:created', (p) => p.message.body.includes('asked a colleague'));
      await emitWithAck(socket, 'message:send', { clientId, text });
      await handedOff;
    } finally {
      socket.close();
    }
    const id = (await visitor.get('/api/widget/messages')).body.conversationId as string;
    const detail = (await admin.get(`/api/conversations/${id}`)).body;
    const question = detail.messages.find((m: { authorKind: string }) => m.authorKind === 'contact');
    return { id, contactId: detail.contact.id as string, questionId: question.id as string };
  }

  let first: Awaited<ReturnType<typeof ask>>;
  const REPLY = 'Yes: gift cards are in the shop under Gifts, from any amount you choose.';

  it('suggests a similar resolved conversation with the reply that resolved it', async () => {
    first = await ask('Do you sell gift cards for a birthday present?', 'learn-a-000001');
    expect((await agent.post(`/api/conversations/${first.id}/messages`, { text: REPLY })).status).toBe(201);
    expect((await agent.post(`/api/conversations/${first.id}/status`, { status: 'resolved' })).status).toBe(200);

    const second = await ask('can i buy a gift card?', 'learn-b-000001');
    const assist = await agent.get(`/api/assist/conversations/${second.id}`);
    expect(assist.status).toBe(200);
    expect(assist.body).toMatchObject({ language: 'en', question: 'can i buy a gift card?', learningAllowed: false });
    expect(assist.body.articles.length, JSON.stringify(assist.body)).toBeGreaterThan(0);
    // Only the best article may score under 5 % (shown as "0 %": no suggestion to make).
    for (const a of (assist.body.articles as Array<{ score: number }>).slice(1))
      expect(a.score).toBeGreaterThanOrEqual(0.05);
    expect(assist.body.similar[0], JSON.stringify(assist.body.similar)).toMatchObject({
      conversationId: first.id,
      question: 'Do you sell gift cards for a birthday present?',
      reply: REPLY,
    });
  });

  it('never suggests a conversation that is in the trash, and suggests it again once restored', async () => {
    const third = await ask('do you have gift cards?', 'learn-t-000001');
    const similarIds = async () =>
      (
        (await agent.get(`/api/assist/conversations/${third.id}`)).body.similar as Array<{ conversationId: string }>
      ).map((s) => s.conversationId);
    expect(await similarIds()).toContain(first.id);
    expect((await agent.send('DELETE', `/api/conversations/${first.id}`)).status).toBe(200);
    expect(await similarIds()).not.toContain(first.id);
    expect((await admin.post(`/api/trash/${first.id}/restore`)).status).toBe(200);
    expect(await similarIds()).toContain(first.id);
  });

  it('proposes a question only when the customer agreed to "bot_training", and an admin reviews it', async () => {
    const articles = (await admin.get('/api/kb/articles')).body.items as Array<{
      id: string;
      title: string;
      questions: string[];
    }>;
    const payment = articles.find((a) => a.title === 'Payment methods')!;
    const proposal = { messageId: first.questionId, articleId: payment.id };
    // Off by default: nobody recorded it.
    const refused = await agent.post(`/api/assist/conversations/${first.id}/proposals`, proposal);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('purpose_not_allowed');

    const consent = (granted: boolean) =>
      agent.post(`/api/contacts/${first.contactId}/consent`, {
        purpose: 'bot_training',
        granted,
        sourceChannel: 'chat',
        evidence: 'asked in the chat',
      });
    expect((await consent(true)).status).toBe(201);
    expect((await agent.get(`/api/assist/conversations/${first.id}`)).body.learningAllowed).toBe(true);
    expect((await agent.post(`/api/assist/conversations/${first.id}/proposals`, proposal)).status).toBe(204);

    // The queue is the admins'.
    expect((await agent.get('/api/assist/proposals')).status).toBe(403);
    const queue = await admin.get('/api/assist/proposals');
    expect(queue.body.items).toEqual([
      expect.objectContaining({
        articleTitle: 'Payment methods',
        question: 'Do you sell gift cards for a birthday present?',
      }),
    ]);

    // A withdrawal takes it out of the queue at once, and it cannot be accepted.
    expect((await consent(false)).status).toBe(201);
    expect((await admin.get('/api/assist/proposals')).body.items).toEqual([]);
    const id = queue.body.items[0].id as string;
    expect((await admin.post(`/api/assist/proposals/${id}/accept`, { text: 'Do you sell gift cards?' })).status).toBe(
      409,
    );

    // Granted again: the admin edits the question and accepts; it joins the article's example questions.
    expect((await consent(true)).status).toBe(201);
    expect((await admin.post(`/api/assist/proposals/${id}/accept`, { text: 'Do you sell gift cards?' })).status).toBe(
      204,
    );
    const after = (await admin.get(`/api/kb/articles/${payment.id}`)).body.article;
    expect(after.questions.at(-1)).toBe('Do you sell gift cards?');
    expect((await admin.get('/api/assist/proposals')).body.items).toEqual([]);
  });

  it('a rejected proposal leaves the article as it was', async () => {
    const articles = (await admin.get('/api/kb/articles')).body.items as Array<{
      id: string;
      title: string;
      questions: string[];
    }>;
    const sizes = articles.find((a) => a.title === 'Finding your size')!;
    expect(
      (
        await agent.post(`/api/assist/conversations/${first.id}/proposals`, {
          messageId: first.questionId,
          articleId: sizes.id,
        })
      ).status,
    ).toBe(204);
    const [item] = (await admin.get('/api/assist/proposals')).body.items;
    expect((await admin.send('DELETE', `/api/assist/proposals/${item.id}`)).status).toBe(204);
    expect((await admin.get(`/api/kb/articles/${sizes.id}`)).body.article.questions).toEqual(sizes.questions);
  });
});
