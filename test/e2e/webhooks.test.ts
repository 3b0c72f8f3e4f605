import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { verifyWebhook } from '../../packages/client/examples/verify-webhook.ts';

/** An admin adds a webhook on the Agents page, keeps its secret, sees its deliveries, deletes it after a confirm. */
describe(`e2e in Chromium: webhooks on the Agents page (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let receiver: Server;
  let url: string;
  const bodies: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push({ headers: req.headers, body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    url = `http://127.0.0.1:${port}/hooks/crm`;
    server = await startTestServer({ OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${port}` });
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
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('adds a webhook, shows its secret once, lists its deliveries and deletes it after a confirmation', async () => {
    await page.goto(`${server.url}/inbox/#/agents`);
    const card = page.locator('[data-testid="webhooks"]');
    await card.getByText('No webhooks yet.').waitFor();
    await page.fill('[data-testid="webhook-name"]', 'CRM sync');
    await page.fill('[data-testid="webhook-url"]', url);
    await page.check('[data-testid="webhook-content"]');
    expect(await card.textContent()).toContain('record of processing (Art. 30)');
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}/webhooks-form.png`, fullPage: true });
    await page.click('[data-testid="webhook-create"]');

    const secret = (await page.textContent('[data-testid="webhook-secret-value"]'))!;
    expect(secret).toMatch(/^whsec_/);
    await page.screenshot({ path: `${SCREENSHOTS}/webhooks-secret.png` });
    await page.getByRole('button', { name: 'Done' }).click();
    await page.waitForSelector('[data-testid="webhook-secret"]', { state: 'detached' });
    expect(await page.textContent('[data-testid="webhook"]')).toContain('With content');

    const visitor = await server.visitor();
    await visitor.post('/api/widget/messages', { clientId: 'e2e-webhook-1', text: 'Where is my order?' });
    // The form's default events: the new conversation, then its first message.
    await expect.poll(() => bodies.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const types = bodies.map((b) => verifyWebhook(secret, b.headers, b.body).type);
    expect(types).toEqual(['conversation.created', 'message.created']);

    await page.getByRole('button', { name: 'Last deliveries' }).click();
    const table = page.locator('[data-testid="webhook-deliveries"]');
    await table.getByText('delivered').first().waitFor();
    expect(await table.textContent()).toContain('message.created');
    await page.screenshot({ path: `${SCREENSHOTS}/webhooks-deliveries.png`, fullPage: true });

    await card.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Its waiting deliveries and their log are deleted with it.').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/webhooks-delete-confirm.png` });
    await page.click('[data-testid="webhook-delete"]');
    await card.getByText('No webhooks yet.').waitFor();
  });
});
