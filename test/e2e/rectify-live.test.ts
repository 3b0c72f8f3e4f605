import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { seedPerson } from '../helpers/fixtures.ts';

const person = {
  name: 'Nora Oldname-Test',
  email: 'nora.old@example.org',
  phone: '+15550107373',
  marker: 'zq-nora-7373',
};
const NEW_NAME = 'Nora Newname-Test';
const NEW_EMAIL = 'nora.new@example.org';

/**
 * Issue 15 item 10: agent A rectifies a contact's name in the contact panel; agent B, in another browser with the
 * same conversation open, sees the new name in the conversation list, the header and the contact panel without a
 * reload (the page's own marker survives, so it was not reloaded).
 */
describe(`e2e in Chromium: a rectified name shows on every agent's screen live (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let pageA: Page;
  let pageB: Page;
  let seeded: Awaited<ReturnType<typeof seedPerson>>;
  const agentB = { email: 'bea.colleague@test.example', password: 'bea-colleague-password' };

  const signIn = async (target: Page, email: string, password: string) => {
    await target.goto(`${server.url}/inbox/`);
    await target.fill('[data-testid="login-email"]', email);
    await target.fill('[data-testid="login-password"]', password);
    await target.click('[data-testid="login-submit"]');
    await target.waitForSelector('[data-testid="logout"]');
  };
  const openConversation = async (target: Page) => {
    await target.click(`[data-testid="conversation-row"][data-conversation-id="${seeded.emailConversationId}"]`);
    await target.waitForSelector(`[data-testid="contact-panel"][data-contact-id="${seeded.contactId}"]`);
  };
  const row = (target: Page) =>
    target.locator(`[data-testid="conversation-row"][data-conversation-id="${seeded.emailConversationId}"] .name`);
  const header = (target: Page) => target.locator('[data-testid="conversation-header"] h2');

  beforeAll(async () => {
    server = await startTestServer();
    seeded = await seedPerson(server.root, person);
    const { createAgent } = await import('../../server/domain/agents.ts');
    await createAgent(server.root.db, { ...agentB, name: 'Bea Colleague', role: 'agent' }, null);
    browser = await launchBrowser();
    pageA = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    pageB = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await signIn(pageA, 'admin@example.com', ADMIN_PASSWORD);
    await signIn(pageB, agentB.email, agentB.password);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("agent B's list, header and contact panel show the new name without a reload", async () => {
    await openConversation(pageA);
    await openConversation(pageB);
    expect(await row(pageB).textContent()).toBe(person.name);
    expect(await header(pageB).textContent()).toBe(person.name);
    expect(await pageB.textContent('[data-testid="contact-name"]')).toBe(person.name);
    await pageB.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    await pageA.click('[data-testid="contact-edit"]');
    await pageA.fill('[data-testid="contact-edit-name"]', NEW_NAME);
    await pageA.fill('[data-testid="contact-edit-email"]', NEW_EMAIL);
    await pageA.click('[data-testid="contact-save"]');

    for (const page of [pageB, pageA]) {
      await row(page).filter({ hasText: NEW_NAME }).waitFor();
      await header(page).filter({ hasText: NEW_NAME }).waitFor();
      await page.locator('[data-testid="contact-name"]', { hasText: NEW_NAME }).waitFor();
      await page.locator('[data-testid="contact-email"]', { hasText: NEW_EMAIL }).waitFor();
      // The customer's own words still say the old name; what the inbox shows as the contact does not.
      expect(await row(page).textContent()).toBe(NEW_NAME);
      expect(await header(page).textContent()).toBe(NEW_NAME);
    }
    expect(await pageB.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await pageB.screenshot({ path: `${SCREENSHOTS}/rectified-live.png` });
  });
});
