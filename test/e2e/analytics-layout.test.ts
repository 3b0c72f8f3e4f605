import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { layoutProblems } from '../helpers/dashboard-layout.ts';

/**
 * The managers' dashboard on the demo data (SEED_DEMO), as a manager reads it at 1280 and 1440 px: every text fits
 * its element and its card (no "ustomer asked for a person"), no chart is drawn empty, the heatmap's scale is the
 * busiest hour, the backlog says whom it counts, and the demo volume has a bar on every day.
 */

describe(`e2e in Chromium: the demo dashboard reads right at 1280 and 1440 px (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let manager: AgentClient;
  let seededAt = 0;

  beforeAll(async () => {
    seededAt = Date.now();
    server = await startTestServer({ SEED_DEMO: 'true' });
    manager = await server.agentClient('manager');
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function openDashboard(width: number): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 }, timezoneId: 'UTC' });
    const page = await context.newPage();
    await page.goto(`${server.url}/inbox/`);
    await page.fill('[data-testid="login-email"]', manager.agent.name.replace(' ', '') + '@test.example');
    await page.fill('[data-testid="login-password"]', 'a-long-test-password');
    await page.click('[data-testid="login-submit"]');
    await page.click('[data-testid="nav-analytics"]');
    await page.waitForSelector('[data-testid="kpi-conversations"][data-value]:not([data-value=""])');
    await page.waitForSelector('[data-testid="analytics-volume"] canvas');
    return page;
  }

  const everyDay = 'the demo history has conversations today and on each of the 28 days before: a bar every day';
  it(everyDay, async () => {
    const res = await manager.get('/api/analytics/dashboard?tz=UTC');
    expect(res.status).toBe(200);
    const days = (res.body as { volume: { days: Array<{ day: string; conversations: { value: number | null } }> } })
      .volume.days;
    const shown = new Set(days.filter((d) => (d.conversations.value ?? 0) > 0).map((d) => d.day));
    // The seed stamps today's chats 3 minutes before it runs and the others i days before, at office hours (UTC).
    const expected = Array.from({ length: 29 }, (_, i) =>
      new Date(seededAt - 3 * 60_000 - i * 86_400_000).toISOString().slice(0, 10),
    );
    expect(expected.filter((d) => !shown.has(d))).toEqual([]);
  });

  for (const width of [1280, 1440]) {
    const title = `at ${width} px no label overflows or is clipped, no chart is empty, the backlog says whom it counts`;
    it(title, async () => {
      const page = await openDashboard(width);
      try {
        // The dashboard scrolls inside the page: a window as tall as it shows all of it in the screenshot.
        const height = await page.$eval('[data-testid="analytics-page"]', (el) => el.scrollHeight + 60);
        await page.setViewportSize({ width, height });
        await page.waitForTimeout(300); // chart.js draws on the next frame; the screenshot should show it
        await page.screenshot({ path: `${SCREENSHOTS}/analytics-demo-${width}.png` });
        // The backlog counts only customers who agreed to analysis, and says so (the demo inbox has open chats
        // of customers who did not).
        const population = await page.textContent('[data-testid="analytics-backlog-population"]');
        expect(population).toContain('Only conversations of customers who agreed to analysis');
        expect(population).toContain('the inbox lists everyone’s');
        // An empty breakdown is a sentence, not an empty chart: each bars card shows bars or its sentence.
        for (const id of ['backlog', 'handoffs', 'satisfaction']) {
          const card = page.locator(`[data-testid="analytics-${id}"]`);
          const bars = await card.locator('.bar').count();
          const empty = await card.locator(`[data-testid="analytics-${id}-empty"]`).count();
          expect(bars > 0 || empty === 1, id).toBe(true);
        }
        // The demo's hand-offs: the label in full, on screen.
        const handoff = page.locator('[data-testid="analytics-handoffs-row"][data-key="human_requested"] .label');
        expect(await handoff.textContent()).toBe('Customer asked for a person');
        expect(await handoff.isVisible()).toBe(true);
        // The heatmap's scale runs from 0 to the busiest hour shown, in messages.
        const legend = (await page.textContent('[data-testid="analytics-heatmap-legend"]')) ?? '';
        expect(legend).not.toContain('up to');
        const busiest = Math.max(
          ...(await page.$$eval('[data-testid="heat-cell"]', (cells) =>
            cells.map((c) => Number(c.getAttribute('data-value') || 0)),
          )),
        );
        expect(busiest).toBeGreaterThan(1);
        expect(legend).toContain(`${busiest} messages in an hour`);
        expect(await page.locator('[data-testid="analytics-volume-empty"]').count()).toBe(0);

        const problems = await page.evaluate(layoutProblems);
        expect(problems).toEqual([]);

        // The check can fail: a label squeezed into 40 px is reported as clipped.
        await page.evaluate(() => {
          const label = document.querySelector<HTMLElement>(
            '[data-testid="analytics-handoffs-row"][data-key="human_requested"] .label',
          )!;
          label.style.cssText = 'display: block; width: 40px; white-space: nowrap; overflow: hidden';
        });
        const broken = await page.evaluate(layoutProblems);
        expect(broken.map((p) => p.text)).toContain('Customer asked for a person');
      } finally {
        await page.context().close();
      }
    });
  }
});
