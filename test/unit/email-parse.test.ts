import { describe, expect, it } from 'vitest';
import { parseEmail } from '../../channels/email/parse.ts';
import { normalizeSubject } from '../../channels/email/threading.ts';
import { replySubject } from '../../channels/email/adapter.ts';
import { isLoop } from '../../channels/email/inbound.ts';
import { ownMessageId, ownMessageUuid, normalizeMessageId } from '../../channels/email/message-ids.ts';
import {
  parseEmailSettings,
  publicEmailSettings,
  mergeEmailSettings,
  EmailSettingsError,
  PasswordRequiredError,
} from '../../channels/email/settings.ts';
import { checkMimeStructure } from '../../channels/email/mime-check.ts';

const limits = { maxAttachmentBytes: 1024, maxTextChars: 200 };
const mail = (headers: string[], body: string) => Buffer.from([...headers, '', body, ''].join('\r\n'));
const settings = parseEmailSettings({
  address: 'support@shop.example',
  imap: { host: 'imap.shop.example', user: 'u', password: 'imap-secret' },
  smtp: { host: 'smtp.shop.example', user: 'u', password: 'smtp-secret' },
});

describe('email parsing', () => {
  it('reads sender, threading headers, text and sanitized HTML', async () => {
    const e = await parseEmail(
      mail(
        [
          'From: "Jane Q. Customer" <Jane@Customer.Example>',
          'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=',
          'Message-ID: <m2@customer.example>',
          'In-Reply-To: <m1@customer.example>',
          'References: <m0@customer.example>\r\n <m1@customer.example>',
          'Content-Type: multipart/alternative; boundary=b',
        ],
        '--b\r\nContent-Type: text/plain\r\n\r\nHi there\r\n' +
          '--b\r\nContent-Type: text/html\r\n\r\n<p>Hi <script>x()</script>there</p>\r\n--b--',
      ),
      limits,
    );
    expect(e.from).toEqual({ address: 'jane@customer.example', name: 'Jane Q. Customer' });
    expect(e.subject).toBe('Grüße');
    expect(e.messageId).toBe('<m2@customer.example>');
    expect(e.references).toEqual(['<m0@customer.example>', '<m1@customer.example>']);
    expect(e.text.trim()).toBe('Hi there');
    expect(e.html).toBe('<p>Hi there</p>');
    expect(e.markers).toEqual([]);
    expect(e.automated).toBeNull();
  });

  it('keeps the In-Reply-To as the last reference when References is missing', async () => {
    const e = await parseEmail(
      mail(['From: a@b.example', 'Message-ID: <x@b.example>', 'In-Reply-To: <y@b.example>'], 'hi'),
      limits,
    );
    expect(e.references).toEqual(['<y@b.example>']);
  });

  it('marks over-limit attachments and long bodies instead of failing', async () => {
    const big = Buffer.alloc(4096, 1).toString('base64');
    const e = await parseEmail(
      mail(
        ['From: a@b.example', 'Message-ID: <big@b.example>', 'Content-Type: multipart/mixed; boundary=b'],
        `--b\r\nContent-Type: text/plain\r\n\r\n${'long text '.repeat(50)}\r\n` +
          '--b\r\nContent-Type: application/pdf; name="scan.pdf"\r\n' +
          'Content-Disposition: attachment; filename="scan.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
          `${big}\r\n--b--`,
      ),
      limits,
    );
    expect(e.attachments).toEqual([]);
    expect(e.markers.map((m) => m.kind).sort()).toEqual(['attachment_too_large', 'body_truncated']);
    expect(e.markers.find((m) => m.kind === 'attachment_too_large')!.detail).toContain('scan.pdf (4.0 KB)');
    expect(e.text).toHaveLength(200);
  });

  it('keeps the original of a mail whose text was cut, to be read in full (within the size limit)', async () => {
    const raw = mail(['From: a@b.example', 'Message-ID: <long@b.example>'], 'long text '.repeat(50));
    const e = await parseEmail(raw, limits);
    expect(e.text).toHaveLength(200);
    expect(e.attachments).toEqual([
      { filename: 'original.eml', contentType: 'message/rfc822', content: raw, inline: false },
    ]);
    const tooBig = await parseEmail(raw, { ...limits, maxAttachmentBytes: raw.length - 1 });
    expect(tooBig.attachments).toEqual([]);
  });

  it('turns unreadable MIME into a parse-error marker with the raw source attached', async () => {
    const raw = mail(
      ['From: a@b.example', 'Message-ID: <broken@b.example>', 'Content-Type: multipart/mixed'],
      'no boundary at all',
    );
    const e = await parseEmail(raw, limits);
    expect(e.markers).toContainEqual({
      kind: 'parse_error',
      detail: 'a multipart message without a boundary parameter',
      event: { code: 'mime_no_boundary', args: {} },
    });
    expect(e.attachments).toEqual([
      { filename: 'original.eml', contentType: 'message/rfc822', content: raw, inline: false },
    ]);
    expect(checkMimeStructure(mail(['Content-Type: text/plain'], 'fine'))).toBeNull();
    expect(checkMimeStructure(Buffer.from('From: x@y.example'))).toBe('the message has no header/body separator');
  });

  it('strips NUL characters PostgreSQL cannot store', async () => {
    const e = await parseEmail(
      mail(['From: a@b.example', 'Subject: a\u0000b', 'Message-ID: <nul@b.example>'], 'x\u0000y'),
      limits,
    );
    expect(e.subject).toBe('ab');
    expect(e.text.trim()).toBe('xy');
  });

  it('recognises machines: auto-replies, bounces and list mail', async () => {
    const kind = async (headers: string[]) =>
      (await parseEmail(mail(['From: a@b.example', 'Message-ID: <k@b.example>', ...headers], 'x'), limits)).automated;
    expect(await kind(['Auto-Submitted: auto-replied'])).toBe('auto_reply');
    expect(await kind(['Auto-Submitted: no'])).toBeNull();
    expect(await kind(['X-Autoreply: yes'])).toBe('auto_reply');
    expect(await kind(['Precedence: bulk'])).toBe('bulk');
    expect(await kind(['List-Id: <users.lists.example>'])).toBe('bulk');
    expect(
      (await parseEmail(mail(['From: MAILER-DAEMON@mx.example', 'Message-ID: <d@b.example>'], 'x'), limits)).automated,
    ).toBe('bounce');
  });
});

