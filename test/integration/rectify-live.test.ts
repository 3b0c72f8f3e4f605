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
 * Issue 15 item 10: a rectified contact shows on every agent's screen at once. The /agent sockets of every agent who
 * sees one of the contact's conversations get `contact:updated` with the new details; an agent restricted to other
 * inboxes gets nothing (proved without timing: a socket gets its events in order, so what it got before a later
 * marker event is all it was sent before it).
 */
describe(`rectification reaches every agent's screen live on ${dbMode}`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let editor: AgentClient;
  let colleague: AgentClient;
  let outsider: AgentClient;
  let inboxA: string;
  let inboxB: string;
  let visitorA: VisitorClient;
  let visitorB: VisitorClient;
  let contactA: string;
  const sockets: Socket[] = [];

  const say = async (visitor: VisitorClient, text: string) => {
    const res = await visitor.post('/api/widget/messages', { clientId: randomUUID(), text });
    expect(res.status).toBe(201);
  };
  /** Every event the socket receives, in order, as [name, payload]. */
  function record(socket: Socket) {
    const seen: Array<[string, TestJson]> = [];
    socket.onAny((name: string, payload: TestJson) => seen.push([name, payload]));
    return seen;
  }
  /** Resolves once `done` holds for the events so far (checked on every arrival). */
  function until(socket: Socket, done: () => boolean): Promise<void> {
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
  const restrict = async (agent: AgentClient, inboxIds: string[]) => {
    const res = await admin.send('PUT', `/api/agents/${agent.agent.id}/access`, {
      scope: 'restricted',
      inboxIds,
      teamIds: [],
    });
    expect(res.status).toBe(200);
  };

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
    const conversationA = (await visitorA.get('/api/widget/messages')).body.conversationId;
    editor = await server.agentClient('agent');
    colleague = await server.agentClient('agent');
    outsider = await server.agentClient('agent');
    await restrict(colleague, [inboxA]);
    await restrict(outsider, [inboxB]);
    contactA = (await editor.get(`/api/conversations/${conversationA}`)).body.contact.id;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await server?.stop();
  });

  it("every agent who sees the contact's inboxes gets the new details; one of another inbox does not", async () => {
    const [editorSocket, colleagueSocket, outsiderSocket] = await Promise.all(
      [editor, colleague, outsider].map((a) => a.socket()),
    );
    sockets.push(editorSocket!, colleagueSocket!, outsiderSocket!);
    const [seenByEditor, seenByColleague, seenByOutsider] = [editorSocket!, colleagueSocket!, outsiderSocket!].map(
      record,
    );

    const res = await editor.send('PATCH', `/api/contacts/${contactA}`, {
      name: 'Ada Rectified',
      email: 'ada.rectified@example.org',
    });
    expect(res.status).toBe(200);

    const expected = {
      contact: { id: contactA, name: 'Ada Rectified', email: 'ada.rectified@example.org', phone: null },
    };
    const updated = (seen: Array<[string, TestJson]>) => seen.filter(([name]) => name === 'contact:updated');
    await until(editorSocket!, () => updated(seenByEditor!).length > 0);
    await until(colleagueSocket!, () => updated(seenByColleague!).length > 0);
    expect(updated(seenByEditor!)).toEqual([['contact:updated', expected]]);
    expect(updated(seenByColleague!)).toEqual([['contact:updated', expected]]);

    // A later message of inbox B is the outsider's marker: nothing about contact A came before it.
    await say(visitorB, 'Shop B again');
    await until(outsiderSocket!, () => seenByOutsider!.some(([name]) => name === 'message:created'));
    expect(updated(seenByOutsider!)).toEqual([]);
    expect(JSON.stringify(seenByOutsider)).not.toContain('Ada Rectified');

    // What a reload would show is the same.
    const list = (await colleague.get(`/api/conversations?inbox=${inboxA}`)).body.items as TestJson[];
    expect(list.find((c) => c.contact.id === contactA).contact.name).toBe('Ada Rectified');
  });

  it('an edit that changes nothing announces nothing', async () => {
    const socket = await colleague.socket();
    sockets.push(socket);
    const seen = record(socket);
    expect((await editor.send('PATCH', `/api/contacts/${contactA}`, { name: 'Ada Rectified' })).status).toBe(200);
    await say(visitorA, 'Marker message');
    await until(socket, () => seen.some(([name]) => name === 'message:created'));
    expect(seen.filter(([name]) => name === 'contact:updated')).toEqual([]);
  });
});
