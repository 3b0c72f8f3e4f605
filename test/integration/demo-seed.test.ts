import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { count, eq, inArray } from 'drizzle-orm';
import { dbMode, testDatabase } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { FakeSlack } from '../helpers/fake-slack.ts';
import { loadConfig } from '../../server/config.ts';
import { startServer } from '../../server/server.ts';
import { createAgent } from '../../server/domain/agents.ts';
import type { Database } from '../../server/db/client.ts';
import { agents, conversations, inboxes, instanceSettings, messages } from '../../drizzle/schema/index.ts';

type Figure = { value: number | null; suppressed: boolean };

/**
 * What a newcomer meets after `npm start`: the demo data. Every channel has a conversation in the inbox, and
 * the managers' dashboard shows real figures on a first look (a month of past chats, some settled by the bot).
 */
describe(`the demo data on ${dbMode}`, () => {
  let server: TestServer;
  let manager: AgentClient;

  beforeAll(async () => {
    server = await startTestServer({ SEED_DEMO: 'true' });
    manager = await server.agentClient('manager');
  });
  afterAll(() => server?.stop());

  it('fills the inbox with a conversation on every channel', async () => {
    const res = await manager.get('/api/conversations?limit=100');
    expect(res.status).toBe(200);
    const items = (res.body as { items: Array<{ channel: string }> }).items;
    expect(new Set(items.map((c) => c.channel))).toEqual(new Set(['chat', 'email', 'sms', 'voice', 'slack']));
  });

  it("opens the demo email inbox's settings: not connected, its address kept, the servers to fill in", async () => {
    const admin = await server.agentClient('admin');
    const [email] = await server.root.db.select().from(inboxes).where(eq(inboxes.channel, 'email'));
    const res = await admin.get(`/api/inboxes/${email!.id}/email`);
    expect(res.status).toBe(200);
    expect(res.body.inbox).toMatchObject({
      connected: false,
      settings: { address: 'support@acme.example', imap: { host: '', passwordSet: false }, smtp: { host: '' } },
      mailbox: { state: 'stopped' },
    });
  });

  it('gives the dashboard figures for every metric, the bot included, over the contacts who agreed', async () => {
    const res = await manager.get('/api/analytics/dashboard?tz=Europe/Berlin');
    expect(res.status).toBe(200);
    const d = res.body as {
      coverage: { consenting: number; contacts: number; percent: number };
      volume: { conversations: Figure; messages: Figure; days: unknown[] };
      firstResponse: { median: Figure };
      resolution: { median: Figure };
      bot: {
        conversations: Figure;
        deflectionRate: Figure;
        handoffReasons: Array<{ reason: string; handoffs: Figure }>;
      };
      heatmap: unknown[];
      satisfaction: { average: Figure; ratings: Figure };
    };
    expect(d.coverage.consenting).toBeGreaterThan(0);
    expect(d.coverage.consenting).toBeLessThan(d.coverage.contacts);
    expect(d.volume.conversations.value).toBeGreaterThanOrEqual(40);
    expect(d.volume.days.length).toBeGreaterThan(0);
    expect(d.firstResponse.median.value).toBeGreaterThan(0);
    expect(d.resolution.median.value).toBeGreaterThan(0);
    expect(d.bot.conversations.value).toBeGreaterThanOrEqual(5);
    expect(d.bot.deflectionRate.value).toBeGreaterThan(0);
    expect(d.bot.deflectionRate.value).toBeLessThan(1);
    expect(d.bot.handoffReasons.find((r) => r.reason === 'human_requested')?.handoffs.value).toBeGreaterThanOrEqual(5);
    expect(d.heatmap.length).toBeGreaterThan(0);
    expect(d.satisfaction.ratings.value).toBeGreaterThanOrEqual(5);
    expect(d.satisfaction.average.value).toBeGreaterThanOrEqual(1);
  });
});

/**
 * The demo on a deployment whose channels are configured by environment (Slack, and an email inbox from
 * EMAIL_*): the demo lands in the inboxes the configuration made, not in twins beside them; its replies reach
 * no provider; a restart seeds nothing more. Servers started one after another on one database.
 */
