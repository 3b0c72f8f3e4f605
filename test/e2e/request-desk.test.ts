import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { seedPerson } from '../helpers/fixtures.ts';
import { fileRequest } from '../../server/privacy/request-desk.ts';
import { rectifyContact } from '../../server/privacy/rectify.ts';
import { createAgent } from '../../server/domain/agents.ts';

/** Issue 21 items 1 and 7 in the inbox: the desk (overdue first, figures) and a contact's access history. */
describe(`request desk and contact history in the inbox (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let now = new Date('2026-01-05T09:00:00Z');
  let seeded: Awaited<ReturnType<typeof seedPerson>>;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({}, { clock: () => new Date(now) }), launchBrowser()]);
    const { root } = server;
    seeded = await seedPerson(root, {
      name: 'Ida Imhof',
      email: 'ida@example.org',
      phone: '+4915112345678',
      marker: 'ii',
    });
    const verification = { method: 'agent_statement' as const, how: 'callback', verifiedAt: now.toISOString() };
    const actor = { actorKind: 'system' as const, actorId: null };
    await fileRequest(root, { contactId: seeded.contactId, kind: 'access', source: 'agent', verification }, actor);
    now = new Date('2026-02-01T09:00:00Z');
    await fileRequest(root, { contactId: seeded.contactId, kind: 'erasure', source: 'widget', verification }, actor);
    now = new Date('2026-02-10T09:00:00Z');
    await rectifyContact(root, seeded.contactId, { name: 'Ida Imhof-Graf' }, await adminId());
    page = await browser.newPage();
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

  async function adminId(): Promise<string> {
    const { agents } = await import('../../drizzle/schema/index.ts');
    const { eq } = await import('drizzle-orm');
    const [admin] = await server.root.db.select().from(agents).where(eq(agents.email, 'admin@example.com'));
    return admin!.id;
  }

  it('lists the overdue request first, with the figures', async () => {
    await page.click('[data-testid="nav-privacy"]');
    await page.waitForSelector('[data-testid="request-row"]');
    const rows = await page.$$eval('[data-testid="request-row"]', (trs) =>
      trs.map((tr) => [
        tr.querySelector('b')?.textContent,
        tr.querySelector('[data-testid="request-deadline"]')?.textContent?.trim(),
      ]),
    );
    expect(rows).toEqual([
      ['Access (Art. 15)', '5 days overdue'],
      ['Erasure (Art. 17)', '19 days left'],
    ]);
    expect(await page.textContent('[data-testid="figure-open"]')).toBe('2');
    expect(await page.textContent('[data-testid="figure-overdue"]')).toBe('1');
    await page.screenshot({ path: `${SCREENSHOTS}/request-desk.png`, fullPage: true });
  });

  it("shows who touched the contact's data in the contact panel, field names only", async () => {
    await page.goto(`${server.url}/inbox/#/conversations/${seeded.emailConversationId}`);
    await page.waitForSelector('[data-testid="contact-audit"]');
    await page.click('[data-testid="contact-audit"] summary');
    await page.waitForSelector('[data-testid="contact-audit-entry"]');
    const entries = await page.$$eval('[data-testid="contact-audit-entry"] span', (s) =>
      s.map((x) => x.textContent?.replace(/\s+/g, ' ').trim()),
    );
    expect(entries).toContain('Support team contact rectified: name');
    expect(entries.filter((e) => e?.includes('privacy request received')).length).toBe(2);
    expect(entries.join(' ')).not.toContain('Imhof-Graf');
    await page.screenshot({ path: `${SCREENSHOTS}/contact-audit.png` });
  });

  it('lets an agent log a request made by phone from the contact panel; the desk shows it with the note', async () => {
    await createAgent(
      server.root.db,
      { email: 'agnes@example.com', name: 'Agnes Agent', role: 'agent', password: 'agent-password-123' },
      null,
    );
    const context = await browser.newContext();
    const agentPage = await context.newPage();
    await agentPage.goto(`${server.url}/inbox/`);
    await agentPage.fill('[data-testid="login-email"]', 'agnes@example.com');
    await agentPage.fill('[data-testid="login-password"]', 'agent-password-123');
    await agentPage.click('[data-testid="login-submit"]');
    await agentPage.waitForSelector('[data-testid="logout"]');
    await agentPage.goto(`${server.url}/inbox/#/conversations/${seeded.emailConversationId}`);
    await agentPage.click('[data-testid="log-request-button"]');
    const dialog = agentPage.locator('[data-testid="log-request-dialog"]');
    await dialog.waitFor();
    await agentPage.selectOption('[data-testid="log-request-kind"]', 'erasure');
    // The server's clock stands at 10 February in this test.
    await agentPage.fill('[data-testid="log-request-received"]', '2026-02-09T10:30');
    await agentPage.selectOption('[data-testid="log-request-channel"]', 'phone');
    await agentPage.fill('[data-testid="log-request-note"]', 'Asked on the phone to delete the account');
    await agentPage.screenshot({ path: `${SCREENSHOTS}/log-request-dialog.png` });
    await agentPage.click('[data-testid="log-request-submit"]');
    await dialog.waitFor({ state: 'detached' });
    await context.close();

    await page.goto(`${server.url}/inbox/#/privacy`);
    await page.reload();
    const row = page.locator('[data-testid="request-row"]', { hasText: 'Asked on the phone to delete the account' });
    await row.waitFor();
    expect(await row.locator('b').textContent()).toBe('Erasure (Art. 17)');
    expect(await row.textContent()).toContain('Logged by staff (phone)');
    await page.screenshot({ path: `${SCREENSHOTS}/request-desk-logged.png`, fullPage: true });
  });

  it('closes a request refused on a legal basis and shows whether the person was told, and why not', async () => {
    const row = page.locator('[data-testid="request-row"]', { hasText: 'Access (Art. 15)' });
    await row.locator('[data-testid="request-close"]').click();
    await page.getByLabel('Refused, on a legal basis').check();
    await page.click('[data-testid="request-close-confirm"]');
    // This server has no mail inbox to send from: the desk says the person was not told.
    const told = row.locator('[data-testid="request-told"]');
    await told.waitFor();
    expect(await row.locator('[data-testid="request-outcome"]').textContent()).toContain('Refused: Bookkeeping duty');
    expect((await told.textContent())?.trim()).toBe('Not told: sending failed');
    await page.screenshot({ path: `${SCREENSHOTS}/request-desk-told.png`, fullPage: true });
  });
});
