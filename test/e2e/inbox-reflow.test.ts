import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { seedPerson } from '../helpers/fixtures.ts';
import { axeViolations } from '../helpers/axe.ts';

const SHOTS = '/tmp/shots-a11y-inbox';

/**
 * Runs in the page: controls and headings a user cannot reach because the layout cuts them off. Something outside
 * the window counts only when nothing that scrolls holds it; a box that scrolls must then be reachable by
 * keyboard (focusable itself, or holding the focusable thing).
 */
function cutOff(): string[] {
  const problems: string[] = [];
  const width = document.documentElement.clientWidth;
  const scroller = (el: Element): HTMLElement | null => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (
        /(auto|scroll)/.test(style.overflowX + style.overflowY) &&
        (a.scrollWidth > a.clientWidth || a.scrollHeight > a.clientHeight)
      )
        return a;
    }
    return null;
  };
  if (document.documentElement.scrollWidth > width + 1) {
    // Name the widest things that stick out, so the report says what to fix.
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 1 && !el.closest('.visually-hidden'))
      .filter((el) => !scroller(el))
      .filter((el) => ![...el.children].some((c) => c.getBoundingClientRect().right > width + 1))
      .slice(0, 4)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`);
    problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${width}): ${wide.join(', ')}`);
  }
  const name = (el: Element) => {
    const testid = el.getAttribute('data-testid');
    return `${el.tagName.toLowerCase()}${testid ? `[${testid}]` : ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`;
  };
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea, h1, h2, h3, [tabindex="0"]')) {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || box.width === 0 || box.height === 0 || el.closest('.visually-hidden, [inert]'))
      continue;
    if (box.left >= -1 && box.right <= width + 1) continue;
    const holder = scroller(el);
    if (!holder)
      problems.push(`${name(el)} is cut off at ${Math.round(box.left)}..${Math.round(box.right)} of ${width}`);
    else if (holder.tabIndex < 0 && !holder.querySelector('a[href], button, input, select, textarea, [tabindex="0"]'))
      problems.push(`${name(el)} sits in a box that scrolls but cannot be reached by keyboard`);
  }
  return problems;
}

/**
 * Issue 19, reflow (WCAG 1.4.10) and forced colours: the inbox at 320 CSS px wide, at 200 % zoom (a 1280 px
 * window zoomed to 200 % lays out 640 CSS px at two device pixels each) and in a Windows contrast theme.
 * Every page: nothing cut off, no sideways scrolling of the page, and a long timeline scrolls by keyboard.
 * Screenshots are saved for a person to look at.
 */
describe(`e2e in Chromium: the inbox reflows at 320 px and 200 % zoom, and works in forced colours (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let seeded: Awaited<ReturnType<typeof seedPerson>>;
  let chatConversationId: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startTestServer();
    seeded = await seedPerson(server.root, {
      name: 'Rhea Reflow',
      email: 'rhea.reflow@example.org',
      phone: '+442079460222',
      marker: 'zq-rhea',
    });
    const visitor = await server.visitor();
    for (let i = 0; i < 25; i++)
      await visitor.post('/api/widget/messages', { clientId: randomUUID(), text: `Line ${i} of a long question` });
    const admin = await server.agentClient('admin');
    chatConversationId = (await admin.get(`/api/conversations?inboxId=${server.chatInboxId}`)).body.items[0].id;
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const signIn = async (page: Page) => {
    await page.goto(`${server.url}/inbox/`);
    await page.waitForSelector('[data-testid="login-email"]');
    await page.fill('[data-testid="login-email"]', 'admin@example.com');
    await page.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="logout"]');
  };

  /** Every page of the inbox, as reached by its address; `ready` shows it has drawn. */
  const pages: Array<[string, string, string]> = [
    ['conversations', '#/conversations', 'conversation-row'],
    ['email', '', 'contact-panel'],
    ['chat', '', 'message-list'],
    ['kb', '#/kb', 'kb-page'],
    ['replies', '#/replies', 'canned-replies-page'],
    ['analytics', '#/analytics', 'analytics-page'],
    ['agents', '#/agents', 'agents-page'],
    ['privacy', '#/privacy', 'privacy-page'],
    ['profile', '#/profile', 'profile-page'],
  ];

  const tour = async (page: Page, mode: string) => {
    const problems: Record<string, string[]> = {};
    await page.goto(`${server.url}/inbox/`);
    await page.waitForSelector('[data-testid="login-email"]');
    await page.screenshot({ path: `${SHOTS}/${mode}-login.png`, fullPage: true });
    const login = await page.evaluate(cutOff);
    if (login.length) problems.login = login;
    await signIn(page);
    for (const [name, hash, ready] of pages) {
      const target =
        name === 'email'
          ? `#/conversations/${seeded.emailConversationId}`
          : name === 'chat'
            ? `#/conversations/${chatConversationId}`
            : hash;
      await page.goto(`${server.url}/inbox/${target}`);
      await page.waitForSelector(`[data-testid="${ready}"]`);
      await page.waitForTimeout(300);
      await page.screenshot({ path: `${SHOTS}/${mode}-${name}.png`, fullPage: true });
      const found = await page.evaluate(cutOff);
      // At 320 px more boxes scroll: axe checks (among the rest) that each can be reached by keyboard.
      if (mode === '320px')
        found.push(...(await axeViolations(page, { label: `${mode} ${name}` })).map((v) => `${v.rule}: ${v.targets}`));
      if (found.length) problems[name] = found;
    }
    return problems;
  };

  it('at 320 CSS px wide nothing is cut off, and the timeline scrolls by keyboard', async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
    const page = await context.newPage();
    expect(await tour(page, '320px')).toEqual({});
    await page.goto(`${server.url}/inbox/#/conversations/${chatConversationId}`);
    const timeline = page.locator('[data-testid="message-list"]');
    await page.locator('[data-testid="message"]', { hasText: 'Line 24 of a long question' }).waitFor();
    await timeline.evaluate((el) => (el.scrollTop = 0));
    await timeline.focus();
    await page.keyboard.press('PageDown');
    await expect.poll(() => timeline.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
    await context.close();
  }, 240_000);

  it('at 200 % zoom nothing is cut off', async () => {
    const context = await browser.newContext({ viewport: { width: 640, height: 360 }, deviceScaleFactor: 2 });
    expect(await tour(await context.newPage(), 'zoom200')).toEqual({});
    await context.close();
  }, 240_000);

  it('in forced colours the focus stays visible', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.emulateMedia({ forcedColors: 'active' });
    expect(await tour(page, 'forced')).toEqual({});
    await page.goto(`${server.url}/inbox/#/conversations/${seeded.emailConversationId}`);
    await page.waitForSelector('[data-testid="contact-panel"]');
    await page.locator('[data-testid="nav-kb"]').focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement!);
      return `${style.outlineStyle} ${style.outlineWidth}`;
    });
    expect(outline).toBe('solid 2px');
    await page.screenshot({ path: `${SHOTS}/forced-focus.png` });
    await context.close();
  }, 240_000);
});
