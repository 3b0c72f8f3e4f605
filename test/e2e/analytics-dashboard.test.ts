import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { channelInboxes, seedContacts, type SeedContact } from '../helpers/analytics-seed.ts';
import type { ChannelKind } from '../../drizzle/schema/enums.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A fortnight of support from 120 people who agreed to analysis and 30 who did not (deterministic). */
function history(): SeedContact[] {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const today = new Date();
  today.setUTCHours(0, 0, 0, 0);
  const people: SeedContact[] = [];
  for (let i = 0; i < 150; i++) {
    const consenting = i < 120;
    people.push({
      consent: [{ granted: consenting, at: new Date(today.getTime() - 40 * DAY) }],
      conversations: [0, 1].map((j) => {
        const channel: ChannelKind = (['chat', 'chat', 'email', 'sms'] as const)[Math.floor(rand() * 4)]!;
        const start = new Date(
          today.getTime() -
            (1 + Math.floor(rand() * 13)) * DAY +
            [9, 10, 11, 14, 15][(i + j) % 5]! * HOUR +
            Math.floor(rand() * 50) * 60_000,
        );
        const answerAfter = (2 + Math.floor(rand() * 40)) * 60_000;
        const bot = channel === 'chat' && rand() < 0.5;
        const deflected = bot && rand() < 0.45;
        const resolved = !deflected && rand() < 0.8;
        const at = (ms: number) => new Date(start.getTime() + ms);
        return {
          channel,
          status: deflected ? 'resolved' : resolved ? 'resolved' : (['open', 'pending'] as const)[j]!,
          createdAt: start,
          resolvedAt: resolved || deflected ? at(answerAfter + (0.5 + rand() * 7) * HOUR) : null,
          messages: [
            { author: 'contact' as const, at: start },
            ...(bot ? [{ author: 'bot' as const, at: at(4_000) }] : []),
            ...(deflected
              ? []
              : [
                  { author: 'agent' as const, at: at(answerAfter) },
                  { author: 'contact' as const, at: at(answerAfter + 5 * 60_000) },
                ]),
          ],
          decisions: bot
            ? [
                { action: 'answer' as const, reason: 'confident', at: at(3_000) },
                ...(deflected
                  ? []
                  : [
                      {
                        action: 'handoff' as const,
                        reason: rand() < 0.6 ? 'low_confidence' : 'human_requested',
                        at: at(60_000),
                      },
                    ]),
              ]
            : [],
          rating:
            resolved && channel === 'chat' && rand() < 0.8
              ? { score: 3 + Math.floor(rand() * 3), at: at(answerAfter + HOUR) }
              : null,
        };
      }),
    });
  }
  return people;
}

