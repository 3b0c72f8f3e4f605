import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { consentEvents, contactIdentities, contacts } from '../../drizzle/schema/index.ts';

/** Browsers block storage in cross-site iframes; blocked storage holds nothing either. */
const frameStorageLength = () => {
  try {
    return localStorage.length + sessionStorage.length;
  } catch {
    return 0;
  }
};

const XSS_VISITOR = `<script>window.__xss = 'visitor-script'</script><img src=x onerror="window.__xss='visitor-img'">`;
const XSS_AGENT = `<b>bold?</b><img src=x onerror="window.__xss='agent-img'">`;

describe(`e2e in Chromium: widget on /demo <-> agent inbox (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let visitorContext: BrowserContext;
  let agentContext: BrowserContext;
  let site: Page;
  let inbox: Page;

  beforeAll(async () => {
    server = await startTestServer({
      CONTROLLER_NAME: 'Acme Shop GmbH',
      PRIVACY_POLICY_URL: 'https://acme.example/privacy',
    });
    browser = await launchBrowser();
    visitorContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    agentContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    site = await visitorContext.newPage();
    inbox = await agentContext.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const widgetFrame = async (): Promise<Frame> => {
    const handle = await site.waitForSelector('[data-testid="widget-frame"]', { state: 'attached' });
    const frame = await handle.contentFrame();
    if (!frame) throw new Error('widget iframe has no frame');
    return frame;
  };
  const contactCount = async () => (await server.root.db.select({ n: count() }).from(contacts))[0]!.n;

  it('shows the consent notice before anything is stored, in the browser or on the server', async () => {
    // The host page on localhost, the widget from 127.0.0.1 (PUBLIC_URL): cross-site, as on a customer's site.
    await site.goto(`${server.url.replace('127.0.0.1', 'localhost')}/demo`);
    await site.click('[data-testid="widget-launcher"]');
    const frame = await widgetFrame();
    await frame.waitForSelector('[data-testid="consent-notice"]');
    await site.screenshot({ path: `${SCREENSHOTS}/01-widget-notice.png` });

    expect(await visitorContext.cookies()).toEqual([]);
    expect(await site.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
    expect(await frame.evaluate(frameStorageLength)).toBe(0);
    expect(await contactCount()).toBe(0);

    // The notice names the controller, links the privacy policy and calls the statistics pseudonymous.
    const text = await frame.textContent('[data-testid="consent-text"]');
    expect(text).toContain('This chat is run by Acme Shop GmbH');
    expect(text).toContain('pseudonymous, not anonymous');
    expect(await frame.getAttribute('[data-testid="privacy-policy-link"]', 'href')).toBe(
      'https://acme.example/privacy',
    );

    expect(await frame.isChecked('[data-testid="consent-analytics"]')).toBe(false);
    expect(await frame.isChecked('[data-testid="consent-support"]')).toBe(false);
    expect(await frame.isDisabled('[data-testid="consent-accept"]')).toBe(true);
  });

  it('records the accepted consents with the policy version and only then stores the token', async () => {
    const frame = await widgetFrame();
    await frame.check('[data-testid="consent-support"]');
    await frame.click('[data-testid="consent-accept"]');
    await frame.waitForSelector('[data-testid="chat-input"]');
    expect(await contactCount()).toBe(1);
    const events = await server.root.db.select().from(consentEvents);
    expect(events.map((e) => [e.purpose, e.granted, e.policyVersion, e.sourceChannel]).sort()).toEqual([
      ['analytics', false, server.root.notice.policyVersion, 'chat'],
      ['support', true, server.root.notice.policyVersion, 'chat'],
    ]);
    // After consent, and only then, the loader keeps the visitor token first-party on the host page.
    expect(await site.evaluate(() => Object.keys(localStorage))).toEqual([
      `privacy-inbox.widget.${server.chatInboxId}.token`,
    ]);
    expect(await visitorContext.cookies()).toEqual([]);
  });

  it('a visitor message appears live in the agent inbox, and the agent reply appears in the widget', async () => {
    await inbox.goto(`${server.url}/inbox/`);
    await inbox.fill('[data-testid="login-email"]', 'admin@example.com');
    await inbox.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await inbox.click('[data-testid="login-submit"]');
    await inbox.waitForSelector('[data-testid="logout"]');

    const frame = await widgetFrame();
    await frame.fill('[data-testid="chat-input"]', 'Hello, my order #123 has not arrived.');
    await frame.click('[data-testid="chat-send"]');

    // Live: the inbox was already open, no reload.
    const row = await inbox.waitForSelector('[data-testid="conversation-row"]');
    expect(await row.textContent()).toContain('Hello, my order #123 has not arrived.');
    await row.click();
    await inbox.waitForSelector('[data-testid="message"][data-channel="chat"]');
    expect(await inbox.textContent('[data-testid="message-body"]')).toBe('Hello, my order #123 has not arrived.');

    await inbox.fill('[data-testid="reply-input"]', 'Sorry about that! Checking with the courier now.');
    await inbox.click('[data-testid="reply-send"]');
    const reply = await frame.waitForSelector('[data-testid="chat-message"][data-from="agent"]');
    expect(await reply.textContent()).toContain('Sorry about that! Checking with the courier now.');
    await site.screenshot({ path: `${SCREENSHOTS}/02-widget-conversation.png` });
    await inbox.screenshot({ path: `${SCREENSHOTS}/03-inbox-conversation.png` });
  });

  it('an internal note shows in the inbox, marked as such, and never in the widget', async () => {
    await inbox.click('[data-testid="mode-note"]');
    // The label says what happens to a note: it stays out of the conversation, not out of an access request.
    const label = 'Not sent to the customer; included if they request a copy of their data';
    expect(await inbox.textContent('[data-testid="composer"]')).toContain(label);
    await inbox.fill('[data-testid="reply-input"]', 'Courier says it is delayed at the depot.');
    await inbox.click('[data-testid="reply-send"]');
    const note = await inbox.waitForSelector('[data-testid="message"][data-kind="note"]');
    expect(await note.textContent()).toContain(label);
    await inbox.click('[data-testid="mode-reply"]');
    await site.waitForTimeout(500);
    const frame = await widgetFrame();
    const widgetText = await frame.textContent('body');
    expect(widgetText).not.toContain('delayed at the depot');
  });

  it('the history survives a page reload', async () => {
    await site.reload();
    await site.click('[data-testid="widget-launcher"]');
    const frame = await widgetFrame();
    await frame.waitForSelector('[data-testid="chat-message"][data-from="agent"]');
    const bodies = await frame.$$eval('[data-testid="chat-message-body"]', (els) => els.map((e) => e.textContent));
    expect(bodies).toEqual([
      'Hello, my order #123 has not arrived.',
      'Sorry about that! Checking with the courier now.',
    ]);
    expect(await frame.$('[data-testid="consent-notice"]')).toBeNull();
  });

  it('script and HTML typed into messages show as text in both apps and never run', async () => {
    const frame = await widgetFrame();
    await frame.fill('[data-testid="chat-input"]', XSS_VISITOR);
    await frame.click('[data-testid="chat-send"]');
    await inbox.waitForFunction(
      (text) => [...document.querySelectorAll('[data-testid="message-body"]')].some((el) => el.textContent === text),
      XSS_VISITOR,
    );
    await inbox.fill('[data-testid="reply-input"]', XSS_AGENT);
    await inbox.click('[data-testid="reply-send"]');
    await frame.waitForFunction(
      (text) =>
        [...document.querySelectorAll('[data-testid="chat-message-body"]')].some((el) => el.textContent === text),
      XSS_AGENT,
    );
    await site.waitForTimeout(300);
    expect(await frame.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
    expect(await site.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
    expect(await inbox.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
    // No element was created from the text: the only <img> elements are the apps' own.
    expect(
      await inbox.$$eval('[data-testid="message-body"] img, [data-testid="message-body"] b', (els) => els.length),
    ).toBe(0);
    expect(
      await frame.$$eval(
        '[data-testid="chat-message-body"] img, [data-testid="chat-message-body"] b',
        (els) => els.length,
      ),
    ).toBe(0);
    await site.screenshot({ path: `${SCREENSHOTS}/04-widget-xss-as-text.png` });
    await inbox.screenshot({ path: `${SCREENSHOTS}/05-inbox-xss-as-text.png` });
  });

  it('a token that expired while the visitor was away brings back the notice, once, and is forgotten', async () => {
    // The visitor was last seen longer ago than VISITOR_TOKEN_IDLE_DAYS (30 by default).
    await server.root.db
      .update(contactIdentities)
      .set({ lastSeenAt: new Date(Date.now() - 31 * 24 * 60 * 60 * 1000) })
      .where(eq(contactIdentities.kind, 'visitor'));
    const refused: string[] = [];
    site.on('response', (res) => {
      if (res.status() === 401 && new URL(res.url()).pathname.startsWith('/api/widget/')) refused.push(res.url());
    });
    await site.reload();
    await site.click('[data-testid="widget-launcher"]');
    const frame = await widgetFrame();
    await frame.waitForSelector('[data-testid="consent-notice"] .reason');
    expect(await frame.textContent('[data-testid="consent-notice"] .reason')).toContain('session has ended');
    expect(await frame.$('[data-testid="chat-input"]')).toBeNull();
    expect(refused.length).toBeGreaterThan(0);
    // The loader forgot the token: the next visit starts at the notice without presenting it again.
    await site.waitForFunction(() => localStorage.length === 0);
    refused.length = 0;
    await site.reload();
    await site.click('[data-testid="widget-launcher"]');
    await (await widgetFrame()).waitForSelector('[data-testid="consent-notice"]');
    expect(refused).toEqual([]);
    await site.screenshot({ path: `${SCREENSHOTS}/06-widget-token-expired.png` });
  });
});
