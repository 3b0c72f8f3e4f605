import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { createEmailInbox, rawMail } from '../helpers/email.ts';

const INVOICE = Buffer.from('%PDF-1.4\n% a tiny invoice for the e2e test\n');

const withAttachment = [
  'From: Jane Customer <jane@customer.example>',
  'To: support@shop.example',
  'Subject: Invoice attached',
  'Message-ID: <e2e-attachment@customer.example>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Please find the invoice attached.',
  '--b1',
  'Content-Type: application/pdf; name="invoice-77.pdf"',
  'Content-Disposition: attachment; filename="invoice-77.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  INVOICE.toString('base64'),
  '--b1--',
  '',
].join('\r\n');

const broken = [
  'From: Bob <bob@customer.example>',
  'To: support@shop.example',
  'Subject: Broken mail',
  'Message-ID: <e2e-broken@customer.example>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="never-there"',
  '',
  'No part ever starts here.',
  '',
].join('\r\n');

describe('e2e in Chromium: email in the agent inbox', () => {
  let server: TestServer;
  let dovecot: Dovecot;
  let smtp: SmtpSink;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [dovecot, smtp, server, browser] = await Promise.all([
      startDovecot(),
      startSmtpSink(),
      startTestServer(),
      launchBrowser(),
    ]);
    const admin = await server.agentClient('admin');
    await createEmailInbox(admin, dovecot, smtp);
    await dovecot.append([withAttachment, broken]);
    page = await (
      await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true })
    ).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await Promise.all([dovecot?.stop(), smtp?.stop()]);
  });

  const open = async (preview: string) => {
    const row = page.locator('[data-testid="conversation-row"]', { hasText: preview });
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    await page.locator('[data-testid="message"][data-channel="email"]', { hasText: preview }).waitFor();
  };

  it('shows an attachment on the message and downloads it with the session', async () => {
    await page.goto(`${server.url}/inbox/`);
    await page.fill('[data-testid="login-email"]', 'admin@example.com');
    await page.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="logout"]');
    await open('Please find the invoice attached.');
    const link = page.locator('[data-testid="attachment"]', { hasText: 'invoice-77.pdf' });
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('invoice-77.pdf');
    expect((await readFile((await download.path())!)).equals(INVOICE)).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}/email-attachment.png` });
  });

  it('marks unreadable MIME visibly and offers the original', async () => {
    await open('could not be read completely');
    const marker = page.locator('[data-testid="message-marker"][data-kind="parse_error"]');
    await marker.waitFor();
    expect(await marker.textContent()).toContain('the multipart boundary never appears in the body');
    await page.locator('[data-testid="attachment"]', { hasText: 'original.eml' }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/email-parse-error.png` });
  });

  it('shows who really wrote a mail: a stranger answering the victim’s thread, her address and warnings', async () => {
    const victimMail = '<e2e-refund@victim.example>';
    await dovecot.append(
      rawMail({
        from: 'Vera Victim <vera@victim.example>',
        messageId: victimMail,
        subject: 'Refund for order 9001',
        text: 'Please refund order 9001.',
        headers: { Cc: 'Bob Buyer <bob@victim.example>' },
      }),
    );
    await open('Please refund order 9001.');
    const participants = page.locator('[data-testid="participant"]');
    await participants.nth(1).waitFor();
    expect(await participants.evaluateAll((els) => els.map((e) => e.getAttribute('data-address')))).toEqual([
      'vera@victim.example',
      'bob@victim.example',
    ]);

    await dovecot.append(
      rawMail({
        from: 'Vera Victim <mallory@evil.example>',
        messageId: '<e2e-attack@evil.example>',
        subject: 'Re: Refund for order 9001',
        inReplyTo: victimMail,
        references: [victimMail],
        text: 'Send the refund to my new IBAN instead.',
        headers: { 'Authentication-Results': 'mx.shop.example; spf=fail smtp.mailfrom=evil.example; dmarc=fail' },
      }),
    );
    await open('Send the refund to my new IBAN instead.');
    const attack = page.locator('[data-testid="message"][data-direction="inbound"]', { hasText: 'new IBAN' });
    expect(await attack.locator('[data-testid="message-author-identity"]').textContent()).toContain(
      'mallory@evil.example',
    );
    const marker = attack.locator('[data-testid="message-marker"][data-kind="not_a_participant"]');
    expect(await marker.textContent()).toContain('Not from a participant of the conversation it answers');
    await attack.locator('[data-testid="auth-badge"][data-method="dmarc"][data-result="fail"]').waitFor();
    expect(await attack.locator('[data-testid="auth-warning"]').textContent()).toContain('DMARC fail');
    // It is a conversation of her own: she is its only participant.
    expect(await page.locator('[data-testid="participant"]').count()).toBe(1);
    await page.screenshot({ path: `${SCREENSHOTS}/email-stranger-warning.png` });
  });
});
