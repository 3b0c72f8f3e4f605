import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Frame, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { createEmailInbox } from '../helpers/email.ts';
import { kbSeed } from '../../server/demo/kb.ts';

/** Local calendar date (YYYY-MM-DD) in a zone, `plusDays` from now. */
function localDate(timeZone: string, plusDays: number): string {
  const today = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + plusDays);
  return d.toISOString().slice(0, 10);
}

/**
 * Presence as a visitor and an agent live it, in real Chromium: business hours set in the inbox, the widget
 * saying when the team is back and taking an address, an honest hand-off, typing both ways, "Seen" and the
 * agents' online/away state.
 */
describe(`e2e in Chromium: business hours, hand-off honesty, typing and seen (${dbMode})`, () => {
  let server: TestServer;
  let dovecot: Dovecot;
  let smtp: SmtpSink;
  let admin: AgentClient;
  let browser: Browser;
  let site: Page;
  let inbox: Page;

  beforeAll(async () => {
    [dovecot, smtp, server] = await Promise.all([
      startDovecot(),
      startSmtpSink(),
      startTestServer({ BOT_ENABLED: 'true', BOT_EMBEDDER: 'lexical' }),
    ]);
    admin = await server.agentClient('admin');
    for (const article of kbSeed) await admin.post('/api/kb/articles', article);
    await server.bot.whenReady();
    await createEmailInbox(admin, dovecot, smtp);
    browser = await launchBrowser();
    site = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    inbox = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await inbox.goto(`${server.url}/inbox/`);
    await inbox.fill('[data-testid="login-email"]', 'admin@example.com');
    await inbox.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await inbox.click('[data-testid="login-submit"]');
    await inbox.waitForSelector('[data-testid="logout"]');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await Promise.all([dovecot?.stop(), smtp?.stop()]);
  });

  const frame = async (): Promise<Frame> =>
    (await (await site.waitForSelector('[data-testid="widget-frame"]', { state: 'attached' })).contentFrame())!;
  const say = async (f: Frame, text: string) => {
    await f.fill('[data-testid="chat-input"]', text);
    await f.click('[data-testid="chat-send"]');
  };
  const botSaid = (f: Frame, words: string) =>
    f.waitForFunction(
      (w) =>
        [...document.querySelectorAll('[data-testid="chat-message"][data-from="bot"]')].some((el) =>
          el.textContent?.includes(w),
        ),
      words,
    );

  it('an admin sets business hours with a time zone and holidays in the inbox', async () => {
    await inbox.click('[data-testid="nav-agents"]');
    const save = await inbox.waitForSelector('[data-testid="business-hours"] [data-testid="hours-save"]');
    expect(await inbox.inputValue('[data-testid="hours-inbox"]')).toBe(server.chatInboxId);
    await inbox.check('[data-testid="hours-enabled"]');
    await inbox.selectOption('[data-testid="hours-zone"]', 'Europe/Helsinki');
    // Closed all of the coming week, whenever this runs.
    for (let d = 0; d <= 7; d++) {
      await inbox.fill('[data-testid="hours-holiday-input"]', localDate('Europe/Helsinki', d));
      await inbox.click('[data-testid="hours-holiday-add"]');
    }
    await inbox.fill('[data-testid="hours-gone"]', '0');
    await save.click();
    await inbox.waitForSelector('text=Business hours saved');
    await inbox.locator('[data-testid="business-hours"]').screenshot({ path: `${SCREENSHOTS}/60-business-hours.png` });
    const saved = (await admin.get(`/api/inboxes/${server.chatInboxId}/business-hours`)).body.hours;
    expect(saved.timeZone).toBe('Europe/Helsinki');
    expect(saved.holidays).toHaveLength(8);
    expect(saved.windows.map((w: { day: number }) => w.day)).toEqual([1, 2, 3, 4, 5]);
  });

  it('outside hours the widget says when the team is back, hands off honestly and takes an address', async () => {
    await site.goto(`${server.url.replace('127.0.0.1', 'localhost')}/demo`);
    await site.click('[data-testid="widget-launcher"]');
    const f = await frame();
    await f.check('[data-testid="consent-support"]');
    await f.click('[data-testid="consent-accept"]');
    await say(f, 'I want to talk to a human');
    await botSaid(f, 'I have asked a colleague to join this chat');
    const status = await f.waitForSelector('[data-testid="chat-status"]');
    expect(await status.textContent()).toBe('A colleague has been asked to join this chat.');
    const closed = await f.waitForSelector('[data-testid="availability-closed"]');
    expect(await closed.textContent()).toMatch(/Our team is away right now\. We are back on .+ at \d{1,2}[:.]\d{2}/);
    expect(await f.textContent('body')).not.toContain('You are now talking with our team');

    // Asking again is acknowledged.
    await say(f, 'Hello?? A real person please');
    await botSaid(f, 'A colleague has already been asked');

    await f.click('[data-testid="followup-open"]');
    await f.fill('[data-testid="followup-email"]', 'jane@customer.example');
    await f.click('[data-testid="followup-save"]');
    expect(await (await f.waitForSelector('[role="alert"]')).textContent()).toContain('tick the box');
    await f.check('[data-testid="followup-consent"]');
    await f.click('[data-testid="followup-save"]');
    const set = await f.waitForSelector('[data-testid="followup-set"]');
    expect(await set.textContent()).toContain('j•••@customer.example');
    await site.screenshot({ path: `${SCREENSHOTS}/61-widget-closed-handoff-email.png` });
  });

  it('typing shows both ways, "Seen" both ways, and the team line appears only once a person joined', async () => {
    const f = await frame();
    await inbox
      .click('[data-testid="nav-conversations"]')
      .catch(() => inbox.goto(`${server.url}/inbox/#/conversations`));
    await inbox.click('[data-testid="filter-status-open"]');
    await (await inbox.waitForSelector('[data-testid="conversation-row"]')).click();
    await inbox.waitForSelector('[data-testid="reply-input"]');

    // The agent opened it: the visitor's messages show "Seen".
    await f.waitForSelector('[data-testid="chat-seen"]');

    await f.fill('[data-testid="chat-input"]', 'I am writing a long question');
    await inbox.waitForSelector('[data-testid="typing-indicator"]:has-text("The customer is typing")');
    await inbox.screenshot({ path: `${SCREENSHOTS}/62-inbox-customer-typing.png` });

    await inbox.locator('[data-testid="reply-input"]').pressSequentially('Hello, I am here', { delay: 20 });
    const typing = await f.waitForSelector('[data-testid="agent-typing"]');
    expect(await typing.textContent()).toContain('is typing…');
    await site.screenshot({ path: `${SCREENSHOTS}/63-widget-agent-typing.png` });

    await inbox.click('[data-testid="reply-send"]');
    await f.waitForSelector('[data-testid="chat-message"][data-from="agent"]');
    await f.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="chat-status"]')].some(
        (el) => el.textContent === 'You are now talking with our team.',
      ),
    );
    await f.waitForSelector('[data-testid="availability"]', { state: 'detached' });
    await f.waitForSelector('[data-testid="agent-typing"]', { state: 'detached' });
    // The widget is on screen: the agent sees that the customer read the reply.
    await inbox.waitForSelector('[data-testid="visitor-seen"]');
    await site.screenshot({ path: `${SCREENSHOTS}/64-widget-joined.png` });
    await inbox.screenshot({ path: `${SCREENSHOTS}/65-inbox-seen.png` });
  });

  it("agents' online/away state shows in the inbox", async () => {
    await inbox.click('[data-testid="nav-agents"]');
    const me = inbox.locator(`[data-testid="agent-row"]:has(.you) [data-testid="presence-dot"]`);
    await me.waitFor();
    expect(await me.getAttribute('data-state')).toBe('online');
    await inbox.selectOption('[data-testid="presence-toggle"]', 'away');
    await inbox.waitForSelector(`[data-testid="agent-row"]:has(.you) [data-testid="presence-dot"][data-state="away"]`);
    // A colleague who is not signed in is offline.
    const offline = inbox.locator(
      `[data-testid="agent-row"][data-agent-id="${admin.agent.id}"] [data-testid="presence-dot"]`,
    );
    expect(await offline.getAttribute('data-state')).toBe('offline');
    await inbox.screenshot({ path: `${SCREENSHOTS}/66-agents-presence.png` });
    await inbox.selectOption('[data-testid="presence-toggle"]', 'online');
  });

  it('inside business hours the widget shows the usual wait', async () => {
    await inbox.uncheck('[data-testid="hours-enabled"]');
    await inbox.click('[data-testid="hours-save"]');
    await expect
      .poll(async () => (await admin.get(`/api/inboxes/${server.chatInboxId}/business-hours`)).body.hours)
      .toBeNull();
    const other = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await other.goto(`${server.url.replace('127.0.0.1', 'localhost')}/demo`);
    await other.click('[data-testid="widget-launcher"]');
    const f = (await (
      await other.waitForSelector('[data-testid="widget-frame"]', { state: 'attached' })
    ).contentFrame())!;
    await f.check('[data-testid="consent-support"]');
    await f.click('[data-testid="consent-accept"]');
    await f.fill('[data-testid="chat-input"]', 'Can I speak to a person?');
    await f.click('[data-testid="chat-send"]');
    const wait = await f.waitForSelector('[data-testid="availability-wait"]');
    expect(await wait.textContent()).toMatch(/^Usual wait: about \d+ minutes\.$/);
    expect(await f.textContent('[data-testid="chat-status"]')).toBe('A colleague has been asked to join this chat.');
    await other.screenshot({ path: `${SCREENSHOTS}/67-widget-usual-wait.png` });
  });
});
