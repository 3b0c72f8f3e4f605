import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Socket } from 'socket.io-client';
import { auditLog, conversations, inboxes } from '../../drizzle/schema/index.ts';
import { dbMode } from '../helpers/db.ts';
import {
  ADMIN_PASSWORD,
  AgentClient,
  VisitorClient,
  nextEvent,
  startTestServer,
  type TestJson,
  type TestServer,
} from '../helpers/server.ts';

/**
 * Conversations assigned to teams, as agents use it: the team serves the conversation's inbox or the assignment is
 * refused; the list filters by team ("my teams", "no team", one team); everyone who sees the inbox sees the change at
 * once; a restricted member sees only their teams' inboxes (the one scoping mechanism of server/domain/scope.ts);
 * a team that stops serving an inbox, or is deleted, lets go of its conversations there.
 */
describe(`conversations assigned to teams on ${dbMode}`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let member: AgentClient;
  let outsider: AgentClient;
  let inboxA: string;
  let inboxB: string;
  let conversationA: string;
  let conversationB: string;
  let billing: string;
  let shipping: string;
  const sockets: Socket[] = [];

  const say = async (visitor: VisitorClient, text: string) => {
    const res = await visitor.post('/api/widget/messages', { clientId: randomUUID(), text });
    expect(res.status).toBe(201);
    return (await visitor.get('/api/widget/messages')).body.conversationId as string;
  };
  const listed = async (agent: AgentClient, query = '') =>
    ((await agent.get(`/api/conversations?limit=100${query}`)).body.items as TestJson[]).map((c) => c.id).sort();
  const setTeam = (agent: AgentClient, conversationId: string, teamId: string | null) =>
    agent.post(`/api/conversations/${conversationId}/team`, { teamId });

  beforeAll(async () => {
    server = await startTestServer();
    admin = await AgentClient.login(server.url, server.root.config.adminEmail, ADMIN_PASSWORD);
    inboxA = server.chatInboxId;
    const [other] = await server.root.db.insert(inboxes).values({ name: 'Shop B chat', channel: 'chat' }).returning();
    inboxB = other!.id;
    conversationA = await say(await server.visitor(), 'My invoice is wrong');
    conversationB = await say(await VisitorClient.start(server.url, inboxB, false), 'Where is my parcel?');
    member = await server.agentClient('agent');
    outsider = await server.agentClient('agent');
    const a = await admin.post('/api/teams', { name: 'Billing', memberIds: [member.agent.id], inboxIds: [inboxA] });
    const b = await admin.post('/api/teams', { name: 'Shipping', memberIds: [], inboxIds: [inboxB] });
    billing = a.body.team.id;
    shipping = b.body.team.id;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await server.stop();
  });

  it('assigns a conversation to a team of its inbox: list and audit show it, everyone sees it live', async () => {
    const socket = await outsider.socket();
    sockets.push(socket);
    const updated = nextEvent(socket, 'conversation:updated', (p: TestJson) => p.conversation.id === conversationA);
    const marker = nextEvent(socket, 'message:created', (p: TestJson) => p.message.kind === 'event');

    const res = await setTeam(member, conversationA, billing);
    expect(res.status).toBe(200);
    expect(res.body.conversation.team).toEqual({ id: billing, name: 'Billing' });
    expect((await updated).conversation.team).toEqual({ id: billing, name: 'Billing' });
    const event = (await marker).message;
    expect(event).toMatchObject({ body: 'Assigned to team Billing', authorName: member.agent.name });

    const detail = await outsider.get(`/api/conversations/${conversationA}`);
    expect(detail.body.conversation.team).toEqual({ id: billing, name: 'Billing' });
    const [entry] = await server.root.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'conversation.team_changed'), eq(auditLog.targetId, conversationA)));
    expect(entry).toMatchObject({ actorId: member.agent.id, targetType: 'conversation' });
    // The entry names the conversation's contact, so that person's audit view finds it by its index.
    const [conversation] = await server.root.db.select().from(conversations).where(eq(conversations.id, conversationA));
    expect(entry!.details).toEqual({ contactId: conversation!.contactId, teamId: billing, previousTeamId: null });
  });

  it("refuses a team that does not serve the conversation's inbox, and an unknown team", async () => {
    const res = await setTeam(admin, conversationA, shipping);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('team_outside_inbox');
    expect(res.body.message).toContain('Shipping');
    expect((await setTeam(admin, conversationA, randomUUID())).status).toBe(404);
    expect((await admin.get(`/api/conversations/${conversationA}`)).body.conversation.team.id).toBe(billing);
  });

  it('filters the list by my teams, by no team and by one team', async () => {
    expect(await setTeam(admin, conversationB, shipping)).toMatchObject({ status: 200 });
    expect(await listed(member, '&team=mine')).toEqual([conversationA]);
    expect(await listed(outsider, '&team=mine')).toEqual([]);
    expect(await listed(admin, `&team=${shipping}`)).toEqual([conversationB]);
    expect(await setTeam(admin, conversationB, null)).toMatchObject({ status: 200 });
    expect(await listed(admin, '&team=none')).toEqual([conversationB]);
    const items = (await admin.get('/api/conversations?limit=100')).body.items as TestJson[];
    expect(items.find((c) => c.id === conversationA).team).toEqual({ id: billing, name: 'Billing' });
    expect(items.find((c) => c.id === conversationB).team).toBeNull();
  });

  it("every agent reads the team directory; a restricted member sees only their teams' inboxes", async () => {
    expect((await outsider.get('/api/teams/directory')).body.items).toEqual([
      { id: billing, name: 'Billing', inboxIds: [inboxA], mine: false },
      { id: shipping, name: 'Shipping', inboxIds: [inboxB], mine: false },
    ]);
    const access = await admin.send('PUT', `/api/agents/${member.agent.id}/access`, {
      scope: 'restricted',
      inboxIds: [],
      teamIds: [billing],
    });
    expect(access.status).toBe(200);
    expect(await listed(member)).toEqual([conversationA]);
    expect((await member.get(`/api/conversations/${conversationB}`)).status).toBe(404);
    expect((await setTeam(member, conversationB, shipping)).status).toBe(404);
    expect((await member.get('/api/teams/directory')).body.items).toEqual([
      { id: billing, name: 'Billing', inboxIds: [inboxA], mine: true },
    ]);
  });

  it('a team that stops serving an inbox, or is deleted, lets go of its conversations there', async () => {
    const socket = await outsider.socket();
    sockets.push(socket);
    const changed = nextEvent(socket, 'teams:changed');
    const saved = await admin.send('PUT', `/api/teams/${billing}`, {
      name: 'Billing',
      memberIds: [member.agent.id],
      inboxIds: [inboxB],
    });
    expect(saved.status).toBe(200);
    await changed;
    expect((await admin.get(`/api/conversations/${conversationA}`)).body.conversation.team).toBeNull();

    expect(await setTeam(admin, conversationB, billing)).toMatchObject({ status: 200 });
    expect((await admin.send('DELETE', `/api/teams/${billing}`)).status).toBe(204);
    expect((await admin.get(`/api/conversations/${conversationB}`)).body.conversation.team).toBeNull();
    const [deleted] = await server.root.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'team.deleted'), eq(auditLog.targetId, billing)));
    expect(deleted!.details).toEqual({ releasedConversations: 1 });
  });
});
