import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';

/**
 * An admin creates an API token on the Agents page, sees its secret once, an integration uses it, and after a
 * confirmed revocation the same secret is refused.
 */
describe(`e2e in Chromium: API tokens on the Agents page (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  const listConversations = (secret: string) =>
    fetch(`${server.url}/api/conversations`, { headers: { authorization: `Bearer ${secret}` } });

  beforeAll(async () => {
    server = await startTestServer();
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

  it('creates a token with chosen scopes, shows its secret once, and revokes it after a confirmation', async () => {
    await page.goto(`${server.url}/inbox/#/agents`);
    const card = page.locator('[data-testid="api-tokens"]');
    await card.getByText('No API tokens yet.').waitFor();
    await card.scrollIntoViewIfNeeded();

    // Bad input is explained and nothing is created.
    await page.click('[data-testid="api-token-create"]');
    await card.getByRole('alert').getByText('Give the token a name.').waitFor();
    await page.fill('[data-testid="api-token-name"]', 'CRM sync');
    await page.uncheck('[data-scope="conversations:read"]');
    await page.click('[data-testid="api-token-create"]');
    await card.getByRole('alert').getByText('Choose at least one scope.').waitFor();
    await page.fill('[data-testid="api-token-days"]', '0');
    await page.check('[data-scope="conversations:read"]');
    await page.click('[data-testid="api-token-create"]');
    await card.getByRole('alert').getByText('Enter a number of days from 1 to 3650.').waitFor();
    expect(await card.locator('[data-testid="api-token"]').count()).toBe(0);

    await page.fill('[data-testid="api-token-days"]', '30');
    await page.check('[data-scope="messages:write"]');
    await page.screenshot({ path: `${SCREENSHOTS}/api-tokens-form.png`, fullPage: true });
    await page.click('[data-testid="api-token-create"]');
    const secret = (await page.textContent('[data-testid="api-token-secret-value"]'))!.trim();
    expect(secret.length).toBeGreaterThan(20);
    await page.screenshot({ path: `${SCREENSHOTS}/api-tokens-secret.png` });
    await page.getByRole('button', { name: 'Done' }).click();
    await page.waitForSelector('[data-testid="api-token-secret"]', { state: 'detached' });

    // Listed with its scopes and expiry, never with its secret.
    const row = card.locator('[data-testid="api-token"]');
    const listed = (await row.textContent())!;
    expect(listed).toContain('CRM sync');
    expect(listed).toContain('Read conversations, Send messages');
    expect(listed).toContain('expires');
    expect(listed).not.toContain(secret);
    expect(await row.locator('[data-testid="api-token-state"]').textContent()).toBe('Active');
    expect((await listConversations(secret)).status).toBe(200);

    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('Every request made with it is refused from now on.').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/api-tokens-revoke-confirm.png` });
    await page.click('[data-testid="api-token-revoke"]');
    await expect.poll(() => row.locator('[data-testid="api-token-state"]').textContent()).toBe('Revoked');
    expect(await row.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    expect((await listConversations(secret)).status).toBe(401);
    await page.screenshot({ path: `${SCREENSHOTS}/api-tokens-revoked.png`, fullPage: true });
  });

  it('speaks the admin’s language: the card in Swedish', async () => {
    await page.click('[data-testid="nav-profile"]');
    await page.selectOption('[data-testid="profile-language"]', 'sv');
    await page.waitForFunction(() => document.documentElement.lang === 'sv');
    await page.click('[data-testid="nav-agents"]');
    const card = page.locator('[data-testid="api-tokens"]');
    await card.getByRole('heading', { name: 'API-token' }).waitFor();
    const text = (await card.textContent())!;
    expect(text).toContain('Återkallat');
    expect(text).toContain('Läsa konversationer, Skicka meddelanden');
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}/api-tokens-sv.png`, fullPage: true });
    // Back to English for whoever signs in next on this database.
    await page.click('[data-testid="nav-profile"]');
    await page.selectOption('[data-testid="profile-language"]', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
  });
});
