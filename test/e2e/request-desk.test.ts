import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { seedPerson } from '../helpers/fixtures.ts';
import { fileRequest } from '../../server/privacy/request-desk.ts';
import { rectifyContact } from '../../server/privacy/rectify.ts';

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
});
