import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { openDatabase, type Database } from '../../server/db/client.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import { AgentClient, VisitorClient, emitWithAck, nextEvent } from '../helpers/server.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, ServerProcess, scratchDatabase } from '../helpers/processes.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Two server processes on one PostgreSQL database and the machine's Redis, as behind a load
 * balancer: the visitor's socket lands on server A, the agent's on server B. Each run uses its own
 * Redis prefix, so parallel runs (and other installations on the same Redis) never see each other.
 */
describe('two servers sharing rooms through the Redis adapter', () => {
  const prefix = `test-${randomBytes(5).toString('hex')}`;
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let database: Database;
  let a: ServerProcess;
  let b: ServerProcess;
  let inboxId: string;

  beforeAll(async () => {
    scratch = await scratchDatabase('t_redis');
    const env = { DATABASE_URL: scratch.url, REDIS_URL, REDIS_PREFIX: prefix };
    [a, b] = await Promise.all([ServerProcess.create(env), ServerProcess.create(env)]);
    // Both at once: migrations serialize on the advisory lock, the token secret is shared through the database.
    await Promise.all([a.start(), b.start()]);
    database = await openDatabase({ databaseUrl: scratch.url, poolSize: 2 });
    const [inbox] = await database.db.insert(inboxes).values({ name: 'Scale chat', channel: 'chat' }).returning();
    inboxId = inbox!.id;
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.dispose(), b?.dispose()]);
    await database?.close();
    await scratch?.drop();
  });

  it('a visitor on server A and an agent on server B exchange messages both ways', async () => {
    const visitor = await VisitorClient.start(a.url, inboxId, false);
    const agent = await AgentClient.login(b.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    const [widget, inbox] = await Promise.all([visitor.socket(), agent.socket()]);
    try {
      const seenByAgent = nextEvent(inbox, 'message:created', (p) => p.message.body === 'Hello from server A');
      const ack = await emitWithAck(widget, 'message:send', {
        clientId: 'scale-redis-01',
        text: 'Hello from server A',
      });
      expect(ack.ok).toBe(true);
      const event = await seenByAgent;
      expect(event.message).toMatchObject({ direction: 'inbound', authorKind: 'contact', body: 'Hello from server A' });

      // The reply is committed by server B; the visitor's socket lives on server A.
      const seenByVisitor = nextEvent(widget, 'message:created', (p) => p.message.from === 'agent');
      const reply = await agent.post(`/api/conversations/${event.conversation.id}/messages`, {
        text: 'Hello from server B',
      });
      expect(reply.status).toBe(201);
      expect((await seenByVisitor).message).toMatchObject({ from: 'agent', body: 'Hello from server B' });

      // And the other way round: an agent socket on A sees what a visitor sends through B's HTTP route.
      const agentOnA = await (await AgentClient.login(a.url, ADMIN_EMAIL, ADMIN_PASSWORD)).socket();
      try {
        const seenOnA = nextEvent(
          agentOnA,
          'message:created',
          (p) => p.message.body === 'Second message, via server B',
        );
        const visitorViaB = new VisitorClient(b.url, visitor.token, visitor.visitorId);
        expect(
          (
            await visitorViaB.post('/api/widget/messages', {
              clientId: 'scale-redis-02',
              text: 'Second message, via server B',
            })
          ).status,
        ).toBe(201);
        expect((await seenOnA).conversation.id).toBe(event.conversation.id);
      } finally {
        agentOnA.close();
      }
    } finally {
      widget.close();
      inbox.close();
    }
  });

  it('ending a visitor session on one server cuts the visitor socket held by the other', async () => {
    const visitor = await VisitorClient.start(a.url, inboxId, false);
    const widget = await visitor.socket();
    try {
      const cut = new Promise<string>((resolve) => widget.once('disconnect', (reason) => resolve(String(reason))));
      const viaB = new VisitorClient(b.url, visitor.token, visitor.visitorId);
      expect((await viaB.post('/api/widget/consent', { purpose: 'support', granted: false })).status).toBe(200);
      expect(await cut).toBe('io server disconnect');
    } finally {
      widget.close();
    }
  });

  it('publishes only on channels under its own REDIS_PREFIX', async () => {
    const redis = new Redis(REDIS_URL);
    try {
      const channels = (await redis.pubsub('CHANNELS', `${prefix}:*`)) as string[];
      expect(channels.length).toBeGreaterThan(0);
      expect(channels.every((c) => c.startsWith(`${prefix}:socket.io`))).toBe(true);
    } finally {
      redis.disconnect();
    }
  });
});
