import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { createEmailInbox, eventually } from '../helpers/email.ts';
import { dbMode } from '../helpers/db.ts';
import type { MessageView } from '../../server/http/views.ts';

const DATA = '../shared/data/email';
/** A real mailing-list mail whose text is 16,444 characters (cut at MESSAGE_MAX_CHARS, 10,000). */
const LONG = `${DATA}/spamassassin-easy-ham/00064.cb4bd5482454f02b6c3d70343af090a8.txt`;
/** A real mail with only an HTML part: the inbox's text says "(HTML message)". */
const HTML_ONLY = `${DATA}/mailparser-fixtures/spam.eml`;

/**
 * Issue 17 item 3: a mail cut at 10,000 characters or sent as HTML only can be read in full in the inbox, from the
 * real mails in ../shared/data: the whole text (from the original kept with the message), the sanitized HTML, and
 * the original .eml as a download.
 */
describe(`real mails read in full, on ${dbMode}`, () => {
  let server: TestServer;
  let dovecot: Dovecot;
  let smtp: SmtpSink;
  let agent: AgentClient;
  let inboxId: string;

  beforeAll(async () => {
    [dovecot, smtp, server] = await Promise.all([startDovecot(), startSmtpSink(), startTestServer()]);
    const admin = await server.agentClient('admin');
    agent = await server.agentClient('agent');
    inboxId = (await createEmailInbox(admin, dovecot, smtp)).id;
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all([dovecot?.stop(), smtp?.stop()]);
  });

  const messageMatching = (match: (m: MessageView) => boolean, what: string) =>
    eventually(
      async () => {
        for (const c of (await agent.get(`/api/conversations?inbox=${inboxId}`)).body.items) {
          const found = (await agent.get(`/api/conversations/${c.id}`)).body.messages.find(match);
          if (found) return found as MessageView;
        }
        return undefined;
      },
      15_000,
      what,
    );

  it('a mail cut at 10,000 characters: its whole text, and its original as a download', async () => {
    const raw = readFileSync(LONG);
    const whole = (await simpleParser(raw)).text!;
    expect(whole.length).toBe(16_444);
    await dovecot.append(raw);
    const message = await messageMatching(
      // Its files are linked right after the message commits.
      (m) => (m.markers?.some((k) => k.kind === 'body_truncated') ?? false) && Boolean(m.attachments?.length),
      'the long mail',
    );
    expect(message.body.length).toBe(10_000);
    const original = message.attachments!.find((a) => a.filename === 'original.eml')!;
    expect(original.contentType).toBe('message/rfc822');

    const full = await agent.get(`/api/messages/${message.id}/full`);
    expect(full.status).toBe(200);
    expect(full.body.text).toBe(whole.replaceAll('\u0000', ''));
    expect(full.body.text.length).toBe(16_444);
    expect(full.body.text.endsWith(whole.slice(-200))).toBe(true);
    expect(full.body.originalId).toBe(original.id);

    const download = await fetch(`${server.url}/api/attachments/${original.id}`, { headers: { cookie: agent.cookie } });
    expect(download.headers.get('content-disposition')).toContain('original.eml');
    // The mail as the mailbox holds it (IMAP stores CRLF line ends; the file has LF).
    const crlf = raw.toString('latin1').replace(/\r?\n/g, '\r\n');
    expect(Buffer.from(await download.arrayBuffer()).toString('latin1')).toBe(crlf);
  });

  it('an HTML-only mail: its sanitized HTML, with no script, handler or remote image left', async () => {
    await dovecot.append(readFileSync(HTML_ONLY));
    const message = await messageMatching((m) => m.body === '(HTML message)', 'the HTML-only mail');
    const full = await agent.get(`/api/messages/${message.id}/full`);
    expect(full.status).toBe(200);
    expect(full.body.html.length).toBeGreaterThan(500);
    expect(full.body.html).not.toMatch(/<script|\son\w+=|<img[^>]+src="https?:/i);
    expect(full.body.html).not.toMatch(/<meta|<style|<link/i);
  });

  it('answers 404 for a message that does not exist', async () => {
    expect((await agent.get(`/api/messages/${crypto.randomUUID()}/full`)).status).toBe(404);
  });
});
