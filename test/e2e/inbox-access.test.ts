import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { inboxes } from '../../drizzle/schema/index.ts';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, VisitorClient, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';

/** An admin makes a team and restricts an agent to it from the Agents page; the agent then sees only that inbox. */
describe(`e2e in Chromium: teams and inbox access on the Agents page (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let agentId: string;
  const agentEmail = 'kim.access@test.example';
  const agentPassword = 'kim-access-password';

  const signIn = async (target: Page, email: string, password: string) => {
    await target.goto(`${server.url}/inbox/`);
    await target.fill('[data-testid="login-email"]', email);
    await target.fill('[data-testid="login-password"]', password);
    await target.click('[data-testid="login-submit"]');
    await target.waitForSelector('[data-testid="logout"]');
  };

  beforeAll(async () => {
    server = await startTestServer();
    const [shopB] = await server.root.db.insert(inboxes).values({ name: 'Shop B chat', channel: 'chat' }).returning();
    for (const [inboxId, text] of [
      [server.chatInboxId, 'Parcel question for shop A'],
      [shopB!.id, 'Parcel question for shop B'],
    ] as const) {
      const visitor = await VisitorClient.start(server.url, inboxId, false);
      await visitor.post('/api/widget/messages', { clientId: randomUUID(), text });
    }
    const { createAgent } = await import('../../server/domain/agents.ts');
    agentId = (
      await createAgent(
        server.root.db,
        { email: agentEmail, name: 'Kim Access', role: 'agent', password: agentPassword },
        null,
      )
    ).id;
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await signIn(page, 'admin@example.com', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('creates a team and restricts an agent to its inboxes', async () => {
    await page.goto(`${server.url}/inbox/#/agents`);
    await page.waitForSelector('[data-testid="teams-card"]');
    await page.click('[data-testid="team-new"]');
    await page.fill('[data-testid="team-name"]', 'Shop A');
    await page.check(`[data-testid="team-inboxes"] [data-id="${server.chatInboxId}"]`);
    await page.click('[data-testid="team-save"]');
    await page.waitForSelector('[data-testid="team-row"]', { state: 'visible' });
    expect(await page.textContent('[data-testid="team-row"]')).toContain('Test chat');

    const row = page.locator(`[data-testid="agent-row"][data-agent-id="${agentId}"]`);
    expect(await row.locator('[data-testid="agent-access"]').textContent()).toContain('Every inbox');
    await row.locator('[data-testid="agent-access"]').click();
    await page.waitForSelector('[data-testid="access-dialog"]');
    await page.check('[data-testid="access-scope-restricted"]');
    await page.locator('[data-testid="access-teams"] [data-testid="checklist-option"]').first().check();
    expect(await page.textContent('[data-testid="access-summary"]')).toContain('will see Test chat.');
    await page.screenshot({ path: `${SCREENSHOTS}/inbox-access-dialog.png` });
    await page.click('[data-testid="access-save"]');
    await page.waitForSelector('[data-testid="access-dialog"]', { state: 'detached' });
    await row.locator('[data-testid="agent-access"]', { hasText: 'Test chat' }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/inbox-access-agents-page.png`, fullPage: true });
  });

  it('shows the restricted agent only the conversations of their inbox', async () => {
    const agentPage = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await signIn(agentPage, agentEmail, agentPassword);
    await agentPage.waitForSelector('[data-testid="conversation-row"]');
    const rows = agentPage.locator('[data-testid="conversation-row"]');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('shop A');
    await agentPage.screenshot({ path: `${SCREENSHOTS}/inbox-access-restricted-agent.png` });
  });
});
