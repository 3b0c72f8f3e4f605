import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { inboxes } from '../../drizzle/schema/index.ts';
import { dbMode } from '../helpers/db.ts';
import {
  ADMIN_PASSWORD,
  AgentClient,
  VisitorClient,
  startTestServer,
  type TestJson,
  type TestServer,
} from '../helpers/server.ts';

/**
 * Inbox scoping as the agents live it: teams, an admin changing someone's access while they are signed in, the
 * /agent socket carrying only the events of the inboxes they see, assignment, and managers (never scoped).
 * "Received nothing of inbox B" is proved without timing: a socket gets its events in order, so every event it got
 * before a later marker event (a message of inbox A, or its own scope:changed) is all it was ever sent before it.
 */
describe(`agents restricted to inboxes, with teams, on ${dbMode}`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let scoped: AgentClient;
  let everyone: AgentClient;
  let inboxA: string;
  let inboxB: string;
  let visitorA: VisitorClient;
  let visitorB: VisitorClient;
  let conversationA: string;
  let conversationB: string;
  let teamId: string;
  const sockets: Socket[] = [];

  const say = async (visitor: VisitorClient, text: string) => {
    const res = await visitor.post('/api/widget/messages', { clientId: randomUUID(), text });
    expect(res.status).toBe(201);
  };
  const conversationIds = async (agent: AgentClient) =>
    ((await agent.get('/api/conversations?limit=100')).body.items as Array<{ id: string }>).map((c) => c.id).sort();

  /** Every event the socket receives, in order, as [name, payload]. */
  function record(socket: Socket) {
    const seen: Array<[string, TestJson]> = [];
    socket.onAny((name: string, payload: TestJson) => seen.push([name, payload]));
    return seen;
  }
  /** Resolves once `done` holds for the events so far (checked on every arrival). */
  function until(socket: Socket, seen: Array<[string, TestJson]>, done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        socket.offAny(check);
        resolve();
      };
      socket.onAny(check);
      check();
    });
  }
  const inboxOf = ([, payload]: [string, TestJson]) => payload?.conversation?.inboxId as string | undefined;

  beforeAll(async () => {
    server = await startTestServer();
    admin = await AgentClient.login(server.url, server.root.config.adminEmail, ADMIN_PASSWORD);
    inboxA = server.chatInboxId;
    const [other] = await server.root.db.insert(inboxes).values({ name: 'Shop B chat', channel: 'chat' }).returning();
    inboxB = other!.id;
    visitorA = await server.visitor();
    visitorB = await VisitorClient.start(server.url, inboxB, false);
    await say(visitorA, 'Hello from shop A');
    await say(visitorB, 'Hello from shop B');
    conversationA = (await visitorA.get('/api/widget/messages')).body.conversationId;
    conversationB = (await visitorB.get('/api/widget/messages')).body.conversationId;

    scoped = await server.agentClient('agent');
    everyone = await server.agentClient('agent');
    // Restricted to the team's inboxes only: no inbox chosen for the agent personally.
    const team = await admin.post('/api/teams', { name: 'Shop A', memberIds: [scoped.agent.id], inboxIds: [inboxA] });
    expect(team.status).toBe(201);
    teamId = team.body.team.id;
    const access = await admin.send('PUT', `/api/agents/${scoped.agent.id}/access`, {
      scope: 'restricted',
      inboxIds: [],
      teamIds: [teamId],
    });
    expect(access.body.access).toEqual({
      agentId: scoped.agent.id,
      scope: 'restricted',
      inboxIds: [],
      teamIds: [teamId],
      visibleInboxIds: [inboxA],
    });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await server.stop();
  });

  it('starts with every agent seeing every inbox, and the admin sees who sees what', async () => {
    expect(await conversationIds(everyone)).toEqual([conversationA, conversationB].sort());
    const list = await admin.get('/api/agents/access');
    const byAgent = new Map((list.body.items as TestJson[]).map((a) => [a.agentId, a]));
    expect(byAgent.get(everyone.agent.id)).toMatchObject({ scope: 'all', visibleInboxIds: null });
    expect(byAgent.get(scoped.agent.id)).toMatchObject({ scope: 'restricted', visibleInboxIds: [inboxA] });
    expect((await admin.get('/api/teams')).body.items).toEqual([
      { id: teamId, name: 'Shop A', memberIds: [scoped.agent.id], inboxIds: [inboxA] },
    ]);
  });

  it("the socket of a restricted agent carries only its inboxes' events", async () => {
    const socket = await scoped.socket();
    const all = await everyone.socket();
    sockets.push(socket, all);
    const seen = record(socket);
    const seenAll = record(all);
    await say(visitorB, 'Shop B: where is my parcel?');
    await say(visitorA, 'Shop A: where is my parcel?');
    const created = (s: Array<[string, TestJson]>) => s.filter(([name]) => name === 'message:created');
    await until(socket, seen, () => created(seen).some((e) => inboxOf(e) === inboxA));
    await until(all, seenAll, () => created(seenAll).some((e) => inboxOf(e) === inboxA));
    expect(seen.filter((e) => inboxOf(e) === inboxB)).toEqual([]);
    expect(created(seen).map(([, p]) => p.message.body)).toEqual(['Shop A: where is my parcel?']);
    // The unrestricted colleague got both, B's first.
    expect(created(seenAll).map(([, p]) => p.message.body)).toEqual([
      'Shop B: where is my parcel?',
      'Shop A: where is my parcel?',
    ]);
  });

  it("follows a change of the team's inboxes at once, on the open socket and over HTTP", async () => {
    const socket = await scoped.socket();
    sockets.push(socket);
    const seen = record(socket);
    const saved = await admin.send('PUT', `/api/teams/${teamId}`, {
      name: 'Shop A and B',
      memberIds: [scoped.agent.id],
      inboxIds: [inboxA, inboxB],
    });
    expect(saved.status).toBe(200);
    await until(socket, seen, () => seen.some(([name]) => name === 'scope:changed'));
    expect(await conversationIds(scoped)).toEqual([conversationA, conversationB].sort());
    await say(visitorB, 'Shop B: now you can see me');
    await until(socket, seen, () => seen.some((e) => inboxOf(e) === inboxB));
    expect((await scoped.get(`/api/conversations/${conversationB}`)).status).toBe(200);

    // Out of the team, nothing chosen: a restricted agent with no inbox sees none.
    const emptied = await admin.send('PUT', `/api/agents/${scoped.agent.id}/access`, {
      scope: 'restricted',
      inboxIds: [],
      teamIds: [],
    });
    expect(emptied.body.access.visibleInboxIds).toEqual([]);
    const marks = () => seen.filter(([name]) => name === 'scope:changed').length;
    await until(socket, seen, () => marks() === 2);
    const after = seen.length;
    await say(visitorB, 'Shop B: hello?');
    await say(visitorA, 'Shop A: hello?');
    // Given back one inbox: the scope:changed that follows closes the window in which nothing may arrive.
    await admin.send('PUT', `/api/agents/${scoped.agent.id}/access`, {
      scope: 'restricted',
      inboxIds: [inboxA],
      teamIds: [],
    });
    await until(socket, seen, () => marks() === 3);
    const window = seen.slice(after, seen.length - 1);
    expect(window).toEqual([]);
    expect(await conversationIds(scoped)).toEqual([conversationA]);
    expect((await scoped.get(`/api/conversations/${conversationB}`)).body.code).toBe('not_found');
  });

  it('does not assign a conversation to an agent who cannot see its inbox', async () => {
    const refused = await everyone.post(`/api/conversations/${conversationB}/assign`, { agentId: scoped.agent.id });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('assignee_outside_scope');
    const assigned = await everyone.post(`/api/conversations/${conversationA}/assign`, { agentId: scoped.agent.id });
    expect(assigned.status).toBe(200);
    expect(assigned.body.conversation.assignee.id).toBe(scoped.agent.id);
  });

  it('never restricts managers and admins; a team deleted takes its inboxes with it', async () => {
    const manager = await server.agentClient('manager');
    await admin.send('PUT', `/api/agents/${manager.agent.id}/access`, {
      scope: 'restricted',
      inboxIds: [],
      teamIds: [],
    });
    expect(await conversationIds(manager)).toEqual([conversationA, conversationB].sort());
    const view = (await admin.get('/api/agents/access')).body.items.find(
      (a: TestJson) => a.agentId === manager.agent.id,
    );
    expect(view).toMatchObject({ scope: 'restricted', visibleInboxIds: null });

    const member = await server.agentClient('agent');
    const team = await admin.post('/api/teams', { name: 'Shop B', memberIds: [member.agent.id], inboxIds: [inboxB] });
    await admin.send('PUT', `/api/agents/${member.agent.id}/access`, {
      scope: 'restricted',
      inboxIds: [],
      teamIds: [team.body.team.id],
    });
    expect(await conversationIds(member)).toEqual([conversationB]);
    expect((await admin.send('DELETE', `/api/teams/${team.body.team.id}`)).status).toBe(204);
    expect(await conversationIds(member)).toEqual([]);
    expect((await admin.post('/api/teams', { name: 'Shop A and B', memberIds: [], inboxIds: [] })).body.code).toBe(
      'team_exists',
    );
    const unknown = await admin.post('/api/teams', { name: 'Ghosts', memberIds: [], inboxIds: [randomUUID()] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('unknown_inbox');
  });
});
