import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS, signInAsAdmin } from '../helpers/browser.ts';
import { channelInboxes, seedContacts, type SeedContact } from '../helpers/analytics-seed.ts';

/**
 * A custom range on the dashboard is whole days on the manager's wall clock, also when it ends on the day the
 * clocks change (Europe/Berlin: 2026-03-29 has 23 hours, 2026-10-25 has 25): chats late that evening count, chats
 * just after midnight of the next day do not.
 */
describe(`e2e in Chromium: the dashboard's custom range across a DST change (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const PEOPLE = 6;

  /** `PEOPLE` consenting contacts, each with one chat at `at`. */
  const chatsAt = (at: string): SeedContact[] =>
    Array.from({ length: PEOPLE }, () => ({
      consent: [{ granted: true, at: new Date('2026-01-01T00:00:00Z') }],
      conversations: [
        {
          channel: 'chat',
          status: 'open',
          createdAt: new Date(at),
          messages: [{ author: 'contact', at: new Date(at) }],
        },
      ],
    }));

  beforeAll(async () => {
    server = await startTestServer();
    await seedContacts(server.root.db, await channelInboxes(server.root.db), [
      ...chatsAt('2026-03-29T23:30:00+02:00'), // the last evening of the March range (summer time)
      ...chatsAt('2026-03-30T00:30:00+02:00'), // the next day: outside it
      ...chatsAt('2026-10-25T23:30:00+01:00'), // the last evening of the October range (winter time)
      ...chatsAt('2026-10-26T00:30:00+01:00'), // the next day: outside it
    ]);
    browser = await launchBrowser();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'de-DE',
      timezoneId: 'Europe/Berlin',
    });
    page = await context.newPage();
    await signInAsAdmin(page, server.url);
    await page.goto(`${server.url}/inbox/#/analytics`);
    await page.waitForSelector('[data-testid="kpi-conversations"]');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /**
   * Types the range as a German manager would and reads the conversations counted once the figures arrive. A later
   * range gets its end first, as a person would: the start may not pass the end on screen.
   */
  async function conversationsBetween(from: string, to: string, endFirst = false): Promise<string | null> {
    const fields = [
      ['range-from', from],
      ['range-to', to],
    ] as const;
    for (const [field, day] of endFirst ? [...fields].reverse() : fields) {
      const answered = page.waitForResponse((r) => r.url().includes('/api/analytics/dashboard'));
      await page.fill(`[data-testid="${field}"]`, day);
      await page.press(`[data-testid="${field}"]`, 'Tab');
      await answered;
    }
    // The last answer may arrive before the page shows it: read the figures once they are no longer marked busy.
    await page.waitForSelector('[data-testid="kpis"][aria-busy="false"] [data-testid="kpi-conversations"]');
    return page.getAttribute('[data-testid="kpi-conversations"]', 'data-value');
  }

  it('counts the whole last day of a range that crosses the change to summer time, and not an hour more', async () => {
    expect(await conversationsBetween('23.03.2026', '29.03.2026')).toBe(String(PEOPLE));
    await page.screenshot({ path: `${SCREENSHOTS}/analytics-dst-march.png` });
  });

  it('counts the whole last day of a range that crosses the change to winter time', async () => {
    expect(await conversationsBetween('19.10.2026', '25.10.2026', true)).toBe(String(PEOPLE));
    await page.screenshot({ path: `${SCREENSHOTS}/analytics-dst-october.png` });
  });
});
