import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { FakeSlack, deliverEvent } from '../helpers/fake-slack.ts';
import { CUSTOMER, SUPPORT_CHANNEL, messageEvent } from '../fixtures/channels/slack.ts';

const SIGNING_SECRET = 'c0ffee00c0ffee00c0ffee00c0ffee00';

describe(`e2e in Chromium: a Slack thread in the agent inbox (${dbMode})`, () => {
  let slack: FakeSlack;
  let server: TestServer;
  let browser: Browser;
  let inbox: Page;

  beforeAll(async () => {
    slack = await FakeSlack.start();
    slack.addUser({ id: CUSTOMER, name: 'jonas', realName: 'Jonas Berg', email: 'jonas@partner.example' });
    server = await startTestServer({
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_CHANNELS: SUPPORT_CHANNEL,
      SLACK_API_URL: slack.apiUrl,
      OUTBOUND_ALLOW_HOSTS: new URL(slack.apiUrl).host,
    });
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    inbox = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await slack?.close();
  });

  it('shows a Slack message live with its channel mark and its file, and the reply goes into the thread', async () => {
    await inbox.goto(`${server.url}/inbox/`);
    await inbox.fill('[data-testid="login-email"]', 'admin@example.com');
    await inbox.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await inbox.click('[data-testid="login-submit"]');
    await inbox.waitForSelector('[data-testid="logout"]');

    const csv = Buffer.from('order,status\n1042,failed\n');
    const file = slack.addFile('F0ORDERS01', 'orders.csv', csv, 'text/csv');
    const root = messageEvent({ text: 'Order 1042 failed at checkout, export attached', files: [file] });
    expect((await deliverEvent(`${server.url}/api/slack/events`, SIGNING_SECRET, root)).status).toBe(200);

    const row = await inbox.waitForSelector('[data-testid="conversation-row"]');
    expect(await row.textContent()).toContain('Jonas Berg');
    expect(await row.textContent()).toContain('Slack');
    await row.click();
    const message = await inbox.waitForSelector('[data-testid="message"][data-channel="slack"]');
    expect(await message.textContent()).toContain('Order 1042 failed at checkout, export attached');
    expect(await message.textContent()).toContain('Slack');
    // The file arrives after Slack had its answer; the inbox learns of it over the socket.
    const link = await inbox.waitForSelector('[data-testid="attachment"]');
    expect(await link.textContent()).toContain('orders.csv');
    await inbox.screenshot({ path: `${SCREENSHOTS}/slack-conversation.png` });
    const [download] = await Promise.all([inbox.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('orders.csv');
    expect(await readFile((await download.path())!)).toEqual(csv);

    await inbox.fill('[data-testid="reply-input"]', 'Thanks Jonas, we have refunded the order.');
    await inbox.click('[data-testid="reply-send"]');
    await inbox.waitForSelector('[data-testid="delivery-state"][data-state="sent"]');
    const [post] = slack.callsOf('chat.postMessage');
    expect(post!.params).toMatchObject({
      channel: SUPPORT_CHANNEL,
      thread_ts: root.event.ts,
      text: 'Thanks Jonas, we have refunded the order.',
    });
  });
});
