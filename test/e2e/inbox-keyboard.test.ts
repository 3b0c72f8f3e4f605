import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { dbMode } from '../helpers/db.ts';
import {
  ADMIN_PASSWORD,
  emitWithAck,
  startTestServer,
  type TestServer,
  type VisitorClient,
} from '../helpers/server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { axeViolations } from '../helpers/axe.ts';
import { kbSeedFor } from '../../server/demo/kb.ts';

const SHOTS = '/tmp/shots-a11y-keyboard';
/** What each visitor writes first; the last becomes the newest conversation, at the top of the list. */
const FIRST_WORDS = ['Where is my parcel?', 'My invoice is wrong', 'Can I change my address?'];

/** What has the focus: its test id, role, tag and whether it is the page body. */
type Focused = { testid: string | null; role: string | null; tag: string; body: boolean; id: string | null };

/** The focused element's ring: its outline (or the box-shadow ring) and the contrast against what is behind it. */
type Ring = {
  style: string;
  width: number;
  contrast: number;
  color: string;
  behind: string;
  clipped: boolean;
  clipInfo: string;
};

declare global {
  interface Window {
    __marked?: Element | null;
  }
}

/**
 * WCAG 2.1 issue 19, the inbox by keyboard only (page.keyboard, never a click) and by screen reader: the skip
 * link, the roving conversation list, the status filters, reply, note, assign, resolve and reopen without the
 * focus ever dropping to the page body, the shortcut overlay, a visible focus ring, and the polite live region.
 */
