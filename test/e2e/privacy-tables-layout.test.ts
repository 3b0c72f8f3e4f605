import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS, signInAsAdmin } from '../helpers/browser.ts';
import { seedPerson } from '../helpers/fixtures.ts';
import { axeViolations } from '../helpers/axe.ts';
import { assignRequest, closeRequest, fileRequest } from '../../server/privacy/request-desk.ts';
import { agents } from '../../drizzle/schema/index.ts';

/**
 * The Privacy page's wide tables as an admin sees them: the request desk fits a 1280 px window without scrolling
 * sideways and hides nothing; the Art. 30 record's activities keep short rows, the long retention texts one click
 * away, in every language, at 1280 px and at 320 px.
 */
describe(`the Privacy page's tables fit the window (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  const note =
    'Called from a new number after moving abroad; asked that the old postal address and the misspelt family name ' +
    'be corrected everywhere, including past invoices.';

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const { root } = server;
    const [admin] = await root.db.select().from(agents).where(eq(agents.email, 'admin@example.com'));
    const actor = { actorKind: 'system' as const, actorId: null };
    const verification = { method: 'agent_statement' as const, how: 'callback', verifiedAt: new Date().toISOString() };
    const people = await Promise.all(
      ['Maximiliane Oberhauser-Lindqvist', 'Bartholomew Featherstonehaugh', 'Aino Kallio'].map((name, i) =>
        seedPerson(root, { name, email: `person${i}@example.org`, phone: `+35840123000${i}`, marker: `pl${i}` }),
      ),
    );
    const rectification = await fileRequest(
      root,
      {
        contactId: people[0]!.contactId,
        kind: 'rectification',
        source: 'agent',
        channel: 'phone',
        language: 'de',
        fields: ['name', 'email', 'phone', 'address'],
        verification,
        note,
      },
      actor,
    );
    await assignRequest(root, rectification.id, admin!.id, actor);
    // Every action a row can offer: take, extend, decide the erasure, close.
    await fileRequest(
      root,
      { contactId: people[1]!.contactId, kind: 'erasure', source: 'widget', verification },
      actor,
    );
    const access = await fileRequest(
      root,
      { contactId: people[2]!.contactId, kind: 'portability', source: 'request_page', language: 'fi', verification },
      actor,
    );
    await closeRequest(root, access.id, { kind: 'refused', basis: 'manifestly_unfounded' }, actor);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  // One sign-in (the login route limits attempts per address); each window reuses its session cookie.
  let session: Awaited<ReturnType<BrowserContext['storageState']>> | undefined;
  async function signedIn(locale: string, width: number): Promise<Page> {
    const context = await browser.newContext({ locale, viewport: { width, height: 900 }, storageState: session });
    const page = await context.newPage();
    if (!session) {
      await signInAsAdmin(page, server.url);
      session = await context.storageState();
    }
    await page.goto(`${server.url}/inbox/#/privacy`);
    return page;
  }

  for (const locale of ['en-US', 'de-DE'])
    it(`shows the request desk whole at 1280 px in ${locale}: no sideways scroll, every action in view`, async () => {
      const page = await signedIn(locale, 1280);
      await page.waitForSelector('[data-testid="request-row"]');
      const desk = page.locator('[data-testid="privacy-requests"]');
      await desk.evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: `${SCREENSHOTS}/request-desk-1280-${locale}.png` });
      const fit = await desk.evaluate((card) => {
        const wrap = card.querySelector('.table-wrap') as HTMLElement;
        const right = card.getBoundingClientRect().right;
        const outside = [...card.querySelectorAll('th, td, button, time, .badge')]
          .filter((el) => el.getBoundingClientRect().right > right + 1)
          .map((el) => `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 30)}"`);
        const spilling = [...card.querySelectorAll('button')]
          .filter((b) => b.scrollHeight > b.clientHeight + 1 || b.scrollWidth > b.clientWidth + 1)
          .map((b) => `button "${(b.textContent ?? '').trim()}" spills out of its box`);
        return { scrolls: wrap.scrollWidth - wrap.clientWidth, outside: [...outside, ...spilling] };
      });
      expect(fit).toEqual({ scrolls: 0, outside: [] });
      // Nothing hidden: the note is on screen, and the erasure request's four actions (take, extend, decide, close).
      expect(await page.getByText(note).isVisible()).toBe(true);
      const erasureRow = page.locator('[data-testid="request-row"]:has([data-testid="request-erase"])');
      const actions = await erasureRow
        .locator('button')
        .evaluateAll((buttons) => buttons.map((b) => b.checkVisibility() && b.getBoundingClientRect().width > 0));
      expect(actions).toEqual([true, true, true, true]);
      expect(
        await axeViolations(page, { label: `request desk ${locale}`, include: '[data-testid="privacy-requests"]' }),
      ).toEqual([]);
      await page.context().close();
    });

  // 3 lines of 13 px text, the "Show all" button and the cell's padding: the tallest a row may be.
  const SHORT_ROW_PX = 120;

  for (const locale of ['en-US', 'de-DE', 'fr-FR', 'fi-FI', 'sv-SE'])
    for (const width of [1280, 320])
      it(`keeps the record's activity rows short in ${locale} at ${width} px, all text one click away`, async () => {
        const page = await signedIn(locale, width);
        const table = page.locator('[data-testid="record-activities"]');
        await table.waitFor();
        await table.evaluate((el) => el.scrollIntoView({ block: 'start' }));
        const heights = () =>
          table
            .locator('tbody tr')
            .evaluateAll((trs) => trs.map((tr) => Math.round(tr.getBoundingClientRect().height)));
        const before = await heights();
        expect(before.length).toBeGreaterThan(2);
        for (const h of before) expect(h, `row heights ${before.join(', ')}`).toBeLessThanOrEqual(SHORT_ROW_PX);
        await page.screenshot({ path: `${SCREENSHOTS}/record-activities-${locale}-${width}.png` });

        // The first cut text opens in place and closes again (its whole text is in the page all along).
        const cell = table.locator('td:has(> button.more)').first();
        const toggle = cell.locator('button.more');
        const hidden = () => cell.locator('.clamped').evaluate((el) => el.scrollHeight - el.clientHeight);
        expect(await hidden()).toBeGreaterThan(0);
        expect(await toggle.getAttribute('aria-expanded')).toBe('false');
        await toggle.click();
        expect(await toggle.getAttribute('aria-expanded')).toBe('true');
        expect(await hidden()).toBeLessThanOrEqual(1);
        await toggle.click();
        expect(await toggle.getAttribute('aria-expanded')).toBe('false');
        expect(await heights()).toEqual(before);
        await page.context().close();
      });
});
