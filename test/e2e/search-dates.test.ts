import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS, signInAsAdmin } from '../helpers/browser.ts';
import { emailInbox } from '../helpers/search-seed.ts';
import { HELSINKI, seedHelsinkiDay } from '../helpers/search-days.ts';

/**
 * The search panel's From and To as an agent in Helsinki reads them: empty fields look empty (the locale's pattern,
 * no day), and the day chosen filters as labelled: From 1 Dec to 1 Dec is the whole of Helsinki's 1 December.
 */
describe(`e2e in Chromium: the search panel's date filters (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let seeded: Awaited<ReturnType<typeof seedHelsinkiDay>>;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    seeded = await seedHelsinkiDay(server.root.db, await emailInbox(server.root.db, 'Support'));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows empty From and To as empty, and From = To = a day finds that whole day where the agent is', async () => {
    const context = await browser.newContext({
      locale: 'de-DE',
      timezoneId: HELSINKI,
      viewport: { width: 1440, height: 900 },
    });
    const page = await context.newPage();
    await signInAsAdmin(page, server.url);

    await page.fill('[data-testid="global-search"]', 'parcel');
    const hits = page.locator('[data-testid="search-hit"]');
    const hitIds = async () =>
      (await hits.evaluateAll((els) => els.map((el) => el.getAttribute('data-conversation-id')!))).sort();
    await expect.poll(() => hits.count()).toBe(4);
    const from = page.locator('[data-testid="search-filter-from"]');
    const to = page.locator('[data-testid="search-filter-to"]');
    for (const field of [from, to]) {
      expect(await field.inputValue()).toBe('');
      expect(await field.getAttribute('placeholder')).toBe('TT.MM.JJJJ');
    }
    await page.locator('[data-testid="search-panel"]').screenshot({ path: `${SCREENSHOTS}/search-dates-empty.png` });

    const asked = page.waitForRequest(
      (r) => r.url().includes('/api/search') && r.url().includes('to=2026-12-01') && r.url().includes('tz=Europe'),
    );
    await from.fill('01.12.2026');
    await to.fill('01.12.2026');
    expect(new URL((await asked).url()).searchParams.get('tz')).toBe(HELSINKI);
    await expect.poll(hitIds).toEqual([...seeded.inside].sort());
    await to.press('Tab');
    expect(await to.inputValue()).toBe('1. Dez. 2026');
    await page.locator('[data-testid="search-panel"]').screenshot({ path: `${SCREENSHOTS}/search-dates-chosen.png` });
    await context.close();
  });
});
