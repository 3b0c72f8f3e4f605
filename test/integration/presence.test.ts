import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { dbMode } from '../helpers/db.ts';
import { emitWithAck, nextEvent, startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { messages } from '../../drizzle/schema/index.ts';
import { eq } from 'drizzle-orm';

/** Local calendar date (YYYY-MM-DD) in a zone, `plusDays` from now. */
function localDate(timeZone: string, plusDays: number): string {
  const today = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + plusDays);
  return d.toISOString().slice(0, 10);
}

describe(`presence over real sockets on ${dbMode}`, () => {
  let server: TestServer;
  let agent: AgentClient;
  let admin: AgentClient;
  const sockets: Socket[] = [];
  const track = (s: Socket) => (sockets.push(s), s);

  beforeAll(async () => {
    server = await startTestServer();
    [agent, admin] = await Promise.all([server.agentClient('agent'), server.agentClient('admin')]);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server.stop();
  });

  async function chatWithConversation(text: string) {
    const visitor = await server.visitor();
    const widget = track(await visitor.socket());
    const ack = await emitWithAck(widget, 'message:send', { clientId: `c-${Date.now()}-${text.length}`, text });
    expect(ack.ok).toBe(true);
    const conversationId = (await visitor.get('/api/widget/messages')).body.conversationId as string;
    return { visitor, widget, conversationId };
  }

  it('typing goes both ways, throttled, and is never stored', async () => {
    const { widget, conversationId } = await chatWithConversation('Hello, a question about sizes');
    const agentSocket = track(await agent.socket());
    const stored = async () =>
      (await server.root.db.select().from(messages).where(eq(messages.conversationId, conversationId))).length;
    const before = await stored();

    const visitorTyping = nextEvent(agentSocket, 'conversation:typing', (p) => p.conversationId === conversationId);
    widget.emit('typing', { typing: true });
    expect(await visitorTyping).toEqual({ conversationId, who: 'visitor', agentId: null, name: null, typing: true });

    // A burst of "typing" from the visitor reaches the agent once; "stopped" always goes through.
    const seen: boolean[] = [];
    agentSocket.on('conversation:typing', (p) => p.conversationId === conversationId && seen.push(p.typing));
    for (let i = 0; i < 5; i++) widget.emit('typing', { typing: true });
    const stopped = nextEvent(agentSocket, 'conversation:typing', (p) => p.typing === false);
    widget.emit('typing', { typing: false });
    await stopped;
    expect(seen).toEqual([false]);

    const agentTyping = nextEvent(widget, 'agent:typing');
    agentSocket.emit('typing', { conversationId, typing: true });
    expect(await agentTyping).toEqual({ typing: true, name: agent.agent.name });
    const agentStopped = nextEvent(widget, 'agent:typing', (p) => p.typing === false);
    agentSocket.emit('typing', { conversationId, typing: false });
    await agentStopped;

    expect(await stored()).toBe(before);
    expect((await agent.get(`/api/conversations/${conversationId}`)).body.messages).toHaveLength(before);
  });

  it('an agent typing in a conversation they cannot see reaches nobody', async () => {
    const { widget, conversationId } = await chatWithConversation('Private question');
    const restricted = await server.agentClient('agent');
    const res = await admin.send('PUT', `/api/agents/${restricted.agent.id}/access`, {
      scope: 'restricted',
      inboxIds: [],
      teamIds: [],
    });
    expect(res.status).toBe(200);
    const socket = track(await restricted.socket());
    const got: unknown[] = [];
    widget.on('agent:typing', (p) => got.push(p));
    socket.emit('typing', { conversationId, typing: true });
    socket.emit('typing', { conversationId: 'not-a-uuid', typing: true });
    await new Promise((r) => setTimeout(r, 400));
    expect(got).toEqual([]);
  });

  it('"seen" both ways: the agent sees when the visitor read, the visitor when an agent read', async () => {
    const { widget, conversationId } = await chatWithConversation('Did you get my order?');
    const agentSocket = track(await agent.socket());

    const visitorSeen = nextEvent(agentSocket, 'conversation:seen', (p) => p.conversationId === conversationId);
    widget.emit('seen', {});
    const seenByVisitor = await visitorSeen;
    expect(seenByVisitor).toMatchObject({ conversationId, by: 'visitor' });
    expect(Date.parse(seenByVisitor.at)).toBeGreaterThan(Date.now() - 60_000);

    expect((await agent.post(`/api/conversations/${conversationId}/read`)).status).toBe(204);
    const agentSeen = nextEvent(widget, 'agent:seen');
    // The agent opening the conversation also learns when the visitor last read it (so a reload shows it).
    const visitorReadReplay = nextEvent(
      agentSocket,
      'conversation:seen',
      (p) => p.conversationId === conversationId && p.by === 'visitor',
    );
    agentSocket.emit('conversation:seen', { conversationId });
    const { at } = await agentSeen;
    expect((await visitorReadReplay).at).toBe(seenByVisitor.at);
    // The same time the widget gets after a reload.
    const view = await emitWithAck(widget, 'presence:get', {});
    expect(view.value.agentReadAt).toBe(at);
  });

  it('a "seen" right after another is written once the throttle interval is over, never dropped', async () => {
    const { widget, conversationId } = await chatWithConversation('Is my parcel on its way?');
    const agentSocket = track(await agent.socket());
    const seenTimes: string[] = [];
    agentSocket.on('conversation:seen', (p) => {
      if (p.conversationId === conversationId && p.by === 'visitor') seenTimes.push(p.at);
    });
    widget.emit('seen', {});
    await expect.poll(() => seenTimes.length).toBe(1);
    // The visitor reads an agent's reply a moment later: that read counts, it is written after the interval.
    widget.emit('seen', {});
    widget.emit('seen', {});
    await expect.poll(() => seenTimes.length, { timeout: 10_000 }).toBe(2);
    expect(Date.parse(seenTimes[1]!)).toBeGreaterThan(Date.parse(seenTimes[0]!));
    // A burst is one write, not one per "seen".
    await new Promise((r) => setTimeout(r, 2_500));
    expect(seenTimes).toHaveLength(2);
  });

  it("agents' online/away state follows their sockets and their choice", async () => {
    const watcher = track(await admin.socket());
    const colleague = await server.agentClient('agent');
    const online = nextEvent(watcher, 'agent:presence', (p) => p.agentId === colleague.agent.id);
    const socket = await colleague.socket();
    expect(await online).toEqual({ agentId: colleague.agent.id, state: 'online' });

    const away = nextEvent(watcher, 'agent:presence', (p) => p.agentId === colleague.agent.id && p.state === 'away');
    const setAck = await emitWithAck(socket, 'presence:set', { state: 'away' });
    expect(setAck).toEqual({ ok: true, value: { state: 'away' } });
    await away;
    const list = await emitWithAck(watcher, 'presence:list', {});
    expect(list.value.agents).toContainEqual({ agentId: colleague.agent.id, state: 'away' });
    expect(list.value.agents).toContainEqual({ agentId: admin.agent.id, state: 'online' });

    const offline = nextEvent(
      watcher,
      'agent:presence',
      (p) => p.agentId === colleague.agent.id && p.state === 'offline',
    );
    socket.close();
    await offline;
    const after = await emitWithAck(watcher, 'presence:list', {});
    expect(after.value.agents.map((a: { agentId: string }) => a.agentId)).not.toContain(colleague.agent.id);
  });

  it('business hours: admins set them; outside them the widget learns when the team is back', async () => {
    const zone = 'Europe/Helsinki';
    const everyDay = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: '09:00', close: '17:00' }));
    const bad = await admin.send('PUT', `/api/inboxes/${server.chatInboxId}/business-hours`, {
      timeZone: 'Mars/Olympus',
      windows: everyDay,
      holidays: [],
      visitorGoneMinutes: 5,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_business_hours');
    expect(
      (await agent.send('PUT', `/api/inboxes/${server.chatInboxId}/business-hours`, { timeZone: zone })).status,
    ).toBe(403);

    // Today and tomorrow are holidays: the team is back the day after, at 09:00 Helsinki time.
    const holidays = [localDate(zone, 0), localDate(zone, 1)];
    const put = await admin.send('PUT', `/api/inboxes/${server.chatInboxId}/business-hours`, {
      timeZone: zone,
      windows: everyDay,
      holidays,
      visitorGoneMinutes: 5,
    });
    expect(put.status).toBe(200);
    expect((await admin.get(`/api/inboxes/${server.chatInboxId}/business-hours`)).body.hours.holidays).toEqual(
      holidays,
    );

    const { widget } = await chatWithConversation('Are you there?');
    const view = await emitWithAck(widget, 'presence:get', {});
    expect(view.ok).toBe(true);
    const back = new Date(view.value.availability.backAt);
    const backLocal = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(back);
    expect(backLocal).toBe(`${localDate(zone, 2)}, 09:00`);
    expect(view.value.availability).toMatchObject({ open: false, timeZone: zone, usualWaitMinutes: null });
    expect(view.value.joined).toBe(false);

    expect((await admin.send('DELETE', `/api/inboxes/${server.chatInboxId}/business-hours`)).status).toBe(204);
    expect((await admin.get(`/api/inboxes/${server.chatInboxId}/business-hours`)).body).toEqual({ hours: null });
    const open = await emitWithAck(widget, 'presence:get', {});
    expect(open.value.availability).toMatchObject({ open: true, backAt: null });
    expect(open.value.availability.usualWaitMinutes).toBeGreaterThanOrEqual(2);
  });
});
