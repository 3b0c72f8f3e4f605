import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { emailInbox, seedConversation } from '../helpers/search-seed.ts';

/**
 * Issue 17 item 1 in the browser: an agent types in the top bar's search box, sees the matching conversations with
 * the words highlighted (markup in a message shown as text), narrows them with a filter, moves with the arrow keys
 * and opens one with Enter.
 */
describe(`e2e in Chromium: the search box (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let inboxId: string;
  const conversations: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer();
    const db = server.root.db;
    inboxId = await emailInbox(db, 'Support');
    const people = [
      [
        'Ada Lovelace',
        'ada@example.com',
        '+4915491315660',
        'open',
        'I would like a refund for order 4711, it arrived broken.',
      ],
      [
        'Grace Hopper',
        'grace@example.com',
        '+12025550143',
        'resolved',
        'Refunds take too long <img src=x onerror=alert(1)> please hurry',
      ],
      ['Alan Turing', 'alan@example.com', '+447700900123', 'open', 'My refund was promised last week.'],
      ['Emmy Noether', 'emmy@example.com', '+4930123456', 'open', 'Where is my parcel?'],
    ] as const;
    for (const [i, [name, email, phone, status, text]] of people.entries()) {
      const seeded = await seedConversation(
        db,
        inboxId,
        { name, email, phone, locale: 'en' },
        { status, at: new Date(Date.now() - (i + 1) * 3_600_000), texts: [text] },
      );
      conversations[name] = seeded.conversationId;
    }
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    page.on('dialog', () => {
      throw new Error('a dialog opened: markup in a snippet was run');
    });
    await page.goto(`${server.url}/inbox/`);
    await page.fill('[data-testid="login-email"]', 'admin@example.com');
    await page.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="logout"]');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const hits = () => page.locator('[data-testid="search-hit"]');
  const hitIds = () => hits().evaluateAll((els) => els.map((el) => el.getAttribute('data-conversation-id')));

  it('finds by a word in any form and highlights it; markup in a message stays text', async () => {
    await page.locator('#global-search').fill('refunds');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="search-hit"]').length === 3);
    expect(await hitIds()).toEqual([
      conversations['Ada Lovelace'],
      conversations['Grace Hopper'],
      conversations['Alan Turing'],
    ]);
    const marks = await page.locator('[data-testid="search-hit"] mark').allTextContents();
    expect(marks.map((m) => m.toLowerCase())).toEqual(['refund', 'refunds', 'refund']);
    // The first hit is the active option of the combobox.
    expect(await page.locator('#global-search').getAttribute('aria-activedescendant')).toBe('search-hit-0');
    expect(await hits().nth(0).getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('[data-testid="search-hit"] img').count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}/search-results.png` });
  });

  it('narrows the hits with a filter', async () => {
    await page.selectOption('[data-testid="search-filter-status"]', 'resolved');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="search-hit"]').length === 1);
    expect(await hitIds()).toEqual([conversations['Grace Hopper']]);
    await page.selectOption('[data-testid="search-filter-status"]', 'all');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="search-hit"]').length === 3);
  });

  it('moves with the arrow keys and opens the chosen conversation with Enter', async () => {
    const box = page.locator('#global-search');
    await box.focus();
    await box.press('ArrowDown');
    await box.press('ArrowDown');
    expect(await box.getAttribute('aria-activedescendant')).toBe('search-hit-2');
    await box.press('ArrowUp');
    expect(await hits().nth(1).getAttribute('aria-selected')).toBe('true');
    await page.screenshot({ path: `${SCREENSHOTS}/search-arrow.png` });
    await box.press('Enter');
    await page.waitForFunction((id) => window.location.hash === `#/conversations/${id}`, conversations['Grace Hopper']);
    await page.locator('[data-testid="search-panel"]').waitFor({ state: 'detached' });
    await page.getByText('Refunds take too long').first().waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/search-opened.png` });
  });

  it('finds a contact by a phone number typed in national format, and says when nothing matches', async () => {
    const box = page.locator('#global-search');
    await box.fill('0154 9131 5660');
    await page.waitForFunction((id) => {
      const found = [...document.querySelectorAll('[data-testid="search-hit"]')];
      return found.length === 1 && found[0]!.getAttribute('data-conversation-id') === id;
    }, conversations['Ada Lovelace']);
    expect(await hits().nth(0).textContent()).toContain('Phone');
    await box.fill('zzzzqqqq');
    await page.locator('[data-testid="search-empty"]').waitFor();
    await box.press('Escape');
    await page.locator('[data-testid="search-panel"]').waitFor({ state: 'detached' });
  });
});
