import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { createAgent } from '../../server/domain/agents.ts';
import { agents, botDecisions, conversations } from '../../drizzle/schema/index.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { axeViolations, type AxeFinding } from '../helpers/axe.ts';
import { seedPerson } from '../helpers/fixtures.ts';
import { channelInboxes, seedContacts, type SeedContact } from '../helpers/analytics-seed.ts';

const SHOTS = '/tmp/shots-a11y-inbox';
const HOUR = 3_600_000;

/**
 * Four recent days of chats and emails from 120 people who agreed to analysis: 15 per channel and day, so every
 * chart has bars above the minimum cohort, and some bot hand-offs.
 */
function recentDays(): SeedContact[] {
  const today = new Date();
  today.setUTCHours(0, 0, 0, 0);
  return Array.from({ length: 120 }, (_, i) => {
    const start = new Date(today.getTime() - (1 + (i % 4)) * 24 * HOUR + (9 + (i % 3)) * HOUR);
    const at = (ms: number) => new Date(start.getTime() + ms);
    const bot = i % 3 === 0;
    return {
      consent: [{ granted: true, at: new Date(today.getTime() - 40 * 24 * HOUR) }],
      conversations: [
        {
          channel: i % 8 < 4 ? 'email' : 'chat',
          status: i % 5 === 0 ? 'open' : 'resolved',
          createdAt: start,
          resolvedAt: i % 5 === 0 ? null : at(3 * HOUR),
          messages: [
            { author: 'contact', at: start },
            ...(bot ? [{ author: 'bot' as const, at: at(4_000) }] : []),
            { author: 'agent', at: at((5 + (i % 30)) * 60_000) },
          ],
          decisions: bot
            ? [
                { action: 'answer', reason: 'confident', at: at(3_000) },
                { action: 'handoff', reason: 'low_confidence', at: at(60_000) },
              ]
            : [],
          rating: i % 2 === 0 ? { score: 3 + (i % 3), at: at(4 * HOUR) } : null,
        },
      ],
    } satisfies SeedContact;
  });
}

