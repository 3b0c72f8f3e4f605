import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { dbMode } from '../helpers/db.ts';
import {
  connect,
  emitWithAck,
  nextEvent,
  startTestServer,
  type AgentClient,
  type TestServer,
} from '../helpers/server.ts';

describe(`realtime over real sockets on ${dbMode}`, () => {
  let server: TestServer;
  let agent: AgentClient;

  beforeAll(async () => {
    server = await startTestServer();
    agent = await server.agentClient('agent');
  });
  afterAll(() => server.stop());

  it('a visitor message is acked after commit and reaches the agent live; the reply reaches the visitor', async () => {
    const visitor = await server.visitor();
    const [widget, agentSocket] = await Promise.all([visitor.socket(), agent.socket()]);
    try {
      const seen = nextEvent(agentSocket, 'message:created', (p) => p.message.body === 'Hello from the widget');
      const ack = await emitWithAck(widget, 'message:send', {
        clientId: 'rt-client-001',
        text: 'Hello from the widget',
      });
      expect(ack.ok).toBe(true);
      expect(ack.value.message).toMatchObject({
        from: 'visitor',
        body: 'Hello from the widget',
        clientId: 'rt-client-001',
      });
      // Acked means committed: the API already shows it.
      const history = await visitor.get('/api/widget/messages');
      expect(history.body.messages.map((m: { id: string }) => m.id)).toContain(ack.value.message.id);

      const event = await seen;
      expect(event.conversation).toMatchObject({ channel: 'chat', status: 'open' });
      expect(event.message).toMatchObject({ channel: 'chat', direction: 'inbound', authorKind: 'contact' });

      const replySeen = nextEvent(widget, 'message:created', (p) => p.message.from === 'agent');
      await agent.post(`/api/conversations/${event.conversation.id}/messages`, { text: 'Hi, how can I help?' });
      const reply = await replySeen;
      expect(reply.message).toMatchObject({ from: 'agent', body: 'Hi, how can I help?', authorName: agent.agent.name });
    } finally {
      widget.close();
      agentSocket.close();
    }
  });

  it('retrying a send with the same clientId stores the message once', async () => {
    const visitor = await server.visitor();
    const widget = await visitor.socket();
    try {
      const first = await emitWithAck(widget, 'message:send', { clientId: 'retry-client-01', text: 'only once' });
      const second = await emitWithAck(widget, 'message:send', { clientId: 'retry-client-01', text: 'only once' });
      expect(second.value.message.id).toBe(first.value.message.id);
      const history = await visitor.get('/api/widget/messages');
      expect(history.body.messages.filter((m: { body: string }) => m.body === 'only once')).toHaveLength(1);
    } finally {
      widget.close();
    }
  });

  it('internal notes never reach the widget, and a visitor never sees another visitor’s messages', async () => {
    const alice = await server.visitor();
    const bob = await server.visitor();
    const [aliceSocket, bobSocket] = await Promise.all([alice.socket(), bob.socket()]);
    const bobSaw: string[] = [];
    const aliceSaw: string[] = [];
    bobSocket.on('message:created', (p) => bobSaw.push(p.message.body));
    aliceSocket.on('message:created', (p) => aliceSaw.push(p.message.body));
    try {
      const ack = await emitWithAck(aliceSocket, 'message:send', {
        clientId: 'alice-client-1',
        text: 'alice private question',
      });
      expect(ack.ok).toBe(true);
      const conversationId = (await alice.get('/api/widget/messages')).body.conversationId;
      await agent.post(`/api/conversations/${conversationId}/notes`, { text: 'secret internal note' });
      await agent.post(`/api/conversations/${conversationId}/messages`, { text: 'answer for alice' });
      await new Promise((r) => setTimeout(r, 300));
      expect(aliceSaw).toEqual(['alice private question', 'answer for alice']);
      expect(bobSaw).toEqual([]);
    } finally {
      aliceSocket.close();
      bobSocket.close();
    }
  });

  it('an oversized or empty message is refused in the ack and stores nothing', async () => {
    const visitor = await server.visitor();
    const widget = await visitor.socket();
    try {
      const huge = await emitWithAck(widget, 'message:send', { clientId: 'huge-client-1', text: 'x'.repeat(10_001) });
      // The ack carries the limit as a param, so the widget says it in the visitor's language.
      expect(huge).toEqual({
        ok: false,
        error: { code: 'message_too_large', message: expect.any(String), params: { limit: 10_000 } },
      });
      const empty = await emitWithAck(widget, 'message:send', { clientId: 'empty-client-1', text: '  ' });
      expect(empty.ok).toBe(false);
      expect((await visitor.get('/api/widget/messages')).body.messages).toEqual([]);
    } finally {
      widget.close();
    }
  });

  it('refuses a widget socket with a forged token and an agent socket without a session', async () => {
    await expect(
      connect(
        io(`${server.url}/widget`, { transports: ['websocket'], auth: { token: 'forged.token' }, reconnection: false }),
      ),
    ).rejects.toThrow(/invalid_visitor_token/);
    await expect(
      connect(io(`${server.url}/agent`, { transports: ['websocket'], reconnection: false })),
    ).rejects.toThrow(/unauthorized/);
  });

  it('an agent sees assignment and status changes live', async () => {
    const visitor = await server.visitor();
    await visitor.post('/api/widget/messages', { clientId: 'status-client-1', text: 'status please' });
    const conversationId = (await visitor.get('/api/widget/messages')).body.conversationId;
    const other = await server.agentClient('agent');
    const otherSocket = await other.socket();
    try {
      const updated = nextEvent(
        otherSocket,
        'conversation:updated',
        (p) => p.conversation.id === conversationId && p.conversation.status === 'resolved',
      );
      await agent.post(`/api/conversations/${conversationId}/status`, { status: 'resolved' });
      expect((await updated).conversation.status).toBe('resolved');
    } finally {
      otherSocket.close();
    }
  });
});
