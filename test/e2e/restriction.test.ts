import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { axeViolations } from '../helpers/axe.ts';
import { seedPerson } from '../helpers/fixtures.ts';

/** Issue 21, acceptance 3: an admin restricts a contact from the inbox; the header and the panel say so. */
describe(`e2e in Chromium: restriction and objection from the contact panel (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let seeded: Awaited<ReturnType<typeof seedPerson>>;

  beforeAll(async () => {
    server = await startTestServer();
    seeded = await seedPerson(server.root, {
      name: 'Rosa Restricta-Test',
      email: 'rosa.r@example.org',
      phone: '+15550107777',
      marker: 'zq-rosa-2718',
    });
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    await page.goto(`${server.url}/inbox/`);
    await page.fill('[data-testid="login-email"]', 'admin@example.com');
    await page.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="logout"]');
    await page.click(`[data-testid="conversation-row"][data-conversation-id="${seeded.emailConversationId}"]`);
    await page.waitForSelector('[data-testid="contact-panel"]');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const header = () => page.locator('[data-testid="conversation-header"]');
  const panel = () => page.locator('[data-testid="contact-panel"]');

  it('restricts with a reason: a "Restricted (Art. 18)" badge in header and panel; lifting removes it', async () => {
    await expect(header().locator('[data-testid="restriction-badge"]').count()).resolves.toBe(0);
    await page.click('[data-testid="restrict-button"]');
    const dialog = page.locator('[data-testid="restrict-dialog"]');
    await dialog.waitFor();
    // No reason, no restriction.
    expect(await page.locator('[data-testid="restriction-submit"]').isDisabled()).toBe(true);
    await page.fill('[data-testid="restriction-reason"]', 'Customer contests their address; checking with the shop');
    await page.click('[data-testid="restriction-submit"]');
    await dialog.waitFor({ state: 'detached' });

    const headerBadge = header().locator('[data-testid="restriction-badge"]');
    const panelBadge = panel().locator('[data-testid="restriction-badge"]');
    await headerBadge.waitFor();
    expect((await headerBadge.textContent())?.trim()).toBe('Restricted (Art. 18)');
    expect((await panelBadge.textContent())?.trim()).toBe('Restricted (Art. 18)');
    const item = panel().locator('[data-testid="restriction"]');
    expect(await item.textContent()).toContain('Customer contests their address');
    expect(await item.textContent()).toContain('dashboards and analytics');
    await page.screenshot({ path: `${SCREENSHOTS}/21-restricted-badge.png` });

    // The contact's history names it (field names and actions only).
    await page.click('[data-testid="contact-audit"] summary');
    await page.locator('[data-testid="contact-audit-entry"]', { hasText: 'contact restricted' }).waitFor();

    await item.locator('[data-testid="restriction-lift"]').click();
    const liftDialog = page.locator('[data-testid="restriction-lift-dialog"]');
    await liftDialog.waitFor();
    await page.fill('[data-testid="restriction-lift-reason"]', 'Address verified with the customer');
    expect(await axeViolations(page, { label: 'lift restriction dialog', include: 'dialog[open]' })).toEqual([]);
    await page.click('[data-testid="restriction-lift-confirm"]');
    await liftDialog.waitFor({ state: 'detached' });
    await headerBadge.waitFor({ state: 'detached' });
    expect(await panelBadge.count()).toBe(0);
  });

  it('records an objection to analytics: an "Objection (Art. 21)" badge naming what it covers', async () => {
    await page.click('[data-testid="restrict-button"]');
    await page.locator('[data-testid="restrict-dialog"]').waitFor();
    await page.check('[data-testid="kind-objection"]');
    await page.fill('[data-testid="restriction-reason"]', 'Objects to analysis of their conversations');
    // An objection names at least one purpose.
    expect(await page.locator('[data-testid="restriction-submit"]').isDisabled()).toBe(true);
    await page.check('[data-testid="purpose-analytics"]');
    await page.click('[data-testid="restriction-submit"]');
    const badge = header().locator('[data-testid="restriction-badge"]');
    await badge.waitFor();
    expect((await badge.textContent())?.trim()).toBe('Objection (Art. 21)');
    expect(await badge.getAttribute('title')).toContain('dashboards and analytics');
    await page.screenshot({ path: `${SCREENSHOTS}/21-objection-badge.png` });
  });
});
