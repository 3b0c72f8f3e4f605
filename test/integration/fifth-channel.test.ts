import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { channelKinds } from '../../drizzle/schema/enums.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import { channelModules } from '../../channels/registry.ts';
import { adapterContract } from '../helpers/adapter-contract.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { FAKE_KIND, createFakeAdapter, fakeChannel, outbox, signFake } from '../fixtures/channels/fake-module.ts';

/**
 * Adding a channel is one module plus its registry entry (channels/README.md). A fake fifth channel, added
 * that way, passes the adapter contract suite and carries a conversation end to end: a signed webhook in,
 * the message stored and shown to agents, the agent's reply out through its adapter.
 */
const SECRET = 'fake-channel-secret';
const payload = {
  id: 'fake-msg-1',
  from: '+15550100777',
  text: 'Hello from the fifth channel',
  sentAt: '2026-12-01T10:00:00.000Z',
};
const raw = JSON.stringify(payload);

describe('ChannelAdapter contract: fake (a fifth channel)', () =>
  adapterContract(
    FAKE_KIND,
    {
      create: () => createFakeAdapter({ secret: SECRET }),
      validRequest: {
        url: '/api/fake/x/messages',
        headers: { 'x-fake-signature': signFake(SECRET, raw) },
        rawBody: raw,
        body: payload,
      },
      forgedRequests: [
        { url: '/api/fake/x/messages', headers: {}, rawBody: raw, body: payload },
        {
          url: '/api/fake/x/messages',
          headers: { 'x-fake-signature': signFake('another-secret', raw) },
          rawBody: raw,
          body: payload,
        },
        {
          url: '/api/fake/x/messages',
          headers: { 'x-fake-signature': signFake(SECRET, raw) },
          rawBody: `${raw} `,
          body: payload,
        },
      ],
      payload,
      context: { inboxId: 'f0a2b9c8-2f5e-4b0a-8d1c-3e4f5a6b7c8d' },
      outbound: {
        messageId: 'a1b2c3d4-0000-4000-8000-000000000001',
        conversationId: 'a1b2c3d4-0000-4000-8000-000000000002',
        inboxId: 'f0a2b9c8-2f5e-4b0a-8d1c-3e4f5a6b7c8d',
        threadKey: payload.from,
        to: payload.from,
        text: 'A reply',
      },
    },
    [...channelKinds, FAKE_KIND],
  ));

describe('a fifth channel registered next to the four', () => {
  let server: TestServer;
  let agent: AgentClient;
  let inboxId: string;

  beforeAll(async () => {
    server = await startTestServer(
      { FAKE_CHANNEL_SECRET: SECRET },
      { channels: { ...channelModules, fake: fakeChannel } },
    );
    // The kind's migration, in this test's database only (a real channel adds it to drizzle/schema/enums.ts).
    await server.root.db.execute(sql.raw(`alter type channel add value if not exists '${FAKE_KIND}'`));
    const [inbox] = await server.root.db.insert(inboxes).values({ name: 'Fake', channel: FAKE_KIND }).returning();
    inboxId = inbox!.id;
    agent = await server.agentClient('agent');
  });
  afterAll(() => server?.stop());

  const post = (body: string, signature: string) =>
    fetch(`${server.url}/api/fake/${inboxId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-fake-signature': signature },
      body,
    });

  it('is mounted, listed in the Art. 30 contributions and started through the registry', () => {
    expect(server.routes.some((r) => r.url === '/api/fake/:inboxId/messages' && r.signed && r.rateLimited)).toBe(true);
    expect(server.root.art30([]).processors.map((p) => p.name)).toContain('Fake Provider Ltd');
  });

  it('refuses a forged webhook and stores nothing', async () => {
    expect((await post(raw, signFake('wrong', raw))).status).toBe(403);
    const list = (await agent.get(`/api/conversations?inbox=${inboxId}`)).body;
    expect(list.items).toEqual([]);
  });

  it('stores a signed message, shows it to agents, and sends their reply through its adapter', async () => {
    expect((await post(raw, signFake(SECRET, raw))).status).toBe(204);
    const list = (await agent.get(`/api/conversations?inbox=${inboxId}`)).body;
    expect(list.items).toHaveLength(1);
    const conversation = list.items[0];
    expect(conversation.channel).toBe(FAKE_KIND);
    const detail = (await agent.get(`/api/conversations/${conversation.id}`)).body;
    expect(detail.messages.map((m: { body: string }) => m.body)).toContain(payload.text);

    const replied = await agent.post(`/api/conversations/${conversation.id}/messages`, { text: 'We are on it.' });
    expect(replied.status).toBe(201);
    await expect
      .poll(() => outbox.find((m) => m.text === 'We are on it.'))
      .toMatchObject({ to: payload.from, inboxId });
    await expect
      .poll(async () => {
        const after = (await agent.get(`/api/conversations/${conversation.id}`)).body;
        return after.messages.find((m: { body: string }) => m.body === 'We are on it.')?.deliveryState;
      })
      .toBe('sent');
  });
});
