import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { seedPerson } from '../helpers/fixtures.ts';

/**
 * Issue 17 item 13: no console error and no failed request on any main page. Real Chromium visits the inbox
 * signed out (the login page), then signed in: conversations with one open, knowledge base, canned replies,
 * analytics, agents, privacy and the profile; then the /demo host page with the widget open. Every console
 * error, uncaught page error, failed request and HTTP answer >= 400 is collected; the test fails on any.
 * It also checks the rough edges a user sees: markers naming who did it, the phone check in the contact editor,
 * and the view staying put after a redaction.
 */
describe(`e2e in Chromium: the main pages run without console errors or failed requests (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let seeded: Awaited<ReturnType<typeof seedPerson>>;
  const problems: string[] = [];
  let where = 'start';

  const watch = (target: Page) => {
    target.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`[${where}] console error: ${msg.text()}`);
    });
    target.on('pageerror', (err) => problems.push(`[${where}] page error: ${err.message}`));
    target.on('requestfailed', (req) =>
      problems.push(`[${where}] request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText ?? ''}`),
    );
    target.on('response', (res) => {
      if (res.status() >= 400) problems.push(`[${where}] HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
    });
  };
  /** Lets late requests and socket messages of a page arrive before the next one is visited. */
  const settle = async (target: Page) => {
    await target.waitForLoadState('networkidle');
    await target.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  };
  const visit = async (name: string, nav: string, ready: string) => {
    where = name;
    await page.click(`[data-testid="${nav}"]`);
    await page.waitForSelector(`[data-testid="${ready}"]`);
    await settle(page);
    await page.screenshot({ path: `${SCREENSHOTS}/console-clean-${name}.png` });
    expectOneDateFormat(name, await page.innerText('body'));
  };
  /** One date format: no numeric 11/07/2026 or raw 2026-11-07 in what the page shows (inputs' values aside). */
  const expectOneDateFormat = (name: string, text: string) => {
    expect(text.match(/\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/g) ?? [], name).toEqual([]);
    expect(text.match(/\b\d{4}-\d{2}-\d{2}\b/g) ?? [], name).toEqual([]);
  };

  beforeAll(async () => {
    server = await startTestServer();
    seeded = await seedPerson(server.root, {
      name: 'Cleo Console-Test',
      email: 'cleo.console@example.org',
      phone: '+442079460123',
      marker: 'zq-cleo-0123',
    });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    watch(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the inbox: signed out, then every main page signed in, shows no error', async () => {
    where = 'login page';
    await page.goto(`${server.url}/inbox/`);
    await page.waitForSelector('[data-testid="login-email"]');
    await settle(page);
    await page.fill('[data-testid="login-email"]', 'admin@example.com');
    await page.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    where = 'sign-in';
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="logout"]');
    await settle(page);

    where = 'conversation';
    await page.click(`[data-testid="conversation-row"][data-conversation-id="${seeded.emailConversationId}"]`);
    await page.waitForSelector(`[data-testid="contact-panel"][data-contact-id="${seeded.contactId}"]`);
    await settle(page);
    await page.screenshot({ path: `${SCREENSHOTS}/console-clean-conversation.png` });

    await visit('knowledge-base', 'nav-kb', 'kb-page');
    await visit('canned-replies', 'nav-replies', 'canned-replies-page');
    await visit('analytics', 'nav-analytics', 'analytics-page');
    await visit('agents', 'nav-agents', 'agents-page');
    await visit('privacy', 'nav-privacy', 'privacy-page');
    await visit('profile', 'nav-profile', 'profile-page');
    await visit('conversations', 'nav-conversations', 'conversation-row');

    where = 'reload signed in';
    await page.reload();
    await page.waitForSelector('[data-testid="logout"]');
    await settle(page);

    expect(problems).toEqual([]);
  });

  it('timeline markers name who assigned and who resolved', async () => {
    where = 'markers';
    const colleague = await server.agentClient('admin');
    await page.click(`[data-testid="conversation-row"][data-conversation-id="${seeded.emailConversationId}"]`);
    await page.waitForSelector(`[data-testid="contact-panel"][data-contact-id="${seeded.contactId}"]`);
    const conv = `/api/conversations/${seeded.emailConversationId}`;
    expect((await colleague.send('POST', `${conv}/assign`, { agentId: colleague.agent.id })).status).toBe(200);
    expect((await colleague.send('POST', `${conv}/status`, { status: 'resolved' })).status).toBe(200);
    const markers = page.locator('[data-testid="message"][data-kind="event"]');
    await markers.filter({ hasText: 'resolved' }).waitFor();
    const texts = (await markers.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
    const all = texts.join(' | ');
    expect(all).toContain(`Assigned to ${colleague.agent.name} by ${colleague.agent.name}`);
    expect(all).toContain(`to resolved by ${colleague.agent.name}`);
    await page.screenshot({ path: `${SCREENSHOTS}/console-clean-markers.png` });
    expect(problems).toEqual([]);
  });

  it('the contact editor refuses "12345" with a message and saves a real number in E.164', async () => {
    where = 'contact editor';
    await page.click('[data-testid="contact-edit"]');
    await page.fill('[data-testid="contact-edit-phone"]', '12345');
    await page.locator('[data-testid="contact-edit-phone"]').blur();
    const problem = page.locator('[data-testid="contact-edit-phone"] ~ .problem');
    await problem.waitFor();
    expect(await problem.innerText()).toContain('Not a valid phone number');
    expect(await page.isDisabled('[data-testid="contact-save"]')).toBe(true);
    await page.fill('[data-testid="contact-edit-phone"]', '+44 20 7946 0958');
    await page.click('[data-testid="contact-save"]');
    await page.locator('[data-testid="contact-phone"]', { hasText: '+442079460958' }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/console-clean-contact-phone.png` });
    expect(problems).toEqual([]);
  });

  it('a redaction leaves the timeline where the agent was reading', async () => {
    where = 'redaction';
    const visitor = await server.visitor();
    const said: string[] = [];
    for (let i = 0; i < 30; i++) {
      const text = `Line ${i} of a long chat, secret zq-redact-${i}`;
      const res = await visitor.post('/api/widget/messages', { clientId: crypto.randomUUID(), text });
      expect(res.status).toBe(201);
      said.push(text);
    }
    const agent = await server.agentClient('admin');
    const list = await agent.get(`/api/conversations?inboxId=${server.chatInboxId}`);
    const conversationId: string = list.body.items[0].id;
    await page.click(`[data-testid="conversation-row"][data-conversation-id="${conversationId}"]`);
    const timeline = page.locator('[data-testid="message-list"]');
    await page.locator('[data-testid="message"]', { hasText: 'zq-redact-29' }).waitFor();
    await timeline.evaluate((el) => (el.scrollTop = 0));
    const before = await timeline.evaluate((el) => el.scrollTop);
    const detail = await agent.get(`/api/conversations/${conversationId}`);
    const target = detail.body.messages.find((m: { body: string }) => m.body.includes('zq-redact-2'));
    const start = target.body.indexOf('zq-redact-2');
    const redacted = await agent.post(`/api/messages/${target.id}/redact`, {
      start,
      end: start + 'zq-redact-2'.length,
    });
    expect(redacted.status).toBe(200);
    // The redaction's own marker line arrives at the bottom; the view stays where it was.
    await page
      .locator('[data-testid="message"][data-kind="event"]', { hasText: 'redacted' })
      .waitFor({ state: 'attached' });
    await page.locator('[data-testid="message"]', { hasText: 'Line 2 of a long chat, secret [redacted]' }).waitFor();
    expect(await timeline.evaluate((el) => el.scrollTop)).toBe(before);
    await page.screenshot({ path: `${SCREENSHOTS}/console-clean-redaction.png` });
    expect(problems).toEqual([]);
  });

  it('the demo host page and the widget show no error', async () => {
    const site = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    watch(site);
    where = 'demo page';
    // The host page on localhost, the widget from 127.0.0.1 (PUBLIC_URL): cross-site, as on a customer's site.
    await site.goto(`${server.url.replace('127.0.0.1', 'localhost')}/demo`);
    await site.click('[data-testid="widget-launcher"]');
    const handle = await site.waitForSelector('[data-testid="widget-frame"]', { state: 'attached' });
    const frame = await handle.contentFrame();
    if (!frame) throw new Error('widget iframe has no frame');
    await frame.waitForSelector('[data-testid="consent-notice"]');
    where = 'widget chat';
    await frame.check('[data-testid="consent-support"]');
    await frame.click('[data-testid="consent-accept"]');
    await frame.waitForSelector('[data-testid="chat-input"]');
    await settle(site);
    await site.screenshot({ path: `${SCREENSHOTS}/console-clean-widget.png` });
    expect(problems).toEqual([]);
  });
});
