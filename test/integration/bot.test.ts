import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMode } from '../helpers/db.ts';
import { emitWithAck, nextEvent, startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { kbSeedFor } from '../../server/demo/kb.ts';
import { botTexts } from '../../bot/language-texts.ts';

describe(`the bot in conversations (${dbMode})`, () => {
  let server: TestServer;
  let admin: AgentClient;

  beforeAll(async () => {
    server = await startTestServer({ BOT_ENABLED: 'true', BOT_EMBEDDER: 'lexical' });
    admin = await server.agentClient('admin');
    for (const article of kbSeedFor('en')) expect((await admin.post('/api/kb/articles', article)).status).toBe(201);
    await server.bot.whenReady();
    await new Promise((r) => setTimeout(r, 200));
    await server.bot.whenReady();
    // Every article added rebuilds the bot once (5-fold cross-validation each); a loaded machine needs longer.
  }, 240_000);
  afterAll(() => server.stop());

  const conversationOf = async (visitor: Awaited<ReturnType<TestServer['visitor']>>) =>
    (await visitor.get('/api/widget/messages')).body.conversationId as string;

  it('answers a knowledge-base question in the widget and logs the decision for agents', async () => {
    const visitor = await server.visitor();
    const socket = await visitor.socket();
    const agentSocket = await admin.socket();
    try {
      const decided = nextEvent(agentSocket, 'bot:decision');
      const disclosure = nextEvent(socket, 'message:created', (p) => p.message.from === 'bot');
      const answer = nextEvent(
        socket,
        'message:created',
        (p) => p.message.from === 'bot' && p.message.body.includes('Forgot password'),
      );
      await emitWithAck(socket, 'message:send', {
        clientId: 'bot-q-0001',
        text: 'How do I reset my password? I forgot it',
      });
      // The bot's first message says it is a bot and how to reach a person (EU AI Act Art. 50).
      expect((await disclosure).message.body).toMatch(/automated assistant \(a bot, not a person\).*write "human"/);
      const reply = await answer;
      expect(reply.message).toMatchObject({
        from: 'bot',
        authorName: 'Assistant',
        body: expect.stringContaining('Forgot password'),
      });
      const { decision } = await decided;
      expect(decision).toMatchObject({ action: 'answer', reason: 'confident' });
      expect(decision.candidates[0]).toMatchObject({ title: 'Resetting your password' });
      const detail = await admin.get(`/api/conversations/${await conversationOf(visitor)}`);
      expect(detail.body.conversation.status).toBe('bot');
      expect(detail.body.botDecisions).toHaveLength(1);
      expect(
        detail.body.messages.map((m: { authorKind: string; kind: string }) => `${m.authorKind} ${m.kind}`),
      ).toEqual(['contact message', 'bot message', 'bot event', 'bot message']);
      // That it was shown is recorded with the conversation.
      expect(detail.body.messages[2].body).toBe(
        'Shown to the customer: automated assistant notice (EU AI Act Art. 50), in en',
      );
    } finally {
      socket.close();
      agentSocket.close();
    }
  });

  it('hands an off-topic question to a human with the reason, and then stays silent', async () => {
    const visitor = await server.visitor();
    const socket = await visitor.socket();
    try {
      const handoffLine = nextEvent(
        socket,
        'message:created',
        (p) => p.message.from === 'bot' && p.message.body.includes('asked a colleague'),
      );
      await emitWithAck(socket, 'message:send', {
        clientId: 'bot-q-0002',
        text: 'What is the airspeed velocity of an unladen swallow?',
      });
      expect((await handoffLine).message.body).toContain('I have asked a colleague to join this chat');
      await new Promise((r) => setTimeout(r, 300));
      const id = await conversationOf(visitor);
      const detail = await admin.get(`/api/conversations/${id}`);
      expect(detail.body.conversation.status).toBe('open');
      expect(detail.body.botDecisions[0]).toMatchObject({ action: 'handoff', reason: 'low_confidence' });
      expect(
        detail.body.messages.find((m: { kind: string; body: string }) => m.body.startsWith('Handed to a human')).body,
      ).toMatch(/^Handed to a human: not confident enough/);
      const queue = await admin.get('/api/conversations?status=open');
      expect(queue.body.items.map((c: { id: string }) => c.id)).toContain(id);
      await emitWithAck(socket, 'message:send', { clientId: 'bot-q-0003', text: 'How long does shipping take?' });
      await new Promise((r) => setTimeout(r, 400));
      const after = await admin.get(`/api/conversations/${id}`);
      // Only the disclosure and the hand-off line: nothing new from the bot after the human took over the queue.
      expect(
        after.body.messages.filter(
          (m: { authorKind: string; kind: string }) => m.authorKind === 'bot' && m.kind === 'message',
        ),
      ).toHaveLength(2);
    } finally {
      socket.close();
    }
  });

  it.each([
    ['en', 'I want to talk to a human'],
    ['de', 'Ich möchte mit einem Menschen sprechen'],
    ['fr', 'Je veux parler à un humain'],
    ['fi', 'Haluan puhua ihmisen kanssa'],
    ['sv', 'Jag vill prata med en människa'],
  ])('"I want a human" (%s) hands off at once', async (_lang, text) => {
    const visitor = await server.visitor();
    const socket = await visitor.socket();
    try {
      const line = nextEvent(
        socket,
        'message:created',
        (p) => p.message.from === 'bot' && p.message.body === botTexts(_lang).handoff,
      );
      await emitWithAck(socket, 'message:send', { clientId: `human-${_lang}-0001`, text });
      await line;
      const detail = await admin.get(`/api/conversations/${await conversationOf(visitor)}`);
      expect(detail.body.botDecisions[0]).toMatchObject({ action: 'handoff', reason: 'human_requested' });
      expect(detail.body.conversation.status).toBe('open');
    } finally {
      socket.close();
    }
  });

  it('never speaks once an agent has answered', async () => {
    const visitor = await server.visitor();
    await visitor.post('/api/widget/messages', { clientId: 'agent-first-1', text: 'Hello?' });
    await new Promise((r) => setTimeout(r, 400));
    const id = await conversationOf(visitor);
    await admin.post(`/api/conversations/${id}/messages`, { text: 'Hi, Sam here. How can I help?' });
    await visitor.post('/api/widget/messages', { clientId: 'agent-first-2', text: 'How do I reset my password?' });
    await new Promise((r) => setTimeout(r, 400));
    const detail = await admin.get(`/api/conversations/${id}`);
    expect(detail.body.conversation.status).toBe('open');
    expect(
      detail.body.messages.filter(
        (m: { authorKind: string; body: string }) => m.authorKind === 'bot' && m.body.includes('Forgot password'),
      ),
    ).toHaveLength(0);
  });

  it('admins change the settings and try questions', async () => {
    const settings = await admin.get('/api/bot/settings');
    expect(settings.body).toMatchObject({
      enabled: true,
      embedder: 'lexical',
      ready: true,
      articles: kbSeedFor('en').length,
    });
    const tried = await admin.post('/api/bot/try', { text: 'Do you ship to Norway?' });
    expect(tried.body).toMatchObject({ action: 'answer', article: { title: 'Shipping times and countries' } });
    const offTopic = 'What is the weather in Paris tomorrow?';
    expect((await admin.post('/api/bot/try', { text: offTopic })).body).toMatchObject({
      action: 'handoff',
      reason: 'low_confidence',
    });
    // The threshold is the KB's recommended one until an admin sets their own.
    expect(settings.body).toMatchObject({ thresholdAuto: true, floor: expect.any(Number) });
    expect(settings.body.threshold).toBe(settings.body.recommendedThreshold);
    expect(settings.body.index).toMatchObject({
      state: 'ready',
      fraction: 1,
      articles: kbSeedFor('en').length,
      offTopic: expect.any(Number),
    });
    // A borderline question: handed off at the recommended threshold, answered at a lax one.
    const borderline = 'is my password safe with you';
    expect((await admin.post('/api/bot/try', { text: borderline })).body.action).toBe('handoff');
    const lax = await admin.send('PUT', '/api/bot/settings', { threshold: 0.05 });
    expect(lax.body).toMatchObject({ threshold: 0.05, thresholdAuto: false });
    expect((await admin.post('/api/bot/try', { text: borderline })).body).toMatchObject({
      action: 'answer',
      article: { title: 'Resetting your password' },
    });
    // Unlike every example question: handed off whatever the threshold (the similarity floor).
    expect((await admin.post('/api/bot/try', { text: offTopic })).body.action).toBe('handoff');
    const auto = await admin.send('PUT', '/api/bot/settings', { threshold: null });
    expect(auto.body).toMatchObject({ thresholdAuto: true, threshold: settings.body.recommendedThreshold });
    expect((await admin.send('PUT', '/api/bot/settings', { threshold: 2 })).status).toBe(400);
    const agent = await server.agentClient('agent');
    expect((await agent.send('PUT', '/api/bot/settings', { enabled: false })).status).toBe(403);
  });

  it('shows admins the expected precision and coverage of their KB per threshold', async () => {
    const curve = await admin.get('/api/bot/curve');
    expect(curve.status).toBe(200);
    expect(curve.body.mixes).toEqual([0.03, 0.18, 0.5]);
    expect(curve.body.points).toHaveLength(101);
    expect(curve.body.heldOut.questions).toBeGreaterThan(10);
    expect(curve.body.heldOut.offTopic).toBeGreaterThan(100);
    const at = (t: number) =>
      curve.body.points[Math.round(t * 100)].mixes as Array<{ precision: number; coverage: number }>;
    // Stricter thresholds answer less; more off-topic traffic makes answers less often right.
    expect(at(0.9)[1]!.coverage).toBeLessThanOrEqual(at(0.1)[1]!.coverage);
    expect(at(0.5)[0]!.precision).toBeGreaterThanOrEqual(at(0.5)[2]!.precision);
    const agent = await server.agentClient('agent');
    expect((await agent.get('/api/bot/curve')).status).toBe(403);
  });

  it('rebuilds the index in the background after a KB change and answers meanwhile', async () => {
    const created = await admin.post('/api/kb/articles', {
      title: 'Gift cards',
      body: 'Gift cards are valid for two years and can be used for any order.',
      language: 'en',
      questions: ['How long is a gift card valid?', 'Can I use a gift card online?', 'Do gift cards expire?'],
    });
    expect(created.status).toBe(201);
    // The change is committed: the new index is under way, and the bot still answers from the previous one.
    const during = await admin.get('/api/bot/settings');
    expect(during.body.index.state).toBe('building');
    expect(during.body.index.fraction).toBeLessThan(1);
    expect(during.body.ready).toBe(true);
    expect((await admin.post('/api/bot/try', { text: 'Do you ship to Norway?' })).body.action).toBe('answer');
    await server.bot.whenReady();
    const after = await admin.get('/api/bot/settings');
    expect(after.body.index).toMatchObject({ state: 'ready', articles: kbSeedFor('en').length + 1 });
    expect((await admin.post('/api/bot/try', { text: 'do gift cards expire?' })).body).toMatchObject({
      action: 'answer',
      article: { title: 'Gift cards' },
    });
  });
});