// Each test starts two servers that each seed the whole demo: slower than one request, so a longer budget.
describe(`the demo data with Slack and email configured by environment on ${dbMode}`, { timeout: 120_000 }, () => {
  let slack: FakeSlack;
  let mailServer: Server;
  let mailConnections = 0;
  let database: (Database & { url?: string }) | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'demo-env-'));

  beforeAll(async () => {
    slack = await FakeSlack.start();
    // Where IMAP and SMTP point: a listener that only counts who connects (the demo must send no mail).
    mailServer = createServer((socket) => {
      mailConnections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => mailServer.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });
  afterAll(async () => {
    await slack?.close();
    await new Promise((resolve) => mailServer?.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  const slackEnv = () => ({
    SLACK_SIGNING_SECRET: 'demo-signing-secret-0123456789',
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_CHANNELS: 'C0SUPPORT1',
    SLACK_API_URL: slack.apiUrl,
    OUTBOUND_ALLOW_HOSTS: new URL(slack.apiUrl).host,
  });
  const emailEnv = () => {
    const port = (mailServer.address() as AddressInfo).port;
    return {
      EMAIL_ADDRESS: 'support@shop.example',
      EMAIL_INBOX_NAME: 'Shop support',
      EMAIL_IMAP_URL: `imaps://support%40shop.example:app-password@127.0.0.1:${port}/INBOX`,
      EMAIL_SMTP_URL: `smtps://support%40shop.example:app-password@127.0.0.1:${port}`,
      EMAIL_IMAP_ENABLED: 'false',
    };
  };

  /** Starts a server on the shared database with this environment, and stops it again. */
  async function startAndStop(env: Record<string, string>) {
    database ??= await testDatabase();
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      PUBLIC_URL: 'http://127.0.0.1:1',
      DATA_DIR: dataDir,
      ADMIN_PASSWORD: 'admin-password-for-tests',
      LOG_LEVEL: 'warn',
      BOT_ENABLED: 'false',
      BOT_EMBEDDER: 'lexical',
      ...env,
    });
    const sink = new Writable({ write: (_chunk, _enc, done) => done() });
    const server = await startServer(config, { database, logStream: sink, listen: false });
    await server.close();
  }

  const db = () => database!.db;
  const inboxesOf = async (channel: 'slack' | 'email') =>
    db().select().from(inboxes).where(eq(inboxes.channel, channel));
  const counts = async () => ({
    inboxes: (await db().select({ n: count() }).from(inboxes))[0]!.n,
    conversations: (await db().select({ n: count() }).from(conversations))[0]!.n,
    messages: (await db().select({ n: count() }).from(messages))[0]!.n,
    agents: (await db().select({ n: count() }).from(agents))[0]!.n,
  });

  it('seeds a fresh database into the configured inboxes, sends nothing, and a restart adds nothing', async () => {
    const env = { SEED_DEMO: 'true', ...slackEnv(), ...emailEnv() };
    await startAndStop(env);

    const conversationChannels = await db().selectDistinct({ channel: conversations.channel }).from(conversations);
    expect(new Set(conversationChannels.map((c) => c.channel))).toEqual(
      new Set(['chat', 'email', 'sms', 'voice', 'slack']),
    );
    // One Slack inbox and one email inbox: the configured ones, holding the demo's conversations.
    const [slackInbox, ...moreSlack] = await inboxesOf('slack');
    expect(moreSlack).toEqual([]);
    const [setting] = await db().select().from(instanceSettings).where(eq(instanceSettings.key, 'slack_inbox_id'));
    expect(setting!.value).toBe(slackInbox!.id);
    const [mailInbox, ...moreMail] = await inboxesOf('email');
    expect(moreMail).toEqual([]);
    expect(mailInbox!.name).toBe('Shop support');
    const inInbox = async (inboxId: string) =>
      (await db().select({ n: count() }).from(conversations).where(eq(conversations.inboxId, inboxId)))[0]!.n;
    expect(await inInbox(slackInbox!.id)).toBeGreaterThan(0);
    expect(await inInbox(mailInbox!.id)).toBeGreaterThan(0);
    // The fictional customers were written to by nobody real: no Slack post, no mail, and no reply left failing.
    expect(slack.callsOf('chat.postMessage')).toEqual([]);
    expect(mailConnections).toBe(0);
    const undelivered = await db()
      .select({ n: count() })
      .from(messages)
      .where(inArray(messages.deliveryState, ['pending', 'failed']));
    expect(undelivered[0]!.n).toBe(0);

    const before = await counts();
    await startAndStop(env);
    expect(await counts()).toEqual(before);
  });

  it('seeds a database whose configured channels made inboxes but that nobody used yet', async () => {
    await startAndStop({ SEED_DEMO: 'false', ...slackEnv(), ...emailEnv() });
    expect(await counts()).toMatchObject({ inboxes: 2, conversations: 0, agents: 1 });
    await startAndStop({ SEED_DEMO: 'true', ...slackEnv(), ...emailEnv() });
    expect((await counts()).conversations).toBeGreaterThan(0);
    expect(await inboxesOf('slack')).toHaveLength(1);
    expect(await inboxesOf('email')).toHaveLength(1);
  });

  it('turning Slack on after the demo was seeded uses the demo Slack inbox', async () => {
    await startAndStop({ SEED_DEMO: 'true' });
    const [seeded, ...others] = await inboxesOf('slack');
    expect(others).toEqual([]);
    await startAndStop({ SEED_DEMO: 'true', ...slackEnv() });
    expect((await inboxesOf('slack')).map((i) => i.id)).toEqual([seeded!.id]);
  });

  it('does not seed a database somebody has used', async () => {
    await startAndStop({ SEED_DEMO: 'false' });
    await createAgent(
      db(),
      { email: 'ops@shop.example', name: 'Ops', role: 'agent', password: 'a-long-test-password' },
      null,
    );
    await startAndStop({ SEED_DEMO: 'true', ...slackEnv() });
    expect(await counts()).toMatchObject({ conversations: 0, agents: 2 });
  });
});
