import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, signInAsAdmin } from '../helpers/browser.ts';
import { seedPerson } from '../helpers/fixtures.ts';
import { sealConversations } from '../helpers/seal-text.ts';
import { conversations } from '../../drizzle/schema/index.ts';

const SHOTS = '/tmp/shots-sealed-text';

/**
 * Issue 22 in the inbox, in real Chromium: a conversation stored sealed reads as before; once the person's key is
 * destroyed, its list row and its messages say the text can no longer be read (nothing breaks, nothing garbled).
 */
describe(`e2e in Chromium: sealed message text, readable and then unreadable (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let seeded: Awaited<ReturnType<typeof seedPerson>>;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startTestServer();
    seeded = await seedPerson(server.root, {
      name: 'Saga Kettleby',
      email: 'saga.k@example.org',
      phone: '+15550107474',
      marker: 'sk-5150',
    });
    await sealConversations(server.root.db, server.root.dataKeys, [seeded.emailConversationId]);
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await signInAsAdmin(page, server.url);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const row = () =>
    page.locator(`[data-testid="conversation-row"][data-conversation-id="${seeded.emailConversationId}"]`);

  it('shows sealed messages as they were written', async () => {
    await row().click();
    const body = page.locator('[data-testid="message-body"]').first();
    await expect.poll(() => body.textContent()).toContain('sk-5150');
    await page.screenshot({ path: `${SHOTS}/readable.png` });
  });

  it('says the text can no longer be read once the key is destroyed', async () => {
    const [c] = await server.root.db
      .select({ contactId: conversations.contactId })
      .from(conversations)
      .where(eq(conversations.id, seeded.emailConversationId));
    await server.root.dataKeys.shred(c!.contactId);
    await page.reload();
    await row().click();
    const notice = page.locator('[data-testid="message-unreadable"]').first();
    await expect
      .poll(() => notice.textContent())
      .toBe('This text can no longer be read: it was encrypted with the key of a person whose data was erased.');
    expect(await row().locator('[data-testid="conversation-preview"]').textContent()).toContain(
      'Text no longer readable',
    );
    await page.screenshot({ path: `${SHOTS}/unreadable.png` });
  });

  it("says the person's name, email and addresses can no longer be read, not that they are unknown", async () => {
    const panel = page.locator('[data-testid="contact-panel"]');
    await expect
      .poll(() => panel.locator('[data-testid="contact-name"]').textContent())
      .toContain('Name can no longer be read');
    expect((await panel.locator('[data-testid="contact-email"]').textContent())?.trim()).toBe('Can no longer be read');
    // Her number came as a phone identity, never as her contact's phone field: that field was never known.
    expect((await panel.locator('[data-testid="contact-phone"]').textContent())?.trim()).toBe('Not known');
    const identities = await panel.locator('[data-testid="contact-identity"] .address').allTextContents();
    expect(identities.length).toBeGreaterThan(0);
    for (const address of identities) expect(address.trim()).toBe('Can no longer be read');
    // Nothing of her is on the page in any readable form, and the words explain why on hover.
    const text = await page.locator('body').innerText();
    for (const value of ['Saga', 'Kettleby', 'saga.k@example.org', '5550107474']) expect(text).not.toContain(value);
    expect(await panel.locator('[data-testid="contact-email"] [data-unreadable]').getAttribute('title')).toContain(
      'destroyed when their data was erased',
    );
    await panel.screenshot({ path: `${SHOTS}/contact-unreadable.png` });
  });
});
