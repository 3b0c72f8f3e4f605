import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { kbSeed } from '../../server/demo/kb.ts';

describe(`e2e in Chromium: the admin sees the KB's expected precision as the threshold moves (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let inbox: Page;

  beforeAll(async () => {
    server = await startTestServer({ BOT_ENABLED: 'true', BOT_EMBEDDER: 'lexical' });
    const admin = await server.agentClient('admin');
    for (const article of kbSeed) await admin.post('/api/kb/articles', article);
    await new Promise((r) => setTimeout(r, 200));
    await server.bot.whenReady();
    browser = await launchBrowser();
    inbox = await (await browser.newContext({ viewport: { width: 1440, height: 1100 } })).newPage();
    await inbox.goto(`${server.url}/inbox/`);
    await inbox.fill('[data-testid="login-email"]', 'admin@example.com');
    await inbox.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await inbox.click('[data-testid="login-submit"]');
    await inbox.waitForSelector('[data-testid="logout"]');
    // Several index builds and a browser on a shared 2-core machine.
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const figures = async () =>
    inbox.$$eval('[data-testid="bot-expected"] tr', (rows) =>
      rows.map((r) => ({
        mix: r.getAttribute('data-mix'),
        precision: r.querySelector('[data-testid="bot-expected-precision"]')!.textContent!.trim(),
        coverage: r.querySelector('[data-testid="bot-expected-coverage"]')!.textContent!.trim(),
      })),
    );

  it('shows precision and coverage at 3, 18 and 50 % off-topic traffic, and they follow the slider', async () => {
    await inbox.click('[data-testid="nav-kb"]');
    await inbox.waitForSelector('[data-testid="bot-expected"] tr');
    expect(await inbox.textContent('[data-testid="bot-recommended"]')).toMatch(/Using the recommended threshold/);
    const atRecommended = await figures();
    expect(atRecommended.map((f) => f.mix)).toEqual(['0.03', '0.18', '0.5']);
    expect(atRecommended[0]!.precision).toMatch(/^\d+\.\d % right answers$/);
    await inbox.locator('[data-testid="bot-expected"]').scrollIntoViewIfNeeded();
    await inbox.screenshot({ path: `${SCREENSHOTS}/22-bot-settings-expected.png` });
    // The lowest threshold answers everything above the similarity floor: more answers, fewer of them right.
    await inbox.$eval('[data-testid="bot-threshold"]', (el) => {
      const input = el as HTMLInputElement;
      input.value = '0';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await inbox.waitForFunction(
      (before) => document.querySelector('[data-testid="bot-expected-coverage"]')?.textContent?.trim() !== before,
      atRecommended[0]!.coverage,
    );
    const lax = await figures();
    const num = (s: string) => Number.parseFloat(s);
    expect(num(lax[1]!.coverage)).toBeGreaterThan(num(atRecommended[1]!.coverage));
    expect(num(lax[2]!.precision)).toBeLessThanOrEqual(num(atRecommended[2]!.precision));
    expect(await inbox.textContent('[data-testid="bot-recommended"]')).toMatch(/Recommended: /);
    await inbox.screenshot({ path: `${SCREENSHOTS}/23-bot-settings-lax.png` });
  });
});
