import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { AgentClient, VisitorClient, emitWithAck, nextEvent } from '../helpers/server.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, ServerProcess, scratchDatabase } from '../helpers/processes.ts';
import { handshake } from '../helpers/handshake.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PASSWORD = 'a-long-password-for-sessions';

/** One session of an agent with a socket on each server, and what those sockets received. */
type Device = { client: AgentClient; sockets: Socket[]; bodies: string[] };

/**
 * Issue 14 item 5: an agent who logged out, was disabled, or had their password or role changed kept a live /agent
 * socket that still received visitors' messages. Two server processes share PostgreSQL and Redis (as behind a load
 * balancer); the agent holds a socket on each, and the change is made through either server.
 */
describe('ending an agent session cuts their sockets on every server', () => {
  const prefix = `test-${randomBytes(5).toString('hex')}`;
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let a: ServerProcess;
  let b: ServerProcess;
  let admin: AgentClient;
  let watchers: Device;
  let widget: Socket;
  let n = 0;

  /** Opens a socket on each server with this session's cookie, recording the bodies of messages they get. */
  async function onBothServers(client: AgentClient): Promise<Device> {
    const bodies: string[] = [];
    const sockets = await Promise.all(
      [a, b].map((server) => new AgentClient(server.url, client.cookie, client.csrfToken, client.agent).socket()),
    );
    for (const socket of sockets) socket.on('message:created', (p) => bodies.push(p.message.body));
    return { client, sockets, bodies };
  }

  async function newAgent(role: 'agent' | 'admin' = 'agent'): Promise<{ id: string; email: string }> {
    n += 1;
    const email = `session-${n}@test.example`;
    const res = await admin.post('/api/agents', { email, name: `Session ${n}`, role, password: PASSWORD });
    expect(res.status).toBe(201);
    return { id: res.body.agent.id, email };
  }

  /** Resolves with the reason the server gave, or fails when the socket is still connected after a while. */
  function cut(socket: Socket): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the socket was not disconnected')), 10_000);
      socket.once('disconnect', (reason) => {
        clearTimeout(timer);
        resolve(reason);
      });
    });
  }

  /** A visitor writes; returns once the admin's sockets on both servers have it (so it has been fanned out). */
  async function visitorWrites(text: string): Promise<void> {
    const seen = watchers.sockets.map((s) => nextEvent(s, 'message:created', (p) => p.message.body === text));
    expect((await emitWithAck(widget, 'message:send', { clientId: `sessions-${++n}`, text })).ok).toBe(true);
    await Promise.all(seen);
  }

  const close = (device: Device) => device.sockets.forEach((s) => s.close());

  beforeAll(async () => {
    scratch = await scratchDatabase('t_sessions');
    const env = { DATABASE_URL: scratch.url, REDIS_URL, REDIS_PREFIX: prefix };
    [a, b] = await Promise.all([ServerProcess.create({ ...env, CHAT_INBOX: 'Sessions' }), ServerProcess.create(env)]);
    await Promise.all([a.start(), b.start()]);
    admin = await AgentClient.login(a.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    watchers = await onBothServers(admin);
    widget = await (await VisitorClient.start(a.url, a.inboxId!, false)).socket();
  }, 120_000);

  afterAll(async () => {
    widget?.close();
    if (watchers) close(watchers);
    await Promise.all([a?.dispose(), b?.dispose()]);
    await scratch?.drop();
  });

  it('logout: the sockets of that session close on both servers; the agent’s other session keeps its own', async () => {
    const { email } = await newAgent();
    const laptop = await onBothServers(await AgentClient.login(a.url, email, PASSWORD));
    const phone = await onBothServers(await AgentClient.login(b.url, email, PASSWORD));
    try {
      const closed = laptop.sockets.map(cut);
      const viaB = new AgentClient(b.url, laptop.client.cookie, laptop.client.csrfToken, laptop.client.agent);
      expect((await viaB.post('/api/auth/logout')).status).toBe(204);
      expect(await Promise.all(closed)).toEqual(['io server disconnect', 'io server disconnect']);

      const phoneSees = phone.sockets.map((s) =>
        nextEvent(s, 'message:created', (p) => p.message.body === 'after logout'),
      );
      await visitorWrites('after logout');
      await Promise.all(phoneSees);
      expect(laptop.bodies).not.toContain('after logout');
      expect(phone.sockets.every((s) => s.connected)).toBe(true);
      for (const server of [a, b]) {
        expect(await handshake(`${server.url}/agent`, { cookie: laptop.client.cookie })).toEqual({
          outcome: 'refused',
          message: 'unauthorized',
        });
      }
    } finally {
      close(laptop);
      close(phone);
    }
  });

  it('disabling: every socket of the agent closes on both servers and none opens again', async () => {
    const { id, email } = await newAgent();
    const device = await onBothServers(await AgentClient.login(b.url, email, PASSWORD));
    try {
      const closed = device.sockets.map(cut);
      expect((await admin.send('PATCH', `/api/agents/${id}`, { disabled: true })).status).toBe(200);
      expect(await Promise.all(closed)).toEqual(['io server disconnect', 'io server disconnect']);

      await visitorWrites('after disabling');
      expect(device.bodies).not.toContain('after disabling');
      expect(await handshake(`${b.url}/agent`, { cookie: device.client.cookie })).toMatchObject({ outcome: 'refused' });
    } finally {
      close(device);
    }
  });

  it('a new password: every socket of the agent closes on both servers, the old session is over', async () => {
    const { id, email } = await newAgent();
    const device = await onBothServers(await AgentClient.login(a.url, email, PASSWORD));
    try {
      const closed = device.sockets.map(cut);
      const viaB = new AgentClient(b.url, admin.cookie, admin.csrfToken, admin.agent);
      expect((await viaB.send('PATCH', `/api/agents/${id}`, { password: `${PASSWORD}-new` })).status).toBe(200);
      expect(await Promise.all(closed)).toEqual(['io server disconnect', 'io server disconnect']);

      await visitorWrites('after a new password');
      expect(device.bodies).not.toContain('after a new password');
      expect(await handshake(`${a.url}/agent`, { cookie: device.client.cookie })).toMatchObject({ outcome: 'refused' });
      expect((await device.client.get('/api/auth/me')).status).toBe(401);
    } finally {
      close(device);
    }
  });

  it('a new role: the sockets close on both servers, and the session goes on with the new role at once', async () => {
    const { id, email } = await newAgent('admin');
    const device = await onBothServers(await AgentClient.login(a.url, email, PASSWORD));
    try {
      const closed = device.sockets.map(cut);
      expect((await admin.send('PATCH', `/api/agents/${id}`, { role: 'agent' })).status).toBe(200);
      expect(await Promise.all(closed)).toEqual(['io server disconnect', 'io server disconnect']);

      await visitorWrites('after a new role');
      expect(device.bodies).not.toContain('after a new role');
      // The session stays (a role change is not a sign-out), but every request reads the role afresh.
      const me = await device.client.get('/api/auth/me');
      expect(me.body.agent.role).toBe('agent');
      const asAdmin = await device.client.post('/api/agents', {
        email: `not-created-${n}@test.example`,
        name: 'Not created',
        role: 'admin',
        password: PASSWORD,
      });
      expect(asAdmin.status).toBe(403);
      // A reconnect is welcome: it reads the agent again.
      expect(await handshake(`${b.url}/agent`, { cookie: device.client.cookie })).toEqual({ outcome: 'connected' });
    } finally {
      close(device);
    }
  });
});