describe(`e2e in Chromium: the managers' dashboard follows consent (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let visitorContext: BrowserContext;
  let managerContext: BrowserContext;
  let site: Page;
  let dashboard: Page;
  let api: AgentClient;
  let conversationId: string;
  let before: { conversations: number; messages: number; ratings: number; coverage: number };

  beforeAll(async () => {
    server = await startTestServer();
    await seedContacts(server.root.db, await channelInboxes(server.root.db), history());
    api = await server.agentClient('agent');
    browser = await launchBrowser();
    visitorContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    managerContext = await browser.newContext({ viewport: { width: 1440, height: 1860 } });
    site = await visitorContext.newPage();
    dashboard = await managerContext.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const widgetFrame = async (): Promise<Frame> => {
    const handle = await site.waitForSelector('[data-testid="widget-frame"]', { state: 'attached' });
    return (await handle.contentFrame())!;
  };
  const kpi = async (id: string) => Number(await dashboard.getAttribute(`[data-testid="kpi-${id}"]`, 'data-value'));
  const ratings = async () =>
    Number(await dashboard.getAttribute('[data-testid="analytics-satisfaction-total"]', 'data-value'));
  const snapshot = async () => ({
    conversations: await kpi('conversations'),
    messages: await kpi('messages'),
    ratings: await ratings(),
    coverage: Number(await dashboard.getAttribute('[data-testid="analytics-coverage"]', 'data-percent')),
  });

  it('a visitor who agreed to analysis chats, is answered, and rates the resolved conversation', async () => {
    await site.goto(`${server.url.replace('127.0.0.1', 'localhost')}/demo`);
    await site.click('[data-testid="widget-launcher"]');
    const frame = await widgetFrame();
    await frame.check('[data-testid="consent-support"]');
    await frame.check('[data-testid="consent-analytics"]');
    await frame.click('[data-testid="consent-accept"]');
    await frame.fill('[data-testid="chat-input"]', 'Hi, can I change my delivery address?');
    await frame.click('[data-testid="chat-send"]');
    await frame.waitForSelector('[data-testid="chat-message"][data-from="visitor"]');
    await expect
      .poll(
        async () =>
          (await api.get('/api/conversations?status=open')).body.items.find(
            (c: { contact: { name: string | null } }) => c.contact.name === null,
          )?.id ?? null,
      )
      .not.toBeNull();
    conversationId = (await api.get('/api/conversations?status=open')).body.items.find(
      (c: { contact: { name: string | null } }) => c.contact.name === null,
    ).id;
    expect(
      (await api.post(`/api/conversations/${conversationId}/messages`, { text: 'Yes, send me the new one.' })).status,
    ).toBe(201);
    await frame.waitForSelector('[data-testid="chat-message"][data-from="agent"]');
    expect((await api.post(`/api/conversations/${conversationId}/status`, { status: 'resolved' })).status).toBe(200);

    await frame.waitForSelector('[data-testid="rating-prompt"]');
    await site.screenshot({ path: `${SCREENSHOTS}/20-widget-rating-question.png` });
    await frame.click('[data-testid="rating-5"]');
    await frame.waitForSelector('[data-testid="rating-thanks"]');
    await site.screenshot({ path: `${SCREENSHOTS}/21-widget-rating-thanks.png` });
  });

  it('a manager sees the dashboard with the consent coverage stated plainly', async () => {
    const manager = await server.agentClient('manager');
    await dashboard.goto(`${server.url}/inbox/`);
    await dashboard.fill('[data-testid="login-email"]', manager.agent.name.replace(' ', '') + '@test.example');
    await dashboard.fill('[data-testid="login-password"]', 'a-long-test-password');
    await dashboard.click('[data-testid="login-submit"]');
    await dashboard.click('[data-testid="nav-analytics"]');
    await dashboard.waitForSelector('[data-testid="kpi-conversations"][data-value]:not([data-value=""])');
    // 120 seeded people and the visitor agreed, of 151 contacts.
    expect(await dashboard.textContent('[data-testid="analytics-coverage"]')).toContain(
      'Based on 80 % of contacts, those who agreed to analysis',
    );
    before = await snapshot();
    expect(before).toMatchObject({ conversations: 241, coverage: 80 });
    // Charts drawn by chart.js, a heatmap, and small cohorts worded, never numbered.
    expect(await dashboard.locator('[data-testid="analytics-volume"] canvas').count()).toBe(1);
    expect(await dashboard.locator('[data-testid="heat-cell"]').count()).toBe(7 * 24);
    expect(await dashboard.textContent('[data-testid="analytics-page"]')).toMatch(/fewer than 5/);
    await dashboard.waitForTimeout(300);
    await dashboard.screenshot({ path: `${SCREENSHOTS}/22-analytics-before-withdrawal.png`, fullPage: true });
  });

  it(
    'after the visitor withdraws analytics consent in the widget, ' + 'the figures drop by exactly their contribution',
    async () => {
      const frame = await widgetFrame();
      await frame.click('[data-testid="privacy-menu"]');
      await frame.click('[data-testid="privacy-consent-analytics"]');
      await frame.waitForSelector('[data-testid="privacy-purpose"][data-purpose="analytics"][data-granted="false"]');
      await site.screenshot({ path: `${SCREENSHOTS}/23-widget-analytics-withdrawn.png` });

      // The open dashboard refreshes on its own (the server tells it a consent changed).
      await dashboard.waitForSelector(`[data-testid="kpi-conversations"][data-value="${before.conversations - 1}"]`, {
        timeout: 15_000,
      });
      const after = await snapshot();
      // The visitor's contribution: one conversation, two messages (theirs and the agent's reply), one rating.
      expect(after).toEqual({
        conversations: before.conversations - 1,
        messages: before.messages - 2,
        ratings: before.ratings - 1,
        coverage: 79,
      });
      expect(await dashboard.textContent('[data-testid="analytics-coverage"]')).toContain('Based on 79 % of contacts');
      expect(await dashboard.textContent('[data-testid="analytics-updated"]')).toContain('Updated');
      await dashboard.screenshot({ path: `${SCREENSHOTS}/24-analytics-after-withdrawal.png`, fullPage: true });
    },
  );

  it('exports the figures as CSV', async () => {
    const download = dashboard.waitForEvent('download');
    await dashboard.click('[data-testid="analytics-export"]');
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^support-analytics-\d{4}-\d{2}-\d{2}\.csv$/);
  });

  it('an agent has no Analytics entry and cannot open the page', async () => {
    const agentPage = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await agentPage.goto(`${server.url}/inbox/`);
    await agentPage.fill('[data-testid="login-email"]', api.agent.name.replace(' ', '') + '@test.example');
    await agentPage.fill('[data-testid="login-password"]', 'a-long-test-password');
    await agentPage.click('[data-testid="login-submit"]');
    await agentPage.waitForSelector('[data-testid="nav-conversations"]');
    expect(await agentPage.locator('[data-testid="nav-analytics"]').count()).toBe(0);
    await agentPage.goto(`${server.url}/inbox/#/analytics`);
    await agentPage.waitForSelector('[data-testid="nav-conversations"].active');
    expect(await agentPage.locator('[data-testid="analytics-page"]').count()).toBe(0);
  });
});
