import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Frame, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { pdf, png, windowsProgram } from '../helpers/files.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import { parseEmail } from '../../channels/email/parse.ts';
import { createEmailAdapter } from '../../channels/email/adapter.ts';
import { ingest } from '../../server/domain/ingest.ts';

/** A real mailing-list mail of 16,444 characters of text (../shared/data), cut at 10,000 in the timeline. */
const LONG_MAIL = '../shared/data/email/spamassassin-easy-ham/00064.cb4bd5482454f02b6c3d70343af090a8.txt';

/**
 * Issue 17 item 3 in real Chromium: the visitor attaches a photo in the widget with the file picker and sees it
 * previewed, then in the conversation; the agent sees the picture in the inbox and answers with a PDF, which the
 * visitor gets as a download; a program renamed to .pdf is refused with the text kept; and a mail cut at
 * 10,000 characters is read in full in a sandboxed frame.
 */
describe(`e2e in Chromium: files both ways (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let site: Page;
  let inbox: Page;
  const photo = png(320, 200, [214, 96, 38]);

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    site = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    inbox = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const widget = async (): Promise<Frame> =>
    (await (await site.waitForSelector('[data-testid="widget-frame"]', { state: 'attached' })).contentFrame())!;
  /** The image has been decoded by the browser (not a broken image). */
  const decoded = (page: Page | Frame, selector: string) =>
    page.waitForFunction(
      (s) => [...document.querySelectorAll<HTMLImageElement>(s)].some((img) => img.complete && img.naturalWidth > 0),
      selector,
    );

  it('the visitor picks a photo, sees it previewed, sends it with a question, sees it in the chat', async () => {
    await site.goto(`${server.url.replace('127.0.0.1', 'localhost')}/demo`);
    await site.click('[data-testid="widget-launcher"]');
    const frame = await widget();
    await frame.check('[data-testid="consent-support"]');
    await frame.click('[data-testid="consent-accept"]');
    await frame.waitForSelector('[data-testid="chat-input"]');

    await frame.setInputFiles('[data-testid="widget-attach-input"]', {
      name: 'broken-lamp.png',
      mimeType: 'image/png',
      buffer: photo,
    });
    await decoded(frame, '[data-testid="widget-pending-preview"]');
    await frame.fill('[data-testid="chat-input"]', 'My lamp arrived like this. What now?');
    await site.screenshot({ path: `${SCREENSHOTS}/files-01-widget-preview.png` });
    await frame.click('[data-testid="chat-send"]');

    await decoded(frame, '[data-testid="chat-file-image"]');
    expect(await frame.locator('[data-testid="widget-pending-file"]').count()).toBe(0);
    expect(await frame.inputValue('[data-testid="chat-input"]')).toBe('');
    const mine = frame.locator('[data-testid="chat-message"][data-from="visitor"]');
    expect(await mine.textContent()).toContain('My lamp arrived like this. What now?');
    await site.screenshot({ path: `${SCREENSHOTS}/files-02-widget-sent.png` });
  });

  it('the agent sees the picture and replies with a PDF (picker); the visitor gets it', async () => {
    await inbox.goto(`${server.url}/inbox/`);
    await inbox.fill('[data-testid="login-email"]', 'admin@example.com');
    await inbox.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await inbox.click('[data-testid="login-submit"]');
    await (await inbox.waitForSelector('[data-testid="conversation-row"]')).click();
    await decoded(inbox, '[data-testid="attachment-preview"]');
    expect(await inbox.getAttribute('[data-testid="attachment-preview"]', 'alt')).toBe('broken-lamp.png');

    await inbox.setInputFiles('[data-testid="attach-input"]', {
      name: 'return-label.pdf',
      mimeType: 'application/pdf',
      buffer: pdf('Return label 4711'),
    });
    await inbox.waitForSelector('[data-testid="pending-file"]');
    expect(await inbox.textContent('[data-testid="pending-files"]')).toContain('return-label.pdf');
    await inbox.fill('[data-testid="reply-input"]', 'Sorry! Print this label and send the lamp back.');
    await inbox.screenshot({ path: `${SCREENSHOTS}/files-03-inbox-preview-and-pdf.png` });
    await inbox.click('[data-testid="reply-send"]');
    await inbox.waitForSelector('[data-testid="message"] [data-testid="attachment"]:has-text("return-label.pdf")');
    expect(await inbox.locator('[data-testid="pending-file"]').count()).toBe(0);

    const frame = await widget();
    const file = await frame.waitForSelector('[data-testid="chat-file"]');
    expect(await file.textContent()).toContain('return-label.pdf');
    const href = await file.getAttribute('href');
    const got = await frame.evaluate(async (url) => {
      const res = await fetch(url!);
      return { status: res.status, head: (await res.text()).slice(0, 8) };
    }, href);
    expect(got).toEqual({ status: 200, head: '%PDF-1.4' });
    await site.screenshot({ path: `${SCREENSHOTS}/files-04-widget-pdf.png` });
    await inbox.screenshot({ path: `${SCREENSHOTS}/files-05-inbox-conversation.png` });
  });

  it('a program renamed to .pdf is refused by its bytes; the typed text and the file stay', async () => {
    const frame = await widget();
    await frame.setInputFiles('[data-testid="widget-attach-input"]', {
      name: 'invoice.pdf',
      mimeType: 'application/pdf',
      buffer: windowsProgram(),
    });
    await frame.fill('[data-testid="chat-input"]', 'Here is my invoice');
    await frame.click('[data-testid="chat-send"]');
    const error = await frame.waitForSelector('[data-testid="widget-file-error"]');
    expect(await error.textContent()).toContain('invoice.pdf is a program or contains macros');
    expect(await frame.inputValue('[data-testid="chat-input"]')).toBe('Here is my invoice');
    expect(await frame.locator('[data-testid="widget-pending-file"]').count()).toBe(1);
    await site.screenshot({ path: `${SCREENSHOTS}/files-06-widget-refused.png` });
  });

  it('files dropped on the chat or pasted into the composer are attached too, and can be removed', async () => {
    const bytes = [...png(16, 16, [0, 160, 90])];
    /** A drop and a paste as the browser fires them, carrying one PNG in their DataTransfer. */
    const fire = (kind: 'drop' | 'paste', selector: string, name: string) =>
      ({ selector, bytes, name, kind }) satisfies Record<string, unknown>;
    const dispatch = ({ selector, bytes, name, kind }: ReturnType<typeof fire>) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/png' }));
      const target = document.querySelector(selector)!;
      if (kind === 'paste') {
        target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
      } else {
        target.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
        target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      }
    };
    const frame = await widget();
    await frame.click('[data-testid="widget-pending-file"] button');
    await frame.evaluate(dispatch, fire('drop', '[data-testid="chat-input"]', 'dropped.png'));
    await decoded(frame, '[data-testid="widget-pending-preview"]');
    expect(await frame.getAttribute('[data-testid="widget-pending-preview"]', 'alt')).toBe('dropped.png');
    await frame.evaluate(dispatch, fire('paste', '[data-testid="chat-input"]', 'pasted.png'));
    await frame.waitForFunction(() => document.querySelectorAll('[data-testid="widget-pending-file"]').length === 2);

    await inbox.evaluate(dispatch, fire('paste', '[data-testid="reply-input"]', 'screenshot.png'));
    await inbox.evaluate(dispatch, fire('drop', '[data-testid="composer"]', 'dropped.png'));
    await inbox.waitForFunction(() => document.querySelectorAll('[data-testid="pending-file"]').length === 2);
    expect(await inbox.textContent('[data-testid="pending-files"]')).toContain('screenshot.png');
    await inbox.screenshot({ path: `${SCREENSHOTS}/files-08-inbox-pasted.png` });
    await inbox.click('[aria-label="Remove screenshot.png"]');
    await inbox.click('[aria-label="Remove dropped.png"]');
    expect(await inbox.locator('[data-testid="pending-file"]').count()).toBe(0);
  });

  it('a real mail cut at 10,000 characters is read in full in a sandboxed frame', async () => {
    const [mailInbox] = await server.root.db
      .insert(inboxes)
      .values({ name: 'Support mail', channel: 'email', settings: {} })
      .returning();
    const raw = readFileSync(LONG_MAIL);
    const email = await parseEmail(raw, { maxAttachmentBytes: 10 * 1024 * 1024, maxTextChars: 10_000 });
    const adapter = createEmailAdapter({
      emailStore: { inbox: async () => null, replyTarget: async () => null, participants: async () => [] },
      mailSender: { send: async () => {}, close: () => {} },
    });
    const [message] = adapter.parse(
      { email, threadKey: email.messageId, mailbox: 'INBOX', uid: 1 },
      { inboxId: mailInbox!.id },
    );
    await ingest(server.root, message!);

    await inbox.click(`[data-testid="conversation-row"]:has-text("${email.subject!.slice(0, 20)}")`);
    await inbox.click('[data-testid="read-full"]');
    const handle = await inbox.waitForSelector('[data-testid="full-message-frame"]');
    expect(await handle.getAttribute('sandbox')).toBe('allow-popups allow-popups-to-escape-sandbox');
    const frame = (await handle.contentFrame())!;
    await frame.waitForSelector('pre');
    const shown = (await frame.textContent('pre'))!;
    // Every character of the mail, the end the timeline cut off included.
    expect(shown).toBe((await simpleParser(raw)).text);
    expect(shown.length).toBe(16_444);
    expect(await inbox.textContent('[data-testid="message-body"]')).toHaveLength(10_000);
    await inbox.screenshot({ path: `${SCREENSHOTS}/files-07-mail-in-full.png` });
  });
});
