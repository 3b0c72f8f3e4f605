import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { inboxes } from '../../drizzle/schema/index.ts';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, AgentClient, VisitorClient, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';

/**
 * Teams in an agent's day: the admin puts a conversation with a team from its header (only teams of its inbox are
 * offered), the list shows the team, and a restricted team member sees only their teams' inboxes and, under
 * "Assigned to my teams", each conversation the moment it is given to their team.
 */
describe(`e2e in Chromium: conversations assigned to teams (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let admin: Page;
  let member: Page;
  let api: AgentClient;
  let billing: string;
  const conversations: Record<'invoice' | 'refund' | 'parcel', string> = { invoice: '', refund: '', parcel: '' };
  const memberEmail = 'robin.billing@test.example';
  const memberPassword = 'robin-billing-password';

  const signIn = async (target: Page, email: string, password: string) => {
    await target.goto(`${server.url}/inbox/`);
    await target.fill('[data-testid="login-email"]', email);
    await target.fill('[data-testid="login-password"]', password);
    await target.click('[data-testid="login-submit"]');
    await target.waitForSelector('[data-testid="logout"]');
  };
  const row = (target: Page, id: string) =>
    target.locator(`[data-testid="conversation-row"][data-conversation-id="${id}"]`);

  beforeAll(async () => {
    server = await startTestServer();
    const [shipping] = await server.root.db
      .insert(inboxes)
      .values({ name: 'Shipping chat', channel: 'chat' })
      .returning();
    const start = async (inboxId: string, text: string) => {
      const visitor = await VisitorClient.start(server.url, inboxId, false);
      await visitor.post('/api/widget/messages', { clientId: randomUUID(), text });
      return (await visitor.get('/api/widget/messages')).body.conversationId as string;
    };
    conversations.invoice = await start(server.chatInboxId, 'My invoice shows the wrong amount');
    conversations.refund = await start(server.chatInboxId, 'When will my refund arrive?');
    conversations.parcel = await start(shipping!.id, 'My parcel never arrived');
    const { createAgent } = await import('../../server/domain/agents.ts');
    const robin = await createAgent(
      server.root.db,
      { email: memberEmail, name: 'Robin Billing', role: 'agent', password: memberPassword },
      null,
    );
    api = await AgentClient.login(server.url, server.root.config.adminEmail, ADMIN_PASSWORD);
    billing = (await api.post('/api/teams', { name: 'Billing', memberIds: [robin.id], inboxIds: [server.chatInboxId] }))
      .body.team.id;
    await api.post('/api/teams', { name: 'Shipping', memberIds: [], inboxIds: [shipping!.id] });
    await api.send('PUT', `/api/agents/${robin.id}/access`, { scope: 'restricted', inboxIds: [], teamIds: [billing] });

    browser = await launchBrowser();
    admin = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    member = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await signIn(admin, 'admin@example.com', ADMIN_PASSWORD);
    await signIn(member, memberEmail, memberPassword);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the admin gives a conversation to a team of its inbox from the header; the list shows the team', async () => {
    await row(admin, conversations.invoice).click();
    const picker = admin.locator('[data-testid="team-select"]');
    await picker.waitFor();
    // Shipping works another inbox: it is not offered here.
    expect(await picker.locator('option').allTextContents()).toEqual(['No team', 'Billing']);
    await picker.selectOption({ label: 'Billing' });
    await admin.locator('[data-testid="message-list"]', { hasText: 'Assigned to team Billing' }).waitFor();
    expect(await picker.inputValue()).toBe(billing);
    await row(admin, conversations.invoice)
      .locator('[data-testid="conversation-team"]', { hasText: 'Billing' })
      .waitFor();
    await admin.screenshot({ path: `${SCREENSHOTS}/teams-header-picker.png` });

    await row(admin, conversations.parcel).click();
    await admin.waitForSelector(`[data-testid="conversation-header"][data-conversation-id="${conversations.parcel}"]`);
    expect(await admin.locator('[data-testid="team-select"] option').allTextContents()).toEqual([
      'No team',
      'Shipping',
    ]);
  });

  it("a restricted member sees only their team's inbox, and their team's conversations live in my teams", async () => {
    await member.waitForSelector('[data-testid="conversation-row"]');
    expect(await member.locator('[data-testid="conversation-row"]').count()).toBe(2);
    expect(await row(member, conversations.parcel).count()).toBe(0);

    await member.selectOption('[data-testid="filter-team"]', 'mine');
    // The list loads again for the filter: once the invoice is back, the page is complete.
    await row(member, conversations.refund).waitFor({ state: 'detached' });
    await row(member, conversations.invoice).waitFor();
    expect(await member.locator('[data-testid="conversation-row"]').count()).toBe(1);

    // The admin gives the refund to Billing: it joins the member's view at once.
    await row(admin, conversations.refund).click();
    await admin.waitForSelector(`[data-testid="conversation-header"][data-conversation-id="${conversations.refund}"]`);
    await admin.locator('[data-testid="team-select"]').selectOption({ label: 'Billing' });
    await row(member, conversations.refund).waitFor();
    expect(await member.locator('[data-testid="conversation-row"]').count()).toBe(2);

    await row(member, conversations.refund).click();
    await member.locator('[data-testid="message-list"]', { hasText: 'Assigned to team Billing' }).waitFor();
    expect(await member.locator('[data-testid="team-select"]').inputValue()).toBe(billing);
    await member.screenshot({ path: `${SCREENSHOTS}/teams-my-teams-view.png` });
  });
});