describe(`e2e in Chromium: every inbox page meets WCAG 2.1 AA by axe-core (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let admin: AgentClient;
  let seeded: Awaited<ReturnType<typeof seedPerson>>;
  let chatConversationId: string;
  let handoffConversationId: string;
  let htmlConversationId: string;

  /** Runs axe on the page as it is now; returns what it found, labelled, so a failure names the state. */
  const audit = async (label: string, target: Page = page): Promise<Record<string, AxeFinding[]>> => {
    await target.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const violations = await axeViolations(target, { label });
    return violations.length ? { [label]: violations } : {};
  };
  /** Audits each state in turn; the test fails at the end with every finding, not at the first. */
  const auditAll = async (states: Array<[string, () => Promise<unknown>]>) => {
    let found: Record<string, AxeFinding[]> = {};
    for (const [label, reach] of states) {
      await reach();
      found = { ...found, ...(await audit(label)) };
    }
    return found;
  };
  const visit = (nav: string, ready: string) => async () => {
    await page.click(`[data-testid="${nav}"]`);
    await page.waitForSelector(`[data-testid="${ready}"]`);
  };
  const openConversation = (id: string) => async () => {
    await page.goto(`${server.url}/inbox/#/conversations/${id}`);
    await page.waitForSelector(`[data-testid="conversation-header"][data-conversation-id="${id}"]`);
    await page.waitForSelector('[data-testid="contact-panel"]');
  };
  /**
   * Opens a dialog with a click on `opener`, audits it, closes it with Escape and checks the focus went back
   * to the opener: a real modal dialog.
   */
  const dialog = async (label: string, opener: string, testid?: string) => {
    const button = page.locator(opener).first();
    await button.scrollIntoViewIfNeeded();
    await button.focus();
    await page.keyboard.press('Enter');
    const open = page.locator(testid ? `dialog[open][data-testid="${testid}"]` : 'dialog[open]');
    await open.waitFor();
    await page.waitForTimeout(200); // the opening animation: axe measures colours of the settled dialog
    const found = await audit(`dialog: ${label}`);
    expect(await page.evaluate(() => Boolean(document.activeElement?.closest('dialog[open]'))), label).toBe(true);
    await page.keyboard.press('Escape');
    await open.waitFor({ state: 'detached' });
    // The dialog gives the focus back on the next animation frame when its opener was re-rendered meanwhile
    // (Dialog.svelte); on a loaded machine that frame can come after the dialog is gone from the page.
    await page
      .waitForFunction(() => document.activeElement !== document.body, null, { timeout: 2_000 })
      .catch(() => undefined);
    const back = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120) ?? 'none');
    expect(await button.evaluate((el) => el === document.activeElement), `${label}: focus back on ${back}`).toBe(true);
    return found;
  };

  beforeAll(async () => {
    server = await startTestServer();
    admin = await server.agentClient('admin');
    seeded = await seedPerson(server.root, {
      name: 'Ada Audit',
      email: 'ada.audit@example.org',
      phone: '+442079460111',
      marker: 'zq-ada',
    });
    await seedContacts(server.root.db, await channelInboxes(server.root.db), recentDays());
    const [handoff] = await server.root.db
      .select({ id: botDecisions.conversationId })
      .from(botDecisions)
      .where(eq(botDecisions.action, 'handoff'))
      .limit(1);
    handoffConversationId = handoff!.id;
    // A mail with only HTML: the inbox offers to read it whole in a dialog.
    const [mail] = await server.root.db
      .select({ inboxId: conversations.inboxId })
      .from(conversations)
      .where(eq(conversations.id, seeded.emailConversationId));
    const htmlOnly = await ingest(server.root, {
      channel: 'email',
      inboxId: mail!.inboxId,
      sender: { kind: 'email', address: 'ada.audit@example.org', name: 'Ada Audit' },
      threadKey: `<${randomUUID()}@example.org>`,
      externalId: `<${randomUUID()}@example.org>`,
      subject: 'Our spring catalogue',
      text: '(HTML message)',
      html: '<p>Only <b>HTML</b> in this one.</p>',
      occurredAt: new Date(),
    });
    htmlConversationId = htmlOnly.conversation.id;
    const visitor = await server.visitor();
    await visitor.post('/api/widget/messages', { clientId: randomUUID(), text: 'Where is my parcel?' });
    chatConversationId = (await admin.get(`/api/conversations?inboxId=${server.chatInboxId}`)).body.items[0].id;
    // Timeline markers: an assignment and a status change in the email conversation.
    const conv = `/api/conversations/${seeded.emailConversationId}`;
    expect((await admin.send('POST', `${conv}/assign`, { agentId: admin.agent.id })).status).toBe(200);
    expect((await admin.send('POST', `${conv}/status`, { status: 'pending' })).status).toBe(200);
    // Something on every admin card: a canned reply, an article, a token, a webhook, a team.
    const made = [
      await admin.post('/api/canned-replies', {
        shortcut: 'thanks',
        title: 'Thanks',
        shared: true,
        variants: { en: 'Thank you {{contact.firstName}}!' },
      }),
      await admin.post('/api/kb/articles', {
        title: 'Reset your password',
        body: 'Open Settings, choose Password and follow the link we email you.',
        language: 'en',
        questions: ['How do I reset my password?'],
      }),
      await admin.post('/api/tokens', { name: 'Reporting', scopes: ['conversations:read'] }),
      await admin.post('/api/webhooks', {
        name: 'CRM',
        url: 'https://crm.example/hook',
        events: ['conversation.created'],
      }),
      await admin.post('/api/teams', { name: 'Billing', inboxIds: [server.chatInboxId], memberIds: [admin.agent.id] }),
    ];
    expect(made.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    // Seeding 120 people and starting a browser on a machine shared with other test runs can take minutes.
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signed out: the sign-in page; then a one-time password asks for a new one', async () => {
    await page.goto(`${server.url}/inbox/`);
    await page.waitForSelector('[data-testid="login-email"]');
    let found = await audit('sign-in');
    await page.fill('[data-testid="login-email"]', 'nobody@test.example');
    await page.fill('[data-testid="login-password"]', 'wrong-password-here');
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="login-error"]');
    found = { ...found, ...(await audit('sign-in with an error')) };

    const temp = { email: 'otp.a11y@test.example', name: 'Otto Temp', password: 'one-time-password-1' };
    const created = await createAgent(server.root.db, { ...temp, role: 'agent' }, null);
    await server.root.db.update(agents).set({ mustChangePassword: true }).where(eq(agents.id, created.id));
    const other = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await other.goto(`${server.url}/inbox/`);
    await other.fill('[data-testid="login-email"]', temp.email);
    await other.fill('[data-testid="login-password"]', temp.password);
    await other.click('[data-testid="login-submit"]');
    await other.waitForSelector('[data-testid="password-change-screen"]');
    found = { ...found, ...(await audit('password change', other)) };
    await other.context().close();
    expect(found).toEqual({});
  }, 120_000);

  it('the inbox: chat, email with markers, call, bot hand-off, contact panel, search, shortcuts', async () => {
    await page.goto(`${server.url}/inbox/`);
    await page.fill('[data-testid="login-email"]', 'admin@example.com');
    await page.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="conversation-row"]');
    const found = await auditAll([
      ['conversation list', async () => {}],
      ['chat conversation', openConversation(chatConversationId)],
      ['email conversation with markers', openConversation(seeded.emailConversationId)],
      [
        'contact panel, privacy sections open',
        async () => {
          const closed = page.locator('[data-testid="contact-panel"] details:not([open]) > summary');
          for (let i = 0; i < 20 && (await closed.count()) > 0; i++) await closed.first().click();
        },
      ],
      [
        'contact editor',
        async () => {
          await page.click('[data-testid="contact-edit"]');
          await page.waitForSelector('[data-testid="contact-edit-form"]');
        },
      ],
      ['call conversation with recording', openConversation(seeded.callConversationId)],
      ['bot hand-off conversation', openConversation(handoffConversationId)],
      [
        'search results',
        async () => {
          await page.fill('[data-testid="global-search"]', 'parcel');
          await page.waitForSelector('[data-testid="search-hit"]');
        },
      ],
    ]);
    await page.keyboard.press('Escape');
    expect(found).toEqual({});
  }, 240_000);

  it('inbox dialogs are real: shortcuts, full email, log request, erasure, hold, restriction', async () => {
    await openConversation(seeded.emailConversationId)();
    let found = {};
    // The shortcut overlay opens with "?" from anywhere outside a text field.
    const opener = page.locator('[data-testid="nav-conversations"]');
    await opener.focus();
    await page.keyboard.press('?');
    await page.waitForSelector('dialog[open][data-testid="shortcuts-dialog"]');
    found = { ...found, ...(await audit('dialog: shortcuts')) };
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="shortcuts-dialog"]', { state: 'detached' });
    expect(await opener.evaluate((el) => el === document.activeElement)).toBe(true);
    await openConversation(htmlConversationId)();
    found = { ...found, ...(await dialog('full email', '[data-testid="read-full"]', 'full-message-dialog')) };
    found = {
      ...found,
      ...(await dialog('log a request', '[data-testid="log-request-button"]', 'log-request-dialog')),
    };
    found = { ...found, ...(await dialog('erasure', '[data-testid="erase-button"]', 'erase-dialog')) };
    found = { ...found, ...(await dialog('place a legal hold', '[data-testid="hold-button"]')) };
    found = { ...found, ...(await dialog('restrict processing', '[data-testid="restrict-button"]')) };
    expect(found).toEqual({});
  }, 240_000);

  it('canned replies, knowledge base with the bot, profile', async () => {
    const found = await auditAll([
      ['canned replies', visit('nav-replies', 'canned-reply-row')],
      ['knowledge base and bot', visit('nav-kb', 'kb-article-row')],
      [
        'knowledge base article editor',
        async () => {
          await page.click('[data-testid="kb-article-row"]');
          await page.waitForSelector('[data-testid="kb-editor"]');
        },
      ],
      ['profile', visit('nav-profile', 'profile-page')],
    ]);
    expect(found).toEqual({});
  }, 240_000);

  it('agents: tokens, webhooks, teams, business hours, and their dialogs', async () => {
    let found = await auditAll([
      [
        'agents page',
        async () => {
          await visit('nav-agents', 'agents-page')();
          await page.waitForSelector('[data-testid="api-token"]');
          await page.waitForSelector('[data-testid="webhook"]');
          await page.waitForSelector('[data-testid="team-row"]');
          await page.waitForSelector('[data-testid="business-hours"]');
        },
      ],
    ]);
    found = { ...found, ...(await dialog('new team', '[data-testid="team-new"]', 'team-dialog')) };
    found = { ...found, ...(await dialog('inbox access', '[data-testid="agent-access"]', 'access-dialog')) };
    found = { ...found, ...(await dialog('one-time password', '[data-testid="agent-otp"]', 'secret-dialog')) };
    expect(found).toEqual({});
  }, 240_000);

  it('analytics with data, then a filter that leaves nothing to show', async () => {
    const found = await auditAll([
      [
        'analytics with data',
        async () => {
          await visit('nav-analytics', 'heat-cell')();
          await page.click('[data-testid="range-30d"]');
          await page.waitForSelector('[data-testid="range-30d"][aria-pressed="true"]');
          await page.screenshot({ path: `${SHOTS}/analytics.png`, fullPage: true });
          await page.waitForSelector('[data-testid="chart-table"]');
        },
      ],
      [
        'analytics chart as a table',
        async () => {
          await page.click('[data-testid="chart-table"] summary');
        },
      ],
      [
        'analytics empty',
        async () => {
          await page.selectOption('[data-testid="filter-channel"]', 'slack');
          await page.waitForSelector('[data-testid="analytics-volume-empty"]');
        },
      ],
    ]);
    expect(found).toEqual({});
  }, 240_000);

  it('the privacy page with every section, and its dialogs', async () => {
    let found = await auditAll([
      [
        'privacy page',
        async () => {
          await visit('nav-privacy', 'privacy-page')();
          await page.waitForSelector('[data-testid="retention-row"]');
          await page.waitForSelector('[data-testid="audit-row"]');
          await page.waitForSelector('[data-testid="data-map-row"]');
        },
      ],
    ]);
    found = { ...found, ...(await dialog('new breach', '[data-testid="breach-new"]', 'breach-form')) };
    found = {
      ...found,
      ...(await dialog('retention sweep', '[data-testid="retention-sweep"]', 'retention-sweep-dialog')),
    };
    expect(found).toEqual({});
  }, 240_000);
});
