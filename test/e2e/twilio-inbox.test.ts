import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.ts';
import { inboxes, messages, recordings } from '../../drizzle/schema/index.ts';

const OUR_NUMBER = '+15550100000';

describe(`e2e in Chromium: SMS and calls in the inbox, recordings played and deleted (${dbMode})`, () => {
  let fake: FakeTwilio;
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let smsConversation: string;
  let callConversation: string;
  let recordingSid: string;

  beforeAll(async () => {
    fake = await startFakeTwilio();
    server = await startTestServer({
      TWILIO_ACCOUNT_SID: fake.accountSid,
      TWILIO_AUTH_TOKEN: fake.authToken,
      TWILIO_API_URL: fake.url,
      OUTBOUND_ALLOW_HOSTS: new URL(fake.url).host,
    });
    const [sms, voice] = await server.root.db
      .insert(inboxes)
      .values([
        { name: 'Support SMS', channel: 'sms', settings: { phoneNumber: OUR_NUMBER } },
        { name: 'Support line', channel: 'voice', settings: { phoneNumber: OUR_NUMBER } },
      ])
      .returning();
    const text = await fake.sms(`${server.url}/api/twilio/${sms!.id}/sms`, {
      from: '+15550104242',
      to: OUR_NUMBER,
      body: 'Hi! Can I still change the size of order 1187?',
    });
    expect(text.status).toBe(200);
    const call = await fake.call(`${server.url}/api/twilio/${voice!.id}/voice`, {
      from: '+15550104343',
      to: OUR_NUMBER,
      seconds: 5,
    });
    recordingSid = call.recordingSid!;
    const [smsRow] = await server.root.db.select().from(messages).where(eq(messages.externalId, text.sid));
    const [callRow] = await server.root.db.select().from(messages).where(eq(messages.externalId, call.callSid));
    smsConversation = smsRow!.conversationId;
    callConversation = callRow!.conversationId;

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
    await fake?.close();
  });

  it('shows the SMS with its channel mark; the reply goes out through Twilio and its delivery shows live', async () => {
    await page.click(`[data-testid="conversation-row"][data-conversation-id="${smsConversation}"]`);
    const inbound = page.locator('[data-testid="message"][data-channel="sms"][data-direction="inbound"]');
    await inbound.waitFor();
    expect(await inbound.textContent()).toContain('Can I still change the size of order 1187?');
    expect(await inbound.locator('.channel').textContent()).toContain('SMS');
    await page.fill('[data-testid="reply-input"]', 'Yes, I changed it to size 42.');
    await page.click('[data-testid="reply-send"]');
    const outbound = page.locator('[data-testid="message"][data-channel="sms"][data-direction="outbound"]');
    await outbound.locator('[data-testid="delivery-state"][data-state="sent"]').waitFor();
    expect(fake.messages.at(-1)).toMatchObject({
      to: '+15550104242',
      from: OUR_NUMBER,
      body: 'Yes, I changed it to size 42.',
    });
    await fake.status(fake.messages.at(-1)!.sid, 'delivered');
    await outbound.locator('[data-testid="delivery-state"][data-state="delivered"]').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/twilio-sms-conversation.png` });
  });

  it('shows the call with its voicemail: it plays from the authenticated route, with its deletion date', async () => {
    await page.click(`[data-testid="conversation-row"][data-conversation-id="${callConversation}"]`);
    const call = page.locator('[data-testid="message"][data-channel="voice"]');
    await call.waitFor();
    expect(await call.locator('.channel').textContent()).toContain('Call');
    const recording = page.locator('[data-testid="recording"]');
    await recording.waitFor();
    expect(await recording.textContent()).toContain('Voicemail · 0:05');
    const [row] = await server.root.db.select().from(recordings).where(eq(recordings.providerSid, recordingSid));
    const shown = await recording.locator('[data-testid="recording-delete-after"] time').getAttribute('datetime');
    expect(shown).toBe(row!.deleteAfter.toISOString());
    // The date as the agent's browser writes it (30 days from today by the default policy).
    const expected = await page.evaluate(
      (iso) =>
        new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' }).format(new Date(iso)),
      shown!,
    );
    expect(await recording.locator('[data-testid="recording-delete-after"]').textContent()).toContain(
      `Deleted automatically on ${expected}`,
    );
    expect(Math.round((row!.deleteAfter.getTime() - Date.now()) / 86_400_000)).toBe(30);
    // The browser really loads and decodes the audio (with the agent's session cookie).
    const audio = recording.locator('[data-testid="recording-audio"]');
    await page.waitForFunction((el) => (el as HTMLAudioElement).readyState >= 1, await audio.elementHandle(), {
      timeout: 10_000,
    });
    const duration = await audio.evaluate((el) => (el as HTMLAudioElement).duration);
    expect(duration).toBeGreaterThan(4.5);
    expect(duration).toBeLessThan(5.5);
    await audio.evaluate((el) => (el as HTMLAudioElement).play());
    await page.waitForFunction((el) => (el as HTMLAudioElement).currentTime > 0.3, await audio.elementHandle(), {
      timeout: 10_000,
    });
    expect(await page.locator('[data-testid="composer"]').textContent()).toContain('Replying by SMS to the caller');
    await page.screenshot({ path: `${SCREENSHOTS}/twilio-call-recording.png` });
  });

  it('"Delete recording now" deletes it at Twilio and here, and the timeline says so', async () => {
    const recording = page.locator('[data-testid="recording"]');
    await recording.locator('[data-testid="recording-delete"]').click();
    await recording.locator('[data-testid="recording-delete-confirm"]').click();
    await recording.locator('[data-testid="recording-deleted"]').waitFor();
    expect(await recording.locator('audio').count()).toBe(0);
    expect(fake.deletions).toEqual([recordingSid]);
    const [row] = await server.root.db.select().from(recordings).where(eq(recordings.providerSid, recordingSid));
    expect(row).toMatchObject({ deletedAt: expect.any(Date), blobId: null });
    await page.screenshot({ path: `${SCREENSHOTS}/twilio-recording-deleted.png` });
  });

  it('a voicemail left while the agent has the conversation open appears without a reload', async () => {
    const [voice] = await server.root.db.select().from(inboxes).where(eq(inboxes.channel, 'voice'));
    await fake.call(`${server.url}/api/twilio/${voice!.id}/voice`, {
      from: '+15550104343',
      to: OUR_NUMBER,
      seconds: 3,
    });
    await page.locator('[data-testid="recording"]', { hasText: 'Voicemail · 0:03' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid="message"][data-channel="voice"]').count()).toBe(2);
  });

  it('the Privacy page shows admins a recording whose deletion at Twilio keeps failing', async () => {
    const [voice] = await server.root.db.select().from(inboxes).where(eq(inboxes.channel, 'voice'));
    const old = await fake.call(`${server.url}/api/twilio/${voice!.id}/voice`, {
      from: '+15550104444',
      to: OUR_NUMBER,
      seconds: 2,
      startTime: new Date(Date.now() - 31 * 86_400_000),
    });
    const admin = await server.agentClient('admin');
    for (let i = 0; i < 2; i++) {
      await server.root.db
        .update(recordings)
        .set({ nextDeletionAttemptAt: null })
        .where(eq(recordings.providerSid, old.recordingSid!));
      fake.failNext = 1;
      expect((await admin.post('/api/privacy/retention/sweep')).body.failed.recordings).toBe(1);
    }
    await page.goto(`${server.url}/inbox/#/privacy`);
    const row = page.locator('[data-testid="recording-deletion-failure"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('Twilio error 20500 (HTTP 500)');
    expect(await page.locator('[data-testid="recording-deletion-failures"]').textContent()).toContain(
      'Recordings that could not be deleted',
    );
    await page
      .locator('[data-testid="recording-deletion-failures"]')
      .screenshot({ path: `${SCREENSHOTS}/twilio-deletion-failures.png` });
  });
});
