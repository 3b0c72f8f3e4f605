import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { layoutProblems } from '../helpers/dashboard-layout.ts';

/**
 * Issue 18, acceptance 5: a manager whose browser speaks German reads the demo dashboard in German: German words,
 * numbers and dates ("6. Dez."), German weekday abbreviations in the heatmap, the time zone named, nothing cut off
 * by the longer German words, and the CSV export in German with `;` cells and decimal commas for their Excel.
 */
describe(`e2e in Chromium: the analytics dashboard and its CSV in German (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let manager: AgentClient;
  let page: Page;

  beforeAll(async () => {
    server = await startTestServer({ SEED_DEMO: 'true' });
    manager = await server.agentClient('manager');
    browser = await launchBrowser();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'de-DE',
      timezoneId: 'Europe/Berlin',
      acceptDownloads: true,
    });
    page = await context.newPage();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the dashboard in German, with German numbers, weekdays and the time zone named', async () => {
    await page.goto(`${server.url}/inbox/`);
    await page.fill('[data-testid="login-email"]', manager.agent.name.replace(' ', '') + '@test.example');
    await page.fill('[data-testid="login-password"]', 'a-long-test-password');
    await page.click('[data-testid="login-submit"]');
    await page.click('[data-testid="nav-analytics"]');
    await page.waitForSelector('[data-testid="kpi-conversations"][data-value]:not([data-value=""])');
    await page.waitForSelector('[data-testid="analytics-volume"] canvas');
    expect(await page.getAttribute('html', 'lang')).toBe('de');

    expect(await page.textContent('[data-testid="analytics-page"] h1')).toBe('Auswertungen');
    expect(await page.textContent('[data-testid="analytics-export"]')).toContain('CSV exportieren');
    expect(await page.textContent('[data-testid="range-30d"]')).toContain('Letzte 30 Tage');
    expect(await page.textContent('[data-testid="analytics-coverage"]')).toMatch(/Beruht auf \d+ % der Kontakte/);
    expect(await page.textContent('[data-testid="kpi-conversations"] h3')).toBe('Konversationen');
    // The heatmap: Monday to Sunday as German abbreviates them, hours on the 24-hour clock, the zone named.
    const days = await page.$$eval('[data-testid="analytics-heatmap"] [role="rowheader"]', (els) =>
      els.map((e) => e.textContent?.trim()),
    );
    expect(days).toEqual(['Mo', 'Di', 'Mi', 'Do', 'Fr', 'Sa', 'So']);
    expect(await page.textContent('[data-testid="analytics-heatmap-zone"]')).toBe(
      'Nachrichten der Kundschaft je Wochentag und Stunde, Zeitzone Europe/Berlin.',
    );
    const cell = page.locator('[data-testid="heat-cell"][data-weekday="3"][data-hour="14"]');
    expect(await cell.getAttribute('title')).toMatch(/^Mi 14:00 · /);
    const legend = (await page.textContent('[data-testid="analytics-heatmap-legend"]')) ?? '';
    expect(legend).toMatch(/\d+ Nachrichten in einer Stunde/);
    // The demo's hand-offs, named in German; durations in German units ("Min.", "Std.").
    expect(await page.textContent('[data-testid="analytics-handoffs-row"][data-key="human_requested"] .label')).toBe(
      'Kunde wollte eine Person sprechen',
    );
    expect(await page.textContent('[data-testid="kpi-first-response-text"]')).toMatch(/\d( |\u00a0)(Min\.|Std\.|s)/);
    // The time of the last refresh, as Germans write it.
    expect(await page.textContent('[data-testid="analytics-updated"]')).toMatch(/Aktualisiert \d{2}:\d{2}/);

    const height = await page.$eval('[data-testid="analytics-page"]', (el) => el.scrollHeight + 60);
    await page.setViewportSize({ width: 1280, height });
    await page.waitForTimeout(300); // chart.js draws on the next frame
    await page.screenshot({ path: `${SCREENSHOTS}/analytics-german-1280.png` });
    // The longer German words fit their cards.
    expect(await page.evaluate(layoutProblems)).toEqual([]);
  });

  it('exports the CSV in German: translated headers, `;` cells, decimal commas, ISO dates', async () => {
    const download = page.waitForEvent('download');
    await page.click('[data-testid="analytics-export"]');
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^support-analytics-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await file.path())!, 'utf8');
    expect(csv.startsWith('\uFEFFKennzahl;Aufschlüsselung;Wert;Einheit\r\n')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines).toContain('Zeitzone;;;Europe/Berlin');
    expect(lines.find((l) => l.startsWith('Zeitraum von;;;'))).toMatch(/^Zeitraum von;;;\d{4}-\d{2}-\d{2}T/);
    expect(lines.some((l) => /^Nachrichten;\d{4}-\d{2}-\d{2} Chat;/.test(l))).toBe(true);
    expect(lines.some((l) => /^Nachrichten von Kundinnen und Kunden;Mo \d{2}:00 Uhr;/.test(l))).toBe(true);
    // A share is written with a decimal comma, never a point.
    const share = lines.find((l) => l.startsWith('Anteil ohne Übergabe;'));
    expect(share).toMatch(/^Anteil ohne Übergabe;;(\d+(,\d+)?|weniger als \d+|zurückgehalten.*)?;Anteil \(0–1\)$/);
    expect(lines.filter((l) => /;\d+\.\d+;/.test(l))).toEqual([]);
  });

  it('shows the admin pages in German too: agents, knowledge base with the bot, canned replies', async () => {
    const admin = await server.agentClient('admin');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'de-DE' });
    const adminPage = await context.newPage();
    try {
      await adminPage.goto(`${server.url}/inbox/`);
      await adminPage.fill('[data-testid="login-email"]', admin.agent.name.replace(' ', '') + '@test.example');
      await adminPage.fill('[data-testid="login-password"]', 'a-long-test-password');
      await adminPage.click('[data-testid="login-submit"]');
      const pages = [
        { nav: 'agents', root: 'agents-page', heading: 'Kolleginnen und Kollegen' },
        { nav: 'kb', root: 'kb-page', heading: 'Wissensdatenbank' },
        { nav: 'replies', root: 'canned-replies-page', heading: 'Textbausteine' },
      ];
      for (const { nav, root, heading } of pages) {
        await adminPage.click(`[data-testid="nav-${nav}"]`);
        await adminPage.waitForSelector(`[data-testid="${root}"] h1`);
        expect(await adminPage.textContent(`[data-testid="${root}"] h1`)).toBe(heading);
        await adminPage.waitForTimeout(300);
        await adminPage.screenshot({ path: `${SCREENSHOTS}/admin-german-${nav}.png`, fullPage: true });
      }
      // The business hours card on the agents page, in German.
      await adminPage.click('[data-testid="nav-agents"]');
      await adminPage.waitForSelector('[data-testid="hours-enabled"]');
      expect(await adminPage.textContent('[data-testid="business-hours"] h2')).toBe('Geschäftszeiten');
      expect(await adminPage.textContent('label:has([data-testid="hours-enabled"])')).toContain(
        'Geschäftszeiten verwenden',
      );
    } finally {
      await context.close();
    }
  });
});
