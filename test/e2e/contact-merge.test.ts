import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { contactIdentities, contacts, conversations, inboxes } from '../../drizzle/schema/index.ts';
import { identityIs } from '../helpers/identities.ts';
import { setContactFields } from '../helpers/contacts.ts';

/**
 * Issue 15 item 2 in the browser: a customer wrote by email and, from the chat widget, gave the same email in other
 * capitals. The contact panel of the email conversation suggests the chat contact; "Merge" asks for confirmation,
 * and afterwards the panel shows the chat conversation as one of this contact's, the suggestion is gone, and the
 * chat contact no longer exists.
 */
describe(`e2e in Chromium: merging a suggested contact from the contact panel (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let emailContact: string;
  let emailConversation: string;
  let chatContact: string;
  let chatConversation: string;

  beforeAll(async () => {
    server = await startTestServer();
    const { root } = server;
    const [mail] = await root.db.insert(inboxes).values({ name: 'Mail', channel: 'email' }).returning();
    const email = await ingest(root, {
      channel: 'email',
      inboxId: mail!.id,
      sender: { kind: 'email', address: 'ines.merge@example.org', name: 'Ines Merge-Test' },
      threadKey: '<e2e-merge-1@example.org>',
      externalId: '<e2e-merge-1@example.org>',
      subject: 'Where is my parcel?',
      text: 'Hello, my parcel has not arrived.',
      occurredAt: new Date(),
    });
    emailContact = email.contactId;
    emailConversation = email.conversation.id;
    const visitor = await server.visitor();
    expect(
      (await visitor.post('/api/widget/messages', { clientId: 'e2e-merge', text: 'Me again, by chat' })).status,
    ).toBe(201);
    const [identity] = await root.db
      .select()
      .from(contactIdentities)
      .where(identityIs(root.db, 'visitor', visitor.visitorId));
    chatContact = identity!.contactId;
    await setContactFields(root.db, chatContact, { email: 'Ines.Merge@Example.org' });
    const [chat] = await root.db.select().from(conversations).where(eq(conversations.contactId, chatContact));
    chatConversation = chat!.id;

    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
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

  it('suggests the chat contact, merges it after confirmation, and shows both under one contact', async () => {
    await page.click(`[data-testid="conversation-row"][data-conversation-id="${emailConversation}"]`);
    await page.waitForSelector(`[data-testid="contact-panel"][data-contact-id="${emailContact}"]`);
    const suggestion = page.locator(`[data-testid="merge-suggestion"][data-contact-id="${chatContact}"]`);
    await suggestion.waitFor();
    expect(await suggestion.textContent()).toContain('same email');

    await suggestion.locator('[data-testid="merge-button"]').click();
    const dialog = page.locator('[data-testid="merge-dialog"]');
    await dialog.waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/contact-merge-dialog.png` });
    await page.click('[data-testid="merge-confirm"]');
    await dialog.waitFor({ state: 'detached' });

    await page.locator(`[data-testid="contact-conversation"][data-conversation-id="${chatConversation}"]`).waitFor();
    await suggestion.waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid="contact-identity"][data-kind="visitor"]').count()).toBe(1);
    const left = await server.root.db.select().from(contacts).where(eq(contacts.id, chatContact));
    expect(left).toEqual([]);
    const [moved] = await server.root.db.select().from(conversations).where(eq(conversations.id, chatConversation));
    expect(moved!.contactId).toBe(emailContact);
  });
});