describe(`e2e in Chromium: the inbox by keyboard and screen reader (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const visitors: VisitorClient[] = [];
  const sockets: Socket[] = [];

  const focused = (): Promise<Focused> =>
    page.evaluate(() => {
      const el = document.activeElement;
      return {
        testid: el?.getAttribute('data-testid') ?? null,
        role: el?.getAttribute('role') ?? null,
        tag: el?.tagName ?? '',
        body: !el || el === document.body,
        id: el?.getAttribute('data-conversation-id') ?? el?.id ?? null,
      };
    });

  /** Presses a key and checks the focus did not fall to the page body. */
  const press = async (key: string): Promise<Focused> => {
    await page.keyboard.press(key);
    const now = await focused();
    expect(now.body, `focus fell to <body> after ${key}`).toBe(false);
    return now;
  };

  /** Tabs (or Shift+Tabs) until the focus is on `testid`; each stop must be somewhere, never the body. */
  const tabTo = async (testid: string, key: 'Tab' | 'Shift+Tab', max: number): Promise<number> => {
    for (let stops = 1; stops <= max; stops++) {
      if ((await press(key)).testid === testid) return stops;
    }
    throw new Error(`${testid} not reached in ${max} ${key} presses (now on ${JSON.stringify(await focused())})`);
  };

  /** The ring of the focused element, measured as the user sees it: colour and width against the backdrop. */
  const ring = (): Promise<Ring> =>
    page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const parse = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
      const opaque = (c: string) => {
        const [, , , a = 1] = parse(c);
        return c !== 'transparent' && a > 0;
      };
      const style = getComputedStyle(el);
      // An outline drawn inside the box (negative offset) sits on the element's own background.
      const inset = parseFloat(style.outlineOffset) < 0;
      let node: Element | null = inset ? el : el.parentElement;
      while (node && !opaque(getComputedStyle(node).backgroundColor)) node = node.parentElement;
      const behind = node ? getComputedStyle(node).backgroundColor : 'rgb(255, 255, 255)';
      const luminance = (c: string) => {
        const [r = 0, g = 0, b = 0] = parse(c).map((v) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const [l1, l2] = [luminance(style.outlineColor), luminance(behind)].sort((a, b) => b - a) as [number, number];
      // The ring must not be cut off by a scrolling or clipping ancestor (the audit found rows' rings clipped).
      const grow = Math.max(0, parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth));
      const box = el.getBoundingClientRect();
      let clipped = false;
      let clipInfo = '';
      for (let up = el.parentElement; up; up = up.parentElement) {
        const o = getComputedStyle(up);
        if (o.overflowX === 'visible' && o.overflowY === 'visible') continue;
        const c = up.getBoundingClientRect();
        const eps = 0.5;
        const cut =
          box.left - grow < c.left - eps ||
          box.right + grow > c.right + eps ||
          box.top - grow < c.top - eps ||
          box.bottom + grow > c.bottom + eps;
        if (cut) clipInfo += `${up.tagName}.${up.className} [${c.left},${c.right},${c.top},${c.bottom}] `;
        clipped ||= cut;
      }
      clipInfo += `el [${box.left},${box.right},${box.top},${box.bottom}] grow ${grow}`;
      return {
        clipInfo,
        clipped,
        style: style.outlineStyle,
        width: parseFloat(style.outlineWidth),
        color: style.outlineColor,
        behind,
        contrast: (l1 + 0.05) / (l2 + 0.05),
      };
    });

  const expectVisibleRing = async (what: string) => {
    const r = await ring();
    expect(r.style, `${what}: no outline`).not.toBe('none');
    expect(r.width, `${what}: outline too thin`).toBeGreaterThanOrEqual(2);
    expect(r.contrast, `${what}: ${r.color} on ${r.behind}`).toBeGreaterThanOrEqual(3);
    expect(r.clipped, `${what}: the ring is cut off by a scrolling or clipping container: ${r.clipInfo}`).toBe(false);
  };

  const rowIds = () =>
    page.$$eval('[data-testid="conversation-row"]', (rows) => rows.map((r) => r.getAttribute('data-conversation-id')));
  const announcements = () => page.$$eval('[data-testid="live-announcer"] p', (ps) => ps.map((p) => p.textContent));
  const markFocused = () => page.evaluate(() => (window.__marked = document.activeElement));
  const stillMarked = () => page.evaluate(() => document.activeElement === window.__marked);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startTestServer();
    for (const text of FIRST_WORDS) {
      const visitor = await server.visitor();
      await visitor.post('/api/widget/messages', { clientId: randomUUID(), text });
      visitors.push(visitor);
    }
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await browser?.close();
    await server?.stop();
  });

  it('signs in, skips to the list, moves with arrows, replies, notes, assigns, resolves and reopens', async () => {
    await page.goto(`${server.url}/inbox/`);
    await page.waitForSelector('[data-testid="login-email"]');
    for (let i = 0; i < 6 && (await focused()).testid !== 'login-email'; i++) await page.keyboard.press('Tab');
    expect((await focused()).testid).toBe('login-email');
    await page.keyboard.type('admin@example.com');
    await page.keyboard.press('Tab');
    await page.keyboard.type(ADMIN_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="conversation-row"]');
    await expect.poll(async () => (await rowIds()).length).toBe(3);
    const ids = await rowIds();

    // The first Tab stop is the skip link, and it says where it goes; Enter lands on the first conversation.
    expect((await press('Tab')).testid).toBe('skip-to-conversations');
    expect(await page.textContent('[data-testid="skip-to-conversations"]')).toBe('Skip to conversations');
    await expectVisibleRing('skip link');
    await page.screenshot({ path: `${SHOTS}/skip-link.png` });
    const first = await press('Enter');
    expect(first.testid).toBe('conversation-row');
    expect(first.id).toBe(ids[0]);
    await expectVisibleRing('conversation row');

    // One Tab stop for the whole list; arrows, Home and End move within it.
    expect((await press('ArrowDown')).id).toBe(ids[1]);
    await expectVisibleRing('conversation row');
    await page.screenshot({ path: `${SHOTS}/row-focus.png` });
    expect((await press('ArrowUp')).id).toBe(ids[0]);
    expect((await press('End')).id).toBe(ids[2]);
    expect((await press('Home')).id).toBe(ids[0]);
    expect(
      await page.$$eval('[data-testid="conversation-row"]', (rows) => rows.map((r) => r.getAttribute('tabindex'))),
    ).toEqual(['0', '-1', '-1']);
    // The list, its filters and the skip link pass axe (WCAG 2.1 A/AA), colour contrast included.
    const markup = async (label: string, include: string) => axeViolations(page, { label, include });
    expect(await markup('conversation list', '#conversation-list-pane')).toEqual([]);
    expect(await markup('skip link', '[data-testid="skip-to-conversations"]')).toEqual([]);
    expect((await press('ArrowDown')).id).toBe(ids[1]);

    // Enter opens the conversation and puts the cursor in the reply box.
    await press('Enter');
    await expect
      .poll(() => page.getAttribute('[data-testid="conversation-header"]', 'data-conversation-id'))
      .toBe(ids[1]);
    await expect.poll(async () => (await focused()).testid).toBe('reply-input');
    await page.keyboard.type('Thanks, I am looking into it.');
    await press('Enter');
    await page.locator('[data-testid="message-body"]', { hasText: 'Thanks, I am looking into it.' }).waitFor();
    expect((await focused()).testid).toBe('reply-input');

    // Esc leaves the box for the messages (not the body); n writes a note.
    expect((await press('Escape')).testid).toBe('message-list');
    await expectVisibleRing('message list');
    expect((await press('n')).testid).toBe('reply-input');
    expect(await page.getAttribute('[data-testid="composer"]', 'data-mode')).toBe('note');
    await page.keyboard.type('Parcel is with the courier.');
    await press('Enter');
    await page.locator('[data-testid="message-body"]', { hasText: 'Parcel is with the courier.' }).waitFor();
    expect((await focused()).testid).toBe('reply-input');

    // a assigns to me; the focus stays where it was.
    expect((await press('Escape')).testid).toBe('message-list');
    expect((await press('a')).testid).toBe('message-list');
    await expect.poll(() => page.inputValue('[data-testid="assign-select"]')).not.toBe('');
    expect((await focused()).testid).toBe('message-list');
    await page.locator('[data-testid="conversation-row"][aria-current="page"]', { hasText: 'You' }).waitFor();

    // Resolve from the header's button: the same button becomes Reopen and keeps the focus; the change is said.
    await tabTo('resolve-button', 'Shift+Tab', 4);
    await expectVisibleRing('resolve button');
    await markFocused();
    await press('Enter');
    await page.locator('[data-testid="reopen-button"]').waitFor();
    expect(await stillMarked()).toBe(true);
    expect((await focused()).testid).toBe('reopen-button');
    await expectVisibleRing('reopen button');
    await expect.poll(announcements).toContain('Conversation resolved');
    await page.screenshot({ path: `${SHOTS}/resolved-focus.png` });
    await press('Enter');
    await page.locator('[data-testid="resolve-button"]').waitFor();
    expect(await stillMarked()).toBe(true);
    await expect.poll(announcements).toContain('Conversation reopened');
    // The agent's own reply and note are not read back to them, nor their delivery.
    const said = (await announcements()).join('\n');
    expect(said).not.toContain('Thanks, I am looking into it.');
    expect(said).not.toContain('Parcel is with the courier.');
    expect(said).not.toMatch(/Sending|Sent|Delivered/);
  });

  it('status filters are a radio group: one Tab stop, arrows choose, the list follows', async () => {
    // From the rows back over the list's selects to the filters.
    await tabTo('skip-to-conversations', 'Shift+Tab', 40);
    await press('Enter');
    expect((await focused()).testid).toBe('conversation-row');
    let stops = 0;
    while ((await focused()).role !== 'radio') {
      await press('Shift+Tab');
      if (++stops > 5) throw new Error('status filters not reached');
    }
    const filters = page.locator('[data-testid="status-filters"]');
    expect(await filters.getAttribute('role')).toBe('radiogroup');
    expect((await focused()).testid).toBe('filter-status-all');
    expect(await page.getAttribute('[data-testid="filter-status-all"]', 'aria-checked')).toBe('true');
    await expectVisibleRing('status filter');

    expect((await press('ArrowRight')).testid).toBe('filter-status-open');
    expect(await page.getAttribute('[data-testid="filter-status-open"]', 'aria-checked')).toBe('true');
    expect(await page.getAttribute('[data-testid="filter-status-all"]', 'aria-checked')).toBe('false');
    await expectVisibleRing('checked status filter');
    await page.screenshot({ path: `${SHOTS}/status-filter-focus.png` });
    expect((await press('End')).testid).toBe('filter-status-resolved');
    await page.waitForSelector('[data-testid="conversation-list"] >> text=No matching conversations');
    expect((await press('ArrowLeft')).testid).toBe('filter-status-bot');
    expect((await press('Home')).testid).toBe('filter-status-all');
    await expect.poll(async () => (await rowIds()).length).toBe(3);
    // Only the checked filter is in the Tab order.
    expect(
      await page.$$eval('[data-testid="status-filters"] [role="radio"]', (r) =>
        r.map((b) => b.getAttribute('tabindex')),
      ),
    ).toEqual(['0', '-1', '-1', '-1', '-1']);
  });

  it('"?" opens the shortcuts and Esc closes them, back to the same row', async () => {
    await tabTo('skip-to-conversations', 'Shift+Tab', 40);
    await press('Enter');
    const row = await press('ArrowDown');
    expect(row.testid).toBe('conversation-row');
    await page.keyboard.press('?');
    await page.locator('[data-testid="shortcuts-dialog"]').waitFor();
    expect(await page.evaluate(() => Boolean(document.activeElement?.closest('dialog[open]')))).toBe(true);
    await page.screenshot({ path: `${SHOTS}/shortcuts-overlay.png` });
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="shortcuts-dialog"]').waitFor({ state: 'detached' });
    const back = await focused();
    expect(back.testid).toBe('conversation-row');
    expect(back.id).toBe(row.id);
    await expectVisibleRing('row after the overlay');
  });

  it('the live region says a socket message once with its author once, and a new conversation', async () => {
    // The open conversation is the second visitor's (opened by keyboard above); they write over their socket.
    const name = (await page.textContent('[data-testid="conversation-header"] h2'))?.trim() ?? '';
    expect(name).not.toBe('');
    const timeline = (await page.textContent('[data-testid="message-list"]')) ?? '';
    const writer = visitors[FIRST_WORDS.findIndex((text) => timeline.includes(text))];
    expect(writer, 'the open conversation belongs to one of the visitors').toBeDefined();
    const socket = await writer!.socket();
    sockets.push(socket);
    await emitWithAck(socket, 'message:send', { clientId: randomUUID(), text: 'Is anyone there?' });
    await page.locator('[data-testid="message-body"]', { hasText: 'Is anyone there?' }).waitFor();
    await expect.poll(announcements).toContain(`${name}: Is anyone there?`);
    // Read receipts, list refreshes and the message's own updates come and go: still said once, the author once.
    await page.waitForTimeout(1500);
    const lines = (await announcements()).filter((l) => l?.includes('Is anyone there?'));
    expect(lines).toEqual([`${name}: Is anyone there?`]);
    expect(lines[0]!.split(name).length - 1).toBe(1);
    // Read in the timeline, the message names its author once too: the avatar's initials are hidden.
    const message = page.locator('[data-testid="message"]', { hasText: 'Is anyone there?' });
    expect(await message.locator('.avatar').getAttribute('aria-hidden')).toBe('true');

    // A new visitor starts a conversation: the list gains a row and the region says so once.
    const newcomer = await server.visitor();
    visitors.push(newcomer);
    const fresh = await newcomer.socket();
    sockets.push(fresh);
    await emitWithAck(fresh, 'message:send', { clientId: randomUUID(), text: 'Hello from a new customer' });
    await expect.poll(async () => (await rowIds()).length).toBe(4);
    await expect
      .poll(async () => (await announcements()).filter((l) => l?.includes('Hello from a new customer')).length)
      .toBe(1);
    const line = (await announcements()).find((l) => l?.includes('Hello from a new customer'));
    expect(line).toMatch(/^New conversation from .+: Hello from a new customer$/);
    const region = page.locator('[data-testid="live-announcer"]');
    expect(await region.getAttribute('aria-live')).toBe('polite');
    expect(await region.getAttribute('aria-atomic')).toBe('false');
  });

  it('search results and knowledge base articles are reached and moved through by keyboard', async () => {
    // "/" jumps to the search; arrows pick a hit; Enter opens it and the focus goes on to the reply box.
    await tabTo('skip-to-conversations', 'Shift+Tab', 40);
    await press('Enter');
    expect((await press('/')).testid).toBe('global-search');
    await page.keyboard.type('parcel');
    // Two hits: the customer's question and the note about the parcel.
    await expect.poll(() => page.locator('[data-testid="search-hit"]').count()).toBe(2);
    // Arrow to the hit in the other conversation (the open one holds the note).
    const open = await page.getAttribute('[data-testid="conversation-header"]', 'data-conversation-id');
    const activeHit = async () => {
      const id = await page.getAttribute('#global-search', 'aria-activedescendant');
      return id ? page.getAttribute(`#${id}`, 'data-conversation-id') : null;
    };
    await press('ArrowDown');
    const firstPick = await activeHit();
    await press('ArrowDown');
    const secondPick = await activeHit();
    expect(secondPick).not.toBe(firstPick);
    if (secondPick === open) await press('ArrowUp');
    const chosen = await activeHit();
    expect(chosen).not.toBe(open);
    await press('Enter');
    await expect
      .poll(() => page.getAttribute('[data-testid="conversation-header"]', 'data-conversation-id'))
      .toBe(chosen);
    await expect.poll(async () => (await focused()).testid).toBe('reply-input');

    // The articles list is one Tab stop with arrows, Home and End.
    const admin = await server.agentClient('admin');
    for (const article of kbSeedFor('en').slice(0, 3)) await admin.post('/api/kb/articles', article);
    await press('Escape');
    await tabTo('skip-to-conversations', 'Shift+Tab', 40);
    await tabTo('nav-kb', 'Tab', 6);
    await press('Enter');
    await expect.poll(() => page.locator('[data-testid="kb-article-row"]').count()).toBe(3);
    await tabTo('kb-article-row', 'Tab', 25);
    const articleIds = await page.$$eval('[data-testid="kb-article-row"]', (rows) =>
      rows.map((r) => r.getAttribute('data-article-id')),
    );
    const articleId = () => page.evaluate(() => document.activeElement?.getAttribute('data-article-id'));
    expect(await articleId()).toBe(articleIds[0]);
    await expectVisibleRing('article row');
    await press('ArrowDown');
    expect(await articleId()).toBe(articleIds[1]);
    await press('End');
    expect(await articleId()).toBe(articleIds[2]);
    await press('Home');
    expect(await articleId()).toBe(articleIds[0]);
    await page.screenshot({ path: `${SHOTS}/kb-article-focus.png` });
  });
});
