import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { axeViolations } from '../helpers/axe.ts';
import { seedPerson } from '../helpers/fixtures.ts';
import { conversations, instanceSettings } from '../../drizzle/schema/index.ts';

const SHOTS = '/tmp/shots-trash';
const person = {
  name: 'Tove Lindqvist-Test',
  email: 'tove.l@example.org',
  phone: '+15550107373',
  marker: 'zq-tove-2718',
};

/**
 * The trash as a person uses it, in real Chromium: an agent's Delete asks first and says for how long the
 * conversation stays restorable; it leaves the list; the admin finds it in Privacy → Trash with its purge date and
 * restores it (after a confirmation), and it is back in the list.
 */
describe(`e2e in Chromium: delete a conversation to the trash and restore it (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let seeded: Awaited<ReturnType<typeof seedPerson>>;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startTestServer({ TRASH_RETAIN_DAYS: '45' });
    seeded = await seedPerson(server.root, person);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
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

  const row = () =>
    page.locator(`[data-testid="conversation-row"][data-conversation-id="${seeded.emailConversationId}"]`);
  const stored = async () =>
    (await server.root.db.select().from(conversations).where(eq(conversations.id, seeded.emailConversationId)))[0]!;

  it('Delete asks first, names the window, and takes the conversation out of the list', async () => {
    await row().click();
    await page.waitForSelector(
      `[data-testid="conversation-header"][data-conversation-id="${seeded.emailConversationId}"]`,
    );
    await page.click('[data-testid="delete-conversation"]');
    const dialog = page.locator('[data-testid="delete-conversation-dialog"]');
    await dialog.waitFor();
    await expect.poll(() => dialog.innerText()).toContain('45 days');
    expect(await dialog.innerText()).toContain(person.name);
    await page.waitForTimeout(300); // the dialog's fade-in
    await page.screenshot({ path: `${SHOTS}/01-delete-confirm.png` });
    expect(
      await axeViolations(page, { label: 'delete dialog', include: '[data-testid="delete-conversation-dialog"]' }),
    ).toEqual([]);

    // Cancel changes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await stored()).deletedAt).toBeNull();

    await page.click('[data-testid="delete-conversation"]');
    await page.click('[data-testid="delete-conversation-confirm"]');
    await row().waitFor({ state: 'detached' });
    await page.getByText('Conversation moved to the trash').waitFor();
    await page.screenshot({ path: `${SHOTS}/02-deleted.png` });
    const trashed = await stored();
    expect(trashed.deletedAt).not.toBeNull();
    expect(trashed.purgeAfter!.getTime() - trashed.deletedAt!.getTime()).toBe(45 * 86_400_000);
  });

  it('the admin restores it from Privacy → Trash, after a confirmation', async () => {
    await page.goto(`${server.url}/inbox/#/privacy`);
    await page.click('[data-testid="privacy-nav-trash"]');
    const trashRow = page.locator(`[data-testid="trash-row"][data-conversation-id="${seeded.emailConversationId}"]`);
    await trashRow.waitFor();
    expect(await trashRow.innerText()).toContain(person.name);
    const purge = await trashRow.locator('[data-testid="trash-purge-date"] time').getAttribute('datetime');
    expect(purge).toBe((await stored()).purgeAfter!.toISOString());
    await page.locator('[data-testid="trash"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/03-trash-list.png` });
    expect(await axeViolations(page, { label: 'trash section', include: '[data-testid="trash"]' })).toEqual([]);

    await trashRow.locator('[data-testid="trash-restore"]').click();
    const dialog = page.locator('[data-testid="trash-restore-dialog"]');
    await dialog.waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${SHOTS}/04-restore-confirm.png` });
    await page.click('[data-testid="trash-restore-confirm"]');
    await trashRow.waitFor({ state: 'detached' });
    await page.getByText('The trash is empty').waitFor();
    expect((await stored()).deletedAt).toBeNull();

    await page.goto(`${server.url}/inbox/#/conversations`);
    await row().waitFor();
    await row().click();
    await page
      .locator('[data-testid="message-body"]', { hasText: `${person.marker}-body-one` })
      .first()
      .waitFor();
    await page.screenshot({ path: `${SHOTS}/05-restored.png` });
  });

  it('the admin sets the window there: a clear message for a bad value, then the new one in force', async () => {
    await page.goto(`${server.url}/inbox/#/privacy`);
    await page.click('[data-testid="privacy-nav-trash"]');
    const section = page.locator('[data-testid="trash"]');
    const days = section.locator('[data-testid="trash-window-days"]');
    await days.waitFor();
    expect(await days.inputValue()).toBe('45');
    expect(await section.innerText()).toContain("This is the server's default (TRASH_RETAIN_DAYS).");

    await days.fill('0');
    await section.locator('[data-testid="trash-window-save"]').click();
    const error = section.locator('[data-testid="trash-window-error"]');
    await error.waitFor();
    expect(await error.innerText()).toContain('Enter a whole number of days from 1 to 365.');
    expect(await days.getAttribute('aria-invalid')).toBe('true');
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/06-window-invalid.png` });
    expect((await server.root.db.select().from(instanceSettings)).find((r) => r.key === 'trash.retain_days')).toBe(
      undefined,
    );

    await days.fill('60');
    await error.waitFor({ state: 'detached' });
    await section.locator('[data-testid="trash-window-save"]').click();
    await page.getByText('Deleted conversations now stay in the trash for 60 days').waitFor();
    await expect.poll(() => section.locator('.card-head p').innerText()).toContain('60 days');
    expect(await section.innerText()).toContain('Without your choice it would be 45 days (TRASH_RETAIN_DAYS).');
    await page.screenshot({ path: `${SHOTS}/07-window-saved.png` });
    expect(await axeViolations(page, { label: 'trash window', include: '[data-testid="trash"]' })).toEqual([]);
    expect(
      (await server.root.db.select().from(instanceSettings)).find((r) => r.key === 'trash.retain_days')?.value,
    ).toBe('60');

    // The delete dialog names the new window.
    await page.goto(`${server.url}/inbox/#/conversations`);
    await row().click();
    await page.click('[data-testid="delete-conversation"]');
    const dialog = page.locator('[data-testid="delete-conversation-dialog"]');
    await expect.poll(() => dialog.innerText()).toContain('60 days');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('the retention preview counts what is due to leave the trash, and the sweep says how much it purged', async () => {
    // The conversation's window ran out a minute ago (as if deleted 61 days back).
    const past = Date.now();
    await server.root.db
      .update(conversations)
      .set({ deletedAt: new Date(past - 61 * 86_400_000), purgeAfter: new Date(past - 60_000) })
      .where(eq(conversations.id, seeded.emailConversationId));
    await page.goto(`${server.url}/inbox/#/privacy`);
    await page.click('[data-testid="privacy-nav-retention"]');
    const due = page.locator('[data-testid="retention-preview-row"][data-class="trash"]');
    await due.waitFor();
    expect(await due.getAttribute('data-count')).toBe('1');
    expect(await due.innerText()).toContain('Trash (deleted conversations)');
    await page.locator('[data-testid="retention-preview"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/08-preview-trash.png` });

    await page.click('[data-testid="retention-sweep"]');
    await page.locator('[data-testid="retention-sweep-dialog"]').waitFor();
    await page.click('[data-testid="retention-sweep-confirm"]');
    const result = page.locator('[data-testid="retention-sweep-result"]');
    await result.waitFor();
    expect(await result.innerText()).toContain('Trash (deleted conversations): 1');
    await result.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/09-sweep-trash.png` });
    expect(
      await server.root.db.select().from(conversations).where(eq(conversations.id, seeded.emailConversationId)),
    ).toEqual([]);
  });
});
