import { openedMessages } from '../helpers/opened-messages.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { createEmailInbox, eventually } from '../helpers/email.ts';
import { rowsOf } from '../../server/db/client.ts';
import { emailMailboxes, messages } from '../../drizzle/schema/index.ts';
import { ingestMail } from '../../channels/email/inbound.ts';
import { parseEmailSettings } from '../../channels/email/settings.ts';
import { emailExternalId } from '../../channels/email/message-ids.ts';
import { parseEmail } from '../../channels/email/parse.ts';
import type { AttachmentView, InboxView, MessageMarkerView, MessageView } from '../../server/http/views.ts';

const DATA = join(import.meta.dirname, '../../../shared/data/email');
const filesIn = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    if (statSync(path).isDirectory()) return filesIn(path);
    return /^(LICENSE|SOURCE)/.test(f) ? [] : [path];
  });
const fixtureFiles = [
  ...filesIn(join(DATA, 'mailparser-fixtures')),
  ...filesIn(join(DATA, 'php-mime-mail-parser-fixtures')),
].sort();
const hamFiles = filesIn(join(DATA, 'spamassassin-easy-ham')).sort();

const hostile = [
  'From: Mallory <mallory@evil.example>',
  'To: support@shop.example',
  'Subject: Invoice',
  'Message-ID: <hostile-1@evil.example>',
  'MIME-Version: 1.0',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p onclick="steal()">Hello <b>agent</b></p><script>alert(document.cookie)</script>',
  '<img src="https://tracker.evil.example/pixel.gif"><img src="x" onerror="alert(1)">' +
    '<a href="javascript:alert(2)">click</a>',
  '<a href="https://shop.example/orders/1">order</a><iframe src="https://evil.example"></iframe>' +
    '<style>body{display:none}</style>',
  '',
].join('\r\n');

const brokenMime = [
  'From: Bob <bob@customer.example>',
  'To: support@shop.example',
  'Subject: Broken attachment',
  'Message-ID: <broken-mime-1@customer.example>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="never-used-boundary"',
  '',
  'This body claims to be multipart but no part ever starts.',
  '--some-other-boundary',
  'Content-Type: text/plain',
  '',
  'stray part',
  '',
].join('\r\n');

