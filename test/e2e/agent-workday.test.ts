import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createAgent } from '../../server/domain/agents.ts';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer, type VisitorClient } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';

type Recorded = { title: string; body?: string };
declare global {
  interface Window {
    __notifications?: Recorded[];
  }
}

/** Issue 17 items 2, 5-8 as an agent meets them: canned replies, shortcuts, @mentions, notifications, profiles. */
describe(`e2e in Chromium: an agent's working day (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let admin: Page;
  let visitor: VisitorClient;
  let second: VisitorClient;
  const sam = { email: 'sam.e2e@test.example', name: 'Sam Rivera', password: 'sam-e2e-password' };
  let samId: string;

  const newPage = async (
    options: { notifications?: boolean } = {},
  ): Promise<{ page: Page; context: BrowserContext }> => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    if (options.notifications) {
      await context.grantPermissions(['notifications'], { origin: server.url });
      // Records what the page shows as system notifications (the real Notification still runs).
      await context.addInitScript(() => {
        const Original = window.Notification;
        const seen: Recorded[] = [];
        window.__notifications = seen;
        class Recording extends Original {
          constructor(title: string, init?: NotificationOptions) {
            super(title, init);
            seen.push({ title, body: init?.body });
          }
        }
        window.Notification = Recording;
      });
    }
    return { page: await context.newPage(), context };
  };

  const signIn = async (page: Page, email: string, password: string) => {
    await page.goto(`${server.url}/inbox/`);
    await page.fill('[data-testid="login-email"]', email);
    await page.fill('[data-testid="login-password"]', password);
    await page.click('[data-testid="login-submit"]');
  };

  beforeAll(async () => {
    server = await startTestServer();
    samId = (await createAgent(server.root.db, { ...sam, role: 'agent' }, null)).id;
    visitor = await server.visitor();
    await visitor.post('/api/widget/messages', { clientId: randomUUID(), text: 'Where is my parcel?' });
    second = await server.visitor();
    await second.post('/api/widget/messages', { clientId: randomUUID(), text: 'Second question' });
    browser = await launchBrowser();
    admin = (await newPage()).page;
    await signIn(admin, 'admin@example.com', ADMIN_PASSWORD);
    await admin.waitForSelector('[data-testid="conversation-row"]');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('manages a shared canned reply and inserts it with "/", filling only what is known', async () => {
    await admin.click('[data-testid="nav-replies"]');
    await admin.waitForSelector('[data-testid="canned-replies-page"]');
    await admin.fill('[data-testid="canned-shortcut"]', 'thanks');
    await admin.fill('[data-testid="canned-title"]', 'Thanks and goodbye');
    await admin.check('[data-testid="canned-shared"]');
    await admin.fill('[data-testid="canned-text"]', 'Thank you {{contact.firstName}}! {{agent.name}}');
    await admin.click('[data-testid="canned-lang-de"]');
    await admin.fill('[data-testid="canned-text"]', 'Danke {{contact.firstName}}! {{agent.name}}');
    await admin.click('[data-testid="canned-save"]');
    await admin.locator('[data-testid="canned-reply-row"]', { hasText: '/thanks' }).waitFor();
    await admin.screenshot({ path: `${SCREENSHOTS}/canned-replies-page.png`, fullPage: true });

    await admin.click('[data-testid="nav-conversations"]');
    await admin.locator('[data-testid="conversation-row"]', { hasText: 'Where is my parcel?' }).click();
    const input = admin.locator('[data-testid="reply-input"]');
    await input.click();
    await input.type('/tha');
    await admin.locator('[data-testid="suggestion"]', { hasText: '/thanks' }).waitFor();
    await admin.screenshot({ path: `${SCREENSHOTS}/canned-reply-popup.png` });
    await admin.keyboard.press('Enter');
    // The visitor gave no name: the placeholder stays, selected, and the reply cannot go out yet.
    await expect.poll(() => input.inputValue()).toBe('Thank you {{contact.firstName}}! Support team');
    await admin.waitForSelector('[data-testid="composer-unfilled"]');
    expect(await admin.textContent('[data-testid="composer-unfilled"]')).toContain('{{contact.firstName}}');
    expect(await admin.isDisabled('[data-testid="reply-send"]')).toBe(true);
    await admin.screenshot({ path: `${SCREENSHOTS}/canned-reply-unfilled.png` });
    await admin.keyboard.type('Alex'); // replaces the selected placeholder
    expect(await input.inputValue()).toBe('Thank you Alex! Support team');
    await admin.keyboard.press('Enter');
    await admin.locator('[data-testid="message-body"]', { hasText: 'Thank you Alex! Support team' }).waitFor();
    const history = await visitor.get('/api/widget/messages');
    const reply = history.body.messages.find((m: { body: string }) => m.body === 'Thank you Alex! Support team');
    // Customers never see a role: the untouched default name is sent as none, and the widget says "Support team"
    // in the visitor's own language (issue 18).
    expect(reply.authorName).toBeNull();
  });

  it('"?" lists the shortcuts in a real dialog; j/k, r, a and e work, but not while typing', async () => {
    await admin.goto(`${server.url}/inbox/#/conversations`);
    await admin.waitForSelector('[data-testid="conversation-row"]');
    const opener = admin.locator('[data-testid="nav-conversations"]');
    await opener.focus();
    await admin.keyboard.press('?');
    const dialog = admin.locator('[data-testid="shortcuts-dialog"]');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Next conversation');
    // Focus is trapped in the modal: tabbing around never leaves it.
    for (let i = 0; i < 4; i++) {
      await admin.keyboard.press('Tab');
      expect(await admin.evaluate(() => Boolean(document.activeElement?.closest('dialog[open]')))).toBe(true);
    }
    await admin.screenshot({ path: `${SCREENSHOTS}/shortcuts-overlay.png` });
    await admin.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await admin.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('nav-conversations');

    // j opens the first conversation, j again the next, k goes back.
    const openId = () => admin.getAttribute('[data-testid="conversation-header"]', 'data-conversation-id');
    await admin.keyboard.press('j');
    const first = await (
      await admin.waitForSelector('[data-testid="conversation-header"]')
    ).getAttribute('data-conversation-id');
    await admin.keyboard.press('j');
    await expect.poll(openId).not.toBe(first);
    await admin.keyboard.press('k');
    await expect.poll(openId).toBe(first);

    // r focuses the reply box; a "j" typed there is text, not a shortcut.
    await admin.keyboard.press('n');
    await expect.poll(() => admin.getAttribute('[data-testid="composer"]', 'data-mode')).toBe('note');
    await expect
      .poll(() => admin.evaluate(() => document.activeElement?.getAttribute('data-testid')))
      .toBe('reply-input');
    await admin.keyboard.press('Escape'); // leaves the box, so the next key is a shortcut again
    await admin.keyboard.press('r');
    await expect.poll(() => admin.getAttribute('[data-testid="composer"]', 'data-mode')).toBe('reply');
    await expect
      .poll(() => admin.evaluate(() => document.activeElement?.getAttribute('data-testid')))
      .toBe('reply-input');
    await admin.keyboard.type('jk');
    expect(await admin.inputValue('[data-testid="reply-input"]')).toBe('jk');
    expect(await openId()).toBe(first);
    await admin.fill('[data-testid="reply-input"]', '');

    // Leave the box, then a assigns to me and e resolves.
    await admin.keyboard.press('Escape');
    expect(await admin.evaluate(() => document.activeElement?.tagName)).not.toBe('TEXTAREA');
    await admin.keyboard.press('a');
    await expect.poll(() => admin.inputValue('[data-testid="assign-select"]')).not.toBe('');
    await admin.keyboard.press('e');
    await admin.locator('[data-testid="reopen-button"]').waitFor();

    // c opens the canned replies from outside the box.
    await admin.keyboard.press('c');
    await admin.locator('[data-testid="suggestion"]', { hasText: '/thanks' }).waitFor();
    expect(await admin.inputValue('[data-testid="reply-input"]')).toBe('/');
    await admin.keyboard.press('Escape');
    await admin.locator('[data-testid="composer-suggestions"]').waitFor({ state: 'detached' });
    await admin.fill('[data-testid="reply-input"]', '');
  });

  it('an @mention in a note notifies the colleague in the inbox and by a browser notification', async () => {
    const { page: samPage } = await newPage({ notifications: true });
    await signIn(samPage, sam.email, sam.password);
    await samPage.waitForSelector('[data-testid="conversation-row"]');
    await samPage.click('[data-testid="nav-profile"]');
    await samPage.check('[data-testid="notify-browser"]');
    await samPage.check('[data-testid="notify-sound"]');
    await samPage.click('[data-testid="nav-conversations"]');

    await admin.locator('[data-testid="conversation-row"]', { hasText: 'Second question' }).click();
    await admin.click('[data-testid="mode-note"]');
    const input = admin.locator('[data-testid="reply-input"]');
    await input.click();
    await input.type('Could @Sa');
    await admin.locator('[data-testid="suggestion"]', { hasText: '@Sam Rivera' }).waitFor();
    await admin.screenshot({ path: `${SCREENSHOTS}/mention-autocomplete.png` });
    await admin.keyboard.press('Enter');
    await input.type('take this one?');
    expect(await input.inputValue()).toBe('Could @Sam Rivera take this one?');
    await admin.keyboard.press('Enter');
    await admin.locator('[data-testid="message-body"]', { hasText: 'take this one?' }).waitFor();

    const toast = samPage.locator('[data-testid="toast"]', { hasText: 'Support team mentioned you' });
    await toast.waitFor();
    await expect
      .poll(() => samPage.evaluate(() => window.__notifications?.map((n) => n.title) ?? []))
      .toEqual(['Support team mentioned you']);
    await samPage.screenshot({ path: `${SCREENSHOTS}/mention-notification.png` });
    // The preference is kept on the server: a new page of Sam's reads it back.
    const prefs = await samPage.evaluate(async () => (await fetch('/api/agents/me/notifications')).json());
    expect(prefs).toMatchObject({ browser: true, sound: true, mentions: true });
    await samPage.context().close();
  });

  it('an agent changes their name, colour and password; customers see the new name', async () => {
    const { page, context } = await newPage();
    await signIn(page, sam.email, sam.password);
    await page.waitForSelector('[data-testid="nav-profile"]');
    await page.click('[data-testid="nav-profile"]');
    await page.fill('[data-testid="profile-name"]', 'Sam R.');
    await page.locator('[data-testid="profile-color"]').nth(2).check();
    await page.click('[data-testid="profile-save"]');
    await page.locator('[data-testid="nav-profile"]', { hasText: 'Sam R.' }).waitFor();
    await page.fill('[data-testid="password-current"]', 'wrong-password-here');
    await page.fill('[data-testid="password-new"]', 'sam-new-password-2');
    await page.fill('[data-testid="password-repeat"]', 'sam-new-password-2');
    await page.click('[data-testid="password-submit"]');
    expect(await page.locator('[data-testid="password-error"]').textContent()).toContain('current password');
    await page.fill('[data-testid="password-current"]', sam.password);
    await page.click('[data-testid="password-submit"]');
    await expect.poll(() => page.inputValue('[data-testid="password-current"]')).toBe('');
    await page.screenshot({ path: `${SCREENSHOTS}/profile-page.png`, fullPage: true });
    await context.close();

    const again = await newPage();
    await signIn(again.page, sam.email, 'sam-new-password-2');
    await again.page.locator('[data-testid="nav-profile"]', { hasText: 'Sam R.' }).waitFor();
    await again.page.locator('[data-testid="conversation-row"]').first().click();
    await again.page.fill('[data-testid="reply-input"]', 'Sam here');
    await again.page.keyboard.press('Enter');
    await again.page.locator('[data-testid="message-body"]', { hasText: 'Sam here' }).waitFor();
    await again.context.close();
    const histories = await Promise.all([visitor, second].map((v) => v.get('/api/widget/messages')));
    const messages = histories.flatMap((h) => h.body.messages as Array<{ body: string; authorName: string | null }>);
    expect(messages.find((m) => m.body === 'Sam here')?.authorName).toBe('Sam R.');
  });

  it('admins hand out one-time passwords and invitation links; demo colleagues say they cannot sign in', async () => {
    await createAgent(
      server.root.db,
      { email: 'maya.demo@test.example', name: 'Maya Demo', role: 'manager', password: randomUUID(), demo: true },
      null,
    );
    await admin.goto(`${server.url}/inbox/#/agents`);
    const mayaRow = admin.locator('[data-testid="agent-row"]', { hasText: 'Maya Demo' });
    expect(await mayaRow.locator('[data-testid="agent-status"]').textContent()).toContain('Demo, no sign-in');

    // A one-time password, shown once; the agent must choose their own at sign-in.
    const samRow = admin.locator(`[data-testid="agent-row"][data-agent-id="${samId}"]`);
    await samRow.locator('[data-testid="agent-otp"]').click();
    const once = (await admin.locator('[data-testid="secret-value"]').textContent())!.trim();
    await admin.screenshot({ path: `${SCREENSHOTS}/one-time-password.png` });
    await admin.locator('[data-testid="secret-dialog"] .btn-primary').click();
    const otp = await newPage();
    await signIn(otp.page, sam.email, once);
    await otp.page.waitForSelector('[data-testid="password-change-screen"]');
    await otp.page.screenshot({ path: `${SCREENSHOTS}/password-change-screen.png` });
    await otp.page.fill('[data-testid="password-current"]', once);
    await otp.page.fill('[data-testid="password-new"]', 'sam-third-password');
    await otp.page.fill('[data-testid="password-repeat"]', 'sam-third-password');
    await otp.page.click('[data-testid="password-submit"]');
    await otp.page.waitForSelector('[data-testid="conversation-row"]');
    await otp.context.close();

    // No email inbox can send here: the invitation link is shown once and signs the colleague in.
    await admin.fill('[data-testid="new-agent-name"]', 'Nora New');
    await admin.fill('[data-testid="new-agent-email"]', 'nora@test.example');
    await admin.check('[data-testid="new-agent-invite"]');
    await admin.click('[data-testid="new-agent-submit"]');
    const link = (await admin.locator('[data-testid="secret-value"]').textContent())!.trim();
    expect(link).toContain('/inbox/#/invite/');
    await admin.locator('[data-testid="secret-dialog"] .btn-primary').click();
    const noraRow = admin.locator('[data-testid="agent-row"]', { hasText: 'Nora New' });
    expect(await noraRow.locator('[data-testid="agent-status"]').textContent()).toContain('Invited');
    await admin.screenshot({ path: `${SCREENSHOTS}/agents-page-statuses.png`, fullPage: true });

    const nora = await newPage();
    await nora.page.goto(link);
    await nora.page.waitForSelector('[data-testid="invite-password"]');
    expect(await nora.page.textContent('[data-testid="invitation-form"]')).toContain('Nora New');
    await nora.page.fill('[data-testid="invite-password"]', 'nora-password-1');
    await nora.page.fill('[data-testid="invite-repeat"]', 'nora-password-1');
    await nora.page.screenshot({ path: `${SCREENSHOTS}/invitation-form.png` });
    await nora.page.click('[data-testid="invite-submit"]');
    await nora.page.locator('[data-testid="nav-profile"]', { hasText: 'Nora New' }).waitFor();
    await nora.context.close();
  });
});
