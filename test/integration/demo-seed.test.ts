import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';

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