describe('email content: every public fixture, HTML sanitizing, attachments, limits and broken MIME', () => {
  let server: TestServer;
  let dovecot: Dovecot;
  let smtp: SmtpSink;
  let agent: AgentClient;
  let inboxId: string;

  beforeAll(async () => {
    [dovecot, smtp, server] = await Promise.all([startDovecot(), startSmtpSink(), startTestServer()]);
    const admin = await server.agentClient('admin');
    agent = await server.agentClient('agent');
    // 1 MB: the php fixture m0005 carries a 1.6 MB attachment.
    inboxId = (await createEmailInbox(admin, dovecot, smtp, { maxAttachmentBytes: 1024 * 1024 })).id;
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all([dovecot?.stop(), smtp?.stop()]);
  });

  /** The stored row with its text opened (stored sealed, issue 22), and the agent's view of it. */
  const messageOf = async (messageId: string) => {
    const [row] = await openedMessages(
      server.root.db,
      server.root.dataKeys,
      eq(messages.externalId, emailExternalId(inboxId, messageId)),
    );
    if (!row) throw new Error(`no message ${messageId}`);
    const detail = (await agent.get(`/api/conversations/${row.conversationId}`)).body;
    return { row, view: detail.messages.find((m: MessageView) => m.id === row.id) };
  };

  it('reads every mailparser and php-mime-mail-parser fixture from the mailbox without a crash', async () => {
    const raws = [...fixtureFiles.map((f) => readFileSync(f)), Buffer.from(hostile), Buffer.from(brokenMime)];
    const uids = await dovecot.append(raws);
    await eventually(
      async () => {
        const [c] = await server.root.db.select().from(emailMailboxes).where(eq(emailMailboxes.inboxId, inboxId));
        return c?.lastUid === uids.at(-1);
      },
      60_000,
      'every fixture to be committed',
    );
    // Some fixtures are the same mail saved twice (same Message-ID): those are one message, as in a real inbox.
    const distinct = new Set<string>();
    for (const raw of raws)
      distinct.add((await parseEmail(raw, { maxAttachmentBytes: 1024 * 1024, maxTextChars: 10_000 })).messageId);
    const [{ n }] = rowsOf<{ n: number }>(
      await server.root.db.execute(sql`select count(*)::int as n from messages where channel = 'email'`),
    ) as [{ n: number }];
    expect(n).toBe(distinct.size);
    expect(server.logs()).not.toContain('"level":50');
  }, 120_000);

  it(
    'stores only sanitized HTML: no scripts, handlers, frames, styles, ' + 'remote images or javascript: links',
    async () => {
      const { row } = await messageOf('<hostile-1@evil.example>');
      const html = row.html!;
      expect(html).toContain('<b>agent</b>');
      expect(html).toContain('href="https://shop.example/orders/1"');
      for (const bad of [
        '<script',
        'onclick',
        'onerror',
        'javascript:',
        '<iframe',
        '<style',
        'tracker.evil.example',
        'steal()',
      ])
        expect(html).not.toContain(bad);
    },
  );

  it('keeps attachments in the blob store and serves them to agents only, as downloads', async () => {
    const file = fixtureFiles.find((f) => f.endsWith('issue274.eml'))!;
    const original = await simpleParser(readFileSync(file));
    const pdf = original.attachments.find((a) => a.contentType === 'application/pdf')!;
    const { view } = await messageOf(original.messageId!);
    const listed = view.attachments.find((a: AttachmentView) => a.contentType === 'application/pdf');
    expect(listed).toMatchObject({ filename: pdf.filename, size: pdf.content.length });
    expect(view.attachments.map((a: AttachmentView) => a.contentType)).toEqual(
      expect.arrayContaining(['image/png', 'application/vnd.oasis.opendocument.text']),
    );
    const res = await fetch(`${server.url}/api/attachments/${listed.id}`, { headers: { cookie: agent.cookie } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(pdf.content)).toBe(true);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${server.url}/api/attachments/${listed.id}`)).status).toBe(401);
  });

  it('marks an attachment over the size limit visibly instead of failing the message', async () => {
    const original = await simpleParser(readFileSync(fixtureFiles.find((f) => f.endsWith('m0005'))!));
    const { view } = await messageOf(original.messageId!);
    expect(view.markers).toEqual([
      {
        kind: 'attachment_too_large',
        detail: expect.stringMatching(/over the 1\.0 MB limit and was not stored/),
        event: {
          code: 'attachment_over_limit',
          args: { name: expect.any(String), size: expect.any(Number), limit: 1024 * 1024 },
        },
      },
    ]);
    expect(view.attachments ?? []).toHaveLength(0);
  });

  it('gives malformed MIME a parse-error marker and keeps the raw source as an attachment', async () => {
    for (const [messageId, raw] of [['<broken-mime-1@customer.example>', Buffer.from(brokenMime)]] as const) {
      const { view } = await messageOf(messageId);
      expect(view.markers).toContainEqual({
        kind: 'parse_error',
        detail: 'the multipart boundary never appears in the body',
        event: { code: 'mime_boundary_missing', args: {} },
      });
      const source = view.attachments.find((a: AttachmentView) => a.filename === 'original.eml');
      expect(source.contentType).toBe('message/rfc822');
      const res = await fetch(`${server.url}/api/attachments/${source.id}`, { headers: { cookie: agent.cookie } });
      expect(Buffer.from(await res.arrayBuffer()).equals(raw)).toBe(true);
    }
    // A fixture cut off after its headers (php-mime-mail-parser m0124) is marked the same way.
    // Without a Message-ID its id is derived from the bytes IMAP serves, which end lines with CRLF.
    const truncated = Buffer.from(
      readFileSync(fixtureFiles.find((f) => f.endsWith('m0124'))!)
        .toString('latin1')
        .replace(/\r?\n/g, '\r\n'),
      'latin1',
    );
    const parsed = await parseEmail(truncated, { maxAttachmentBytes: 1024 * 1024, maxTextChars: 10_000 });
    const { view } = await messageOf(parsed.messageId);
    expect(view.markers.map((m: MessageMarkerView) => m.kind)).toContain('parse_error');
    expect(view.attachments.map((a: AttachmentView) => a.filename)).toContain('original.eml');
  });

  it('marks a delivery status report as automated mail', async () => {
    const original = await simpleParser(readFileSync(fixtureFiles.find((f) => f.endsWith('delivery-status.eml'))!));
    const { view } = await messageOf(original.messageId!);
    expect(view.markers).toContainEqual({
      kind: 'automated',
      detail: 'a delivery status notification (bounce)',
      event: { code: 'bounce', args: {} },
    });
  });

  it('ingests all 1,500 spamassassin-easy-ham messages without a crash, each exactly once', async () => {
    const [inbox] = (await agent.get('/api/inboxes')).body.items.filter((i: InboxView) => i.id === inboxId);
    expect(inbox).toBeDefined();
    const { inboxes } = await import('../../drizzle/schema/index.ts');
    const [row] = await server.root.db.select().from(inboxes).where(eq(inboxes.id, inboxId));
    const settings = parseEmailSettings(row!.settings);
    const deps = {
      ...server.root,
      adapter: server.root.adapters.email,
      log: server.fastify.log,
      maxTextChars: 10_000,
    };
    // Straight into the channel's ingest step (the IMAP path is the bench's job): four at a time, as fast as the
    // database allows.
    let next = 0;
    const outcomes: string[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < hamFiles.length) {
          const i = next++;
          outcomes[i] = await ingestMail(deps, inboxId, settings, readFileSync(hamFiles[i]!), {
            mailbox: 'ham',
            uid: i + 1,
            size: 0,
            truncated: false,
          });
        }
      }),
    );
    expect(outcomes).toHaveLength(1500);
    expect(outcomes.filter((o) => o === 'loop')).toEqual([]);
    const [{ n }] = rowsOf<{ n: number }>(
      await server.root.db.execute(
        sql`select count(*)::int as n from messages m join conversations c on c.id = m.conversation_id
          where c.inbox_id = ${inboxId} and (m.metadata->'email'->>'mailbox') = 'ham'`,
      ),
    ) as [{ n: number }];
    expect(n).toBe(outcomes.filter((o) => o === 'ingested').length);
    expect(n).toBeGreaterThan(1490);
  }, 180_000);
});