describe('email threading helpers', () => {
  it('normalizes subjects across reply prefixes of many languages', () => {
    for (const s of [
      'Re: Order 7',
      'RE: AW: Order 7',
      'Fwd: order  7',
      'SV: Vs: Order 7',
      'Antw: Order 7',
      'Re[2]: Order 7',
      'WG: Order 7',
    ]) {
      expect(normalizeSubject(s)).toBe('order 7');
    }
    expect(normalizeSubject('Regarding order 7')).toBe('regarding order 7');
  });

  it('prefixes a reply subject once', () => {
    expect(replySubject('Order 7')).toBe('Re: Order 7');
    expect(replySubject('Re: Order 7')).toBe('Re: Order 7');
    expect(replySubject(undefined)).toBe('Re: your message');
  });

  it('makes our own Message-IDs recognisable, and only ours', () => {
    const id = ownMessageId('3b2a1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d', 'support@shop.example');
    expect(id).toMatch(/^<pi\.3b2a1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d\.[0-9a-f]{12}@shop\.example>$/);
    expect(ownMessageUuid(id)).toBe('3b2a1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d');
    expect(ownMessageUuid('<pi.not-a-uuid.abc@shop.example>')).toBeNull();
    expect(ownMessageUuid('<CAF=abc@mail.gmail.com>')).toBeNull();
    expect(normalizeMessageId(' abc@x ')).toBe('<abc@x>');
    expect(normalizeMessageId('')).toBeNull();
  });

  it('detects loops: our own Message-ID, our own address, our X-Loop', async () => {
    const base = await parseEmail(
      mail(['From: jane@customer.example', 'Message-ID: <j@customer.example>'], 'x'),
      limits,
    );
    expect(isLoop(base, settings)).toBe(false);
    expect(
      isLoop(
        { ...base, messageId: ownMessageId('3b2a1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d', 'support@shop.example') },
        settings,
      ),
    ).toBe(true);
    expect(isLoop({ ...base, from: { address: 'support@shop.example' } }, settings)).toBe(true);
    expect(isLoop({ ...base, xLoop: ['support@shop.example'] }, settings)).toBe(true);
  });
});

describe('email settings', () => {
  it('validates, applies defaults and names the bad field', () => {
    expect(settings.imap).toMatchObject({ port: 993, secure: true, mailbox: 'INBOX' });
    expect(settings.smtp).toMatchObject({ port: 465, secure: true });
    expect(settings).toMatchObject({ markSeen: true, deleteAfterIngest: false, subjectThreadDays: 7 });
    expect(() => parseEmailSettings({ ...settings, imap: { ...settings.imap, host: '' } })).toThrow(
      'imap.host is required',
    );
    // The field and the rule it breaks travel as the error's params, to be worded in the reader's language.
    expect(() => parseEmailSettings({ ...settings, imap: { ...settings.imap, port: 0 } })).toThrow(
      expect.objectContaining({ field: 'imap.port', rule: 'port' }),
    );
    expect(() => parseEmailSettings({ ...settings, address: 'nope' })).toThrow(EmailSettingsError);
  });

  it('never shows passwords, and keeps the stored ones when a change leaves them out', () => {
    const shown = JSON.stringify(publicEmailSettings(settings));
    expect(shown).not.toContain('imap-secret');
    expect(shown).not.toContain('smtp-secret');
    const merged = parseEmailSettings(mergeEmailSettings(settings as never, { imap: { mailbox: 'Support' } }));
    expect(merged.imap).toMatchObject({ mailbox: 'Support', password: 'imap-secret' });
  });

  it('asks for the password again when it would go to another server, user, CA or over plaintext', () => {
    const stored = settings as never;
    for (const change of [
      { host: 'imap2.shop.example' },
      { port: 1993 },
      { user: 'someone-else' },
      { allowPlaintext: true },
      { ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' },
    ])
      expect(() => mergeEmailSettings(stored, { imap: change })).toThrow(new PasswordRequiredError('imap'));
    expect(() => mergeEmailSettings(stored, { smtp: { host: 'smtp.evil.example' } })).toThrow(
      new PasswordRequiredError('smtp'),
    );
    // The same host spelt differently, or the default port written out, is not a change.
    expect(() => mergeEmailSettings(stored, { imap: { host: 'IMAP.shop.example', port: 993 } })).not.toThrow();
    const moved = parseEmailSettings(
      mergeEmailSettings(stored, { imap: { host: 'imap2.shop.example', password: 'new-secret' } }),
    );
    expect(moved.imap).toMatchObject({ host: 'imap2.shop.example', password: 'new-secret' });
  });
});
