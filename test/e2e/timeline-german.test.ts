import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { createAgent } from '../../server/domain/agents.ts';
import { agents, messages } from '../../drizzle/schema/index.ts';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, AgentClient, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser } from '../helpers/browser.ts';

const SHOTS = '/tmp/shots-i18n-server';

type Event = { kind: string; body: string; authorName: string | null; event?: { code: string; args: object } };

/**
 * Issue 18: the markers the server writes into a conversation's timeline (assignment, status, team) reach a
 * German agent in German, naming who did it; the API keeps the English line next to the code, and a marker
 * stored before markers had codes still reads as it was written.
 */
describe(`e2e in Chromium: timeline markers in the agent’s language (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let conversationId: string;
  const jana = { email: 'jana@test.example', name: 'Jana Kowalska', password: 'jana-e2e-password' };

  beforeAll(async () => {
    server = await startTestServer();
    const created = await createAgent(server.root.db, { ...jana, role: 'agent' }, null);
    await server.root.db.update(agents).set({ locale: 'de' }).where(eq(agents.id, created.id));
    const visitor = await server.visitor();
    const sent = await visitor.post('/api/widget/messages', { clientId: randomUUID(), text: 'Wo ist mein Paket?' });
    expect(sent.status).toBe(201);
    conversationId = (await visitor.get('/api/widget/messages')).body.conversationId as string;

    const admin = await AgentClient.login(server.url, server.root.config.adminEmail, ADMIN_PASSWORD);
    const team = await admin.post('/api/teams', { name: 'Billing', memberIds: [], inboxIds: [server.chatInboxId] });
    expect(team.status).toBe(201);
    // A marker from before markers had codes: English text only.
    const [conversation] = await server.root.db
      .select({ channel: messages.channel })
      .from(messages)
      .where(eq(messages.conversationId, conversationId));
    await server.root.db.insert(messages).values({
      conversationId,
      channel: conversation!.channel,
      direction: 'internal',
      kind: 'event',
      authorKind: 'system',
      body: 'Written before markers had codes',
      deliveryState: 'stored',
    });
    const agent = await AgentClient.login(server.url, jana.email, jana.password);
    expect((await agent.post(`/api/conversations/${conversationId}/assign`, { agentId: created.id })).status).toBe(200);
    expect((await agent.post(`/api/conversations/${conversationId}/status`, { status: 'pending' })).status).toBe(200);
    const teamSet = await admin.post(`/api/conversations/${conversationId}/team`, { teamId: team.body.team.id });
    expect(teamSet.status).toBe(200);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('keeps the English line in the API, next to the code and its arguments', async () => {
    const agent = await AgentClient.login(server.url, jana.email, jana.password);
    const detail = await agent.get(`/api/conversations/${conversationId}`);
    const events = (detail.body.messages as Event[]).filter((m) => m.kind === 'event');
    expect(events.map((m) => [m.body, m.event?.code ?? null])).toEqual([
      ['Written before markers had codes', null],
      ['Assigned to Jana Kowalska', 'assigned'],
      [expect.stringMatching(/^Status changed from (open|bot) to pending$/), 'status_changed'],
      ['Assigned to team Billing', 'team_assigned'],
    ]);
    expect(events[2]!.event!.args).toMatchObject({ to: 'pending' });
  });

  it('shows the German agent every marker in German, with who did it', async () => {
    await page.goto(`${server.url}/inbox/`);
    await page.fill('[data-testid="login-email"]', jana.email);
    await page.fill('[data-testid="login-password"]', jana.password);
    await page.click('[data-testid="login-submit"]');
    await page.waitForFunction(() => document.documentElement.lang === 'de');
    await page.click('[data-testid="filter-status-all"]');
    await page.click('[data-testid="conversation-row"]');
    const markers = page.locator('[data-testid="message"][data-kind="event"]');
    await markers.nth(3).waitFor();
    const texts = (await markers.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    expect(texts[0]).toMatch(/^Written before markers had codes/);
    expect(texts[1]).toMatch(/^Zugewiesen an Jana Kowalska von Jana Kowalska \d{2}:\d{2}$/);
    expect(texts[2]).toMatch(/^Status von „(Offen|Bot)“ zu „Wartend“ geändert von Jana Kowalska/);
    expect(texts[3]).toMatch(/^Dem Team Billing zugewiesen von /);
    expect(texts.join(' ')).not.toMatch(/Assigned to|Status changed/);
    await page.locator('[data-testid="message-list"]').screenshot({ path: `${SHOTS}/timeline-de.png` });
  });
});
