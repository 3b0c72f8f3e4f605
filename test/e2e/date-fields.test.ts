import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';

/**
 * One date format per locale: the inbox's date fields (the dashboard's range, the search filters, an inbox's
 * holidays) show a day exactly as the rest of the inbox writes it, in the browser's locale, never in the native date
 * input's own format, and read back what an agent types in that locale (its written and its numeric form).
 */
describe(`e2e in Chromium: date fields follow the inbox's locale (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    const visitor = await server.visitor();
    await visitor.post('/api/widget/messages', { clientId: randomUUID(), text: 'Where is my parcel?' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A day as the inbox writes it, and in the locale's numeric form, computed by the browser's own Intl. */
  const forms = (page: Page, locale: string, day: string) =>
    page.evaluate(
      ([l, d]) => {
        const t = Date.parse(`${d}T00:00:00Z`);
        const f = (o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(l, { ...o, timeZone: 'UTC' }).format(t);
        return {
          written: f({ year: 'numeric', month: 'short', day: 'numeric' }),
          numeric: f({ year: 'numeric', month: '2-digit', day: '2-digit' }),
        };
      },
      [locale, day] as const,
    );
  // A field's own picker opens on a 1 px, transparent native input (aria-hidden): no native format is ever shown.
  const noNativeDateInputs = (page: Page) =>
    page.locator('input[type="date"]:not([aria-hidden="true"]):visible').count();

  for (const locale of ['en-US', 'de-DE']) {
    it(`reads and writes days the ${locale} way on the dashboard and in search`, async () => {
      const context = await browser.newContext({ locale, timezoneId: 'UTC', viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${server.url}/inbox/`);
      await page.fill('[data-testid="login-email"]', 'admin@example.com');
      await page.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
      await page.click('[data-testid="login-submit"]');
      await page.waitForSelector('[data-testid="logout"]');

      await page.goto(`${server.url}/inbox/#/analytics`);
      const from = page.locator('[data-testid="range-from"]');
      await from.waitFor();
      expect(await noNativeDateInputs(page)).toBe(0);
      // The field shows its day as the inbox writes days: it reads back as one.
      const shown = await from.inputValue();
      const day = await page.evaluate(
        ([l, text]) =>
          [...Array(400).keys()]
            .map((i) => new Date(Date.now() - i * 86_400_000).toISOString().slice(0, 10))
            .find(
              (d) =>
                new Intl.DateTimeFormat(l, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(
                  Date.parse(`${d}T00:00:00Z`),
                ) === text,
            ) ?? null,
        [locale, shown] as const,
      );
      expect(day, `"${shown}" is a day written the ${locale} way`).not.toBeNull();

      const nov1 = await forms(page, locale, '2026-11-01');
      const asked = page.waitForRequest(
        (r) => r.url().includes('/api/analytics/dashboard') && r.url().includes('from=2026-11-01T00%3A00%3A00.000Z'),
      );
      await from.fill(nov1.numeric);
      await asked;
      await from.press('Tab');
      expect(await from.inputValue()).toBe(nov1.written);

      const to = page.locator('[data-testid="range-to"]');
      const impossible = locale === 'en-US' ? '02/31/2026' : '31.02.2026';
      await to.fill(impossible);
      await to.press('Tab');
      expect(await to.getAttribute('aria-invalid')).toBe('true');
      // What the agent typed stays, to be corrected, next to the hint.
      expect(await to.inputValue()).toBe(impossible);
      await page.locator('[data-testid="analytics-filters"] [role="alert"]').waitFor();
      await page.screenshot({ path: `${SCREENSHOTS}/date-fields-dashboard-${locale}.png` });
      await to.fill(nov1.written);
      await to.press('Tab');
      expect(await to.getAttribute('aria-invalid')).toBe('false');

      await page.goto(`${server.url}/inbox/#/conversations`);
      await page.fill('[data-testid="global-search"]', 'parcel');
      const searchFrom = page.locator('[data-testid="search-filter-from"]');
      await searchFrom.waitFor();
      expect(await noNativeDateInputs(page)).toBe(0);
      const searched = page.waitForRequest(
        (r) => r.url().includes('/api/search') && r.url().includes('from=2026-11-01'),
      );
      await searchFrom.fill(nov1.written);
      await searched;
      await page.screenshot({ path: `${SCREENSHOTS}/date-fields-search-${locale}.png` });
      await context.close();
    });
  }

  it("takes an inbox's holiday in the locale and lists it in the same form", async () => {
    const locale = 'de-DE';
    const context = await browser.newContext({ locale, timezoneId: 'UTC', viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/inbox/`);
    await page.fill('[data-testid="login-email"]', 'admin@example.com');
    await page.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="logout"]');
    await page.goto(`${server.url}/inbox/#/agents`);
    await page.waitForSelector('[data-testid="business-hours"] [data-testid="hours-save"]');
    await page.check('[data-testid="hours-enabled"]');
    const holiday = page.locator('[data-testid="hours-holiday-input"]');
    await holiday.waitFor();
    expect(await noNativeDateInputs(page)).toBe(0);
    const christmas = await forms(page, locale, '2026-12-24');
    await holiday.fill(christmas.numeric);
    await page.click('[data-testid="hours-holiday-add"]');
    await page.locator('[data-testid="hours-holiday"]', { hasText: christmas.written }).waitFor();
    expect(await holiday.inputValue()).toBe('');
    await page.locator('[data-testid="business-hours"]').screenshot({ path: `${SCREENSHOTS}/date-fields-holiday.png` });
    await context.close();
  });
});
