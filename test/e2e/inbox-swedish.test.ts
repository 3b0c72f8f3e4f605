import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createAgent } from '../../server/domain/agents.ts';
import { agents } from '../../drizzle/schema/index.ts';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';

/**
 * Issue 18, item 7 (the inbox in Swedish): an agent whose preference is Swedish signs in from an English browser,
 * opens a conversation and replies; every text, the page's language and the dates are Swedish. The preference is
 * chosen on the Profile page and the inbox follows it at once and at the next sign-in.
 */
describe(`e2e in Chromium: the inbox in Swedish (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const astrid = { email: 'astrid@test.example', name: 'Astrid Lindqvist', password: 'astrid-e2e-password' };

  const text = async (selector: string) => (await page.textContent(selector))?.replace(/\s+/g, ' ').trim();
  const lang = () => page.getAttribute('html', 'lang');

  beforeAll(async () => {
    server = await startTestServer();
    const created = await createAgent(server.root.db, { ...astrid, role: 'agent' }, null);
    await server.root.db.update(agents).set({ locale: 'sv' }).where(eq(agents.id, created.id));
    const visitor = await server.visitor();
    const sent = await visitor.post('/api/widget/messages', {
      clientId: randomUUID(),
      text: 'Hej! Mitt paket har inte kommit fram än. Kan ni se var det är?',
    });
    expect(sent.status).toBe(201);
    // A word of it redacted: the stored "[redacted]" code is shown in Swedish.
    const admin = await server.agentClient('admin');
    const conversationId = (await visitor.get('/api/widget/messages')).body.conversationId as string;
    const detail = await admin.get(`/api/conversations/${conversationId}`);
    const message = (detail.body.messages as Array<{ id: string; body: string }>)[0]!;
    const start = message.body.indexOf('paket');
    expect((await admin.post(`/api/messages/${message.id}/redact`, { start, end: start + 5 })).status).toBe(200);
    browser = await launchBrowser();
    // An English browser: the agent's stored preference, not the browser, chooses Swedish.
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the sign-in page in the browser’s language, then the inbox in the agent’s Swedish', async () => {
    await page.goto(`${server.url}/inbox/`);
    await page.waitForSelector('[data-testid="login-submit"]');
    expect(await lang()).toBe('en');
    expect(await text('h1')).toBe('Sign in to Inbox');
    await page.fill('[data-testid="login-email"]', astrid.email);
    await page.fill('[data-testid="login-password"]', astrid.password);
    await page.click('[data-testid="login-submit"]');

    await page.waitForSelector('[data-testid="conversation-row"]');
    await page.waitForFunction(() => document.documentElement.lang === 'sv');
    expect(await text('[data-testid="nav-conversations"]')).toBe('Konversationer');
    expect(await text('[data-testid="nav-kb"]')).toBe('Kunskapsbas');
    expect(await text('[data-testid="logout"]')).toBe('Logga ut');
    expect(await text('[data-testid="filter-status-all"]')).toBe('Alla');
    expect(await text('[data-testid="filter-status-resolved"]')).toBe('Löst');
    expect(await text('.list-pane h2')).toBe('Konversationer');
    expect(await page.innerText('[data-testid="conversation-preview"]')).toContain('Mitt [maskerat] har inte');
    expect(await text('[data-testid="conversation-assignee"]')).toBe('Ej tilldelad');
    expect(await page.title()).toMatch(/Inkorg$/);
  });

  it('opens the conversation: headings, controls and dates in Swedish', async () => {
    await page.click('[data-testid="conversation-row"]');
    await page.waitForSelector('[data-testid="message-body"]');
    expect(await text('.day')).toBe('I dag');
    expect(await text('[data-testid="resolve-button"]')).toBe('Markera som löst');
    expect(await page.getAttribute('[data-testid="reply-input"]', 'placeholder')).toBe('Skriv ett svar…');
    expect(await text('[data-testid="mode-note"]')).toBe('Privat anteckning');
    expect(await text('[data-testid="composer"] .hint')).toBe('Svar via Chatt — kunden ser det här.');
    expect(await text('[data-testid="contact-panel"] h4')).toBe('Uppgifter');
    // What the agent sees and hears is Swedish; the stored code stays in the DOM text for the selection offsets.
    const marker = page.locator('[data-testid="redaction-marker"]').first();
    expect(await marker.evaluate((el) => getComputedStyle(el, '::before').content)).toBe('"[maskerat]"');
    expect(await marker.evaluate((el) => getComputedStyle(el.firstElementChild!).display)).toBe('none');
    expect(await marker.textContent()).toBe('[redacted]');
    expect(await marker.getAttribute('title')).toMatch(/^Maskerat av /);
    // The customer's language, detected from their message, named in the agent's language.
    expect(await text('[data-testid="conversation-language"] [aria-hidden="true"]')).toBe('SV');
    expect(await page.getAttribute('[data-testid="conversation-language"]', 'title')).toBe(
      'Kunden skriver på svenska (upptäckt i meddelandena)',
    );
    // The full date of a message, as Swedish writes it ("6 dec. 2026 14:05"), not "Dec 6, 2026, 2:05 PM".
    const time = page.locator('[data-testid="message-list"] time').first();
    const title = (await time.getAttribute('title'))!;
    const swedish = await time.evaluate((el) =>
      new Intl.DateTimeFormat('sv', { dateStyle: 'medium', timeStyle: 'short' }).format(
        new Date(el.getAttribute('datetime')!),
      ),
    );
    expect(title).toBe(swedish);
    expect(title).toMatch(/^\d{1,2} [a-zåäö]+\.? \d{4} \d{2}:\d{2}$/);
    expect(await text('[data-testid="contact-panel"] .details')).toMatch(/Kund sedan \d{1,2} [a-zåäö]+\.? \d{4}/);
  });

  it('replies; the sent reply and the inbox around it stay Swedish', async () => {
    expect(await text('[data-testid="reply-send"]')).toBe('Skicka');
    await page.fill('[data-testid="reply-input"]', 'Hej! Jag kollar med lagret och återkommer inom en timme.');
    await page.click('[data-testid="reply-send"]');
    const reply = await page.waitForSelector('[data-testid="message-body"]:has-text("Jag kollar med lagret")');
    expect(await reply.isVisible()).toBe(true);
    await page.waitForSelector('[data-testid="toast"], [data-testid="message-list"]');
    await page.screenshot({ path: `${SCREENSHOTS}/i18n-10-inbox-sv.png` });
    // The realtime badge reads Swedish once connected.
    await page.waitForSelector('[data-testid="realtime-status"].live-live');
    expect(await text('[data-testid="realtime-status"]')).toBe('Live');
    expect(await page.getAttribute('[data-testid="realtime-status"]', 'title')).toBe('Uppdateringar i realtid: Live');
  });

  it('switches language on the Profile page at once, and keeps the choice for the next sign-in', async () => {
    await page.click('[data-testid="nav-profile"]');
    await page.waitForSelector('[data-testid="profile-language"]');
    expect(await text('[data-testid="profile-page"] h1')).toBe('Din profil');
    expect(await page.inputValue('[data-testid="profile-language"]')).toBe('sv');
    await page.selectOption('[data-testid="profile-language"]', 'de');
    await page.waitForFunction(() => document.documentElement.lang === 'de');
    expect(await text('[data-testid="profile-page"] h1')).toBe('Ihr Profil');
    expect(await text('[data-testid="nav-conversations"]')).toBe('Konversationen');
    await page.waitForSelector('[data-testid="toast"]:has-text("Der Posteingang ist jetzt auf Deutsch.")');
    await page.screenshot({ path: `${SCREENSHOTS}/i18n-11-profile-de.png` });

    await page.selectOption('[data-testid="profile-language"]', 'sv');
    await page.waitForFunction(() => document.documentElement.lang === 'sv');
    await page.click('[data-testid="logout"]');
    await page.waitForSelector('[data-testid="login-submit"]');
    await page.fill('[data-testid="login-email"]', astrid.email);
    await page.fill('[data-testid="login-password"]', astrid.password);
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="nav-conversations"]');
    await page.waitForFunction(() => document.documentElement.lang === 'sv');
    expect(await text('[data-testid="nav-conversations"]')).toBe('Konversationer');
  });
});
