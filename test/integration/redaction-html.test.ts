import { openedMessages } from '../helpers/opened-messages.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { createEmailInbox, eventually } from '../helpers/email.ts';
import { readZip } from '../helpers/zip.ts';
import { dbMode } from '../helpers/db.ts';
import { rowsOf } from '../../server/db/client.ts';
import { messages } from '../../drizzle/schema/index.ts';
import { emailExternalId } from '../../channels/email/message-ids.ts';
import type { MessageView } from '../../server/http/views.ts';

const run = promisify(execFile);

/**
 * The secrets a customer mailed in HTML, each written the way mail clients write them: split by a tag, joined by
 * entities (&nbsp;, &amp;, numeric), and inside a quoted reply. Each `tokens` entry is a piece of the secret that
 * must be gone from every copy afterwards.
 */
const IBAN = { text: 'DE89 3704 0044 0532 0130 00', tokens: ['3704', '0532', '0130'] };
const PHRASE = { text: 'blue & gold-7731', tokens: ['blue', 'gold', 'g&#111;ld', '7731'] };
const CARD = { text: '4111 9931 5526 0017', tokens: ['9931', '5526', '0017'] };

const htmlOnly = [
  'From: Ulla Customer <ulla@customer.example>',
  'To: support@shop.example',
  'Subject: Refund',
  'Message-ID: <redact-html-1@customer.example>',
  'MIME-Version: 1.0',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>Please refund to IBAN DE89 3704 <b>0044 0532</b> 0130 00 today.</p>',
  '<p>My phrase is blue&nbsp;&amp;&nbsp;g&#111;ld-7731, kind regards</p>',
  '',
].join('\r\n');

/**
 * The customer's reply: it quotes the first mail (so the IBAN too) and an earlier one with a card number, split by a
 * tag and a line break; in the text part as `> ` lines, in the HTML as a blockquote.
 */
const quotedReply = [
  'From: Ulla Customer <ulla@customer.example>',
  'To: support@shop.example',
  'Subject: Re: Refund',
  'Message-ID: <redact-html-2@customer.example>',
  'In-Reply-To: <redact-html-1@customer.example>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/alternative; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Did you get it?',
  '',
  'On Monday I wrote:',
  '> Please refund to IBAN DE89 3704 0044',
  '> 0532 0130 00 today.',
  '> Or charge my card 4111 9931',
  '> 5526 0017 instead.',
  '',
  '--b1',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>Did you get it?</p><p>On Monday I wrote:</p>',
  '<blockquote><p>Please refund to IBAN DE89 3704 <b>0044 0532</b> 0130 00 today.</p>',
  '<p>Or charge my card 4111 <i>9931</i><br>5526&#32;0017 instead.</p></blockquote>',
  '',
  '--b1--',
  '',
].join('\r\n');

/** Where `secret` stands in `body`, white space and `> ` quote prefixes between its words allowed. */
function spanOf(body: string, secret: string) {
  const pattern = secret
    .split(' ')
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('\\s+(?:>\\s*)*');
  const match = new RegExp(pattern).exec(body);
  if (!match) throw new Error(`the secret is not in the body: ${JSON.stringify(body)}`);
  return { start: match.index, end: match.index + match[0].length };
}

/**
 * Issue 15 item 3: redacting a span of an HTML email removes it from what a reader sees in every copy: the text,
 * the sanitized HTML (across tags, entities and quoted replies), the conversation list's preview, the export's
 * data.json and index.html, and the database as a dump reads it.
 */
describe(`redaction of HTML email by what a reader sees on ${dbMode}`, () => {
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
    await dovecot.append([Buffer.from(htmlOnly), Buffer.from(quotedReply)]);
    await eventually(
      async () =>
        (await server.root.db.select().from(messages).where(eq(messages.channel, 'email'))).length === 2 || undefined,
      30_000,
      'both mails to be stored',
    );
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await Promise.all([dovecot?.stop(), smtp?.stop()]);
  });

  /** The stored row with its text opened (the text is sealed at rest, issue 22). */
  const rowOf = async (messageId: string) => {
    const [row] = await openedMessages(
      server.root.db,
      server.root.dataKeys,
      eq(messages.externalId, emailExternalId(inboxId, messageId)),
    );
    return row!;
  };
  const viewOf = async (messageId: string): Promise<MessageView> => {
    const row = await rowOf(messageId);
    const detail = (await agent.get(`/api/conversations/${row.conversationId}`)).body;
    return detail.messages.find((m: MessageView) => m.id === row.id);
  };
  const redact = async (messageId: string, secret: string) => {
    const view = await viewOf(messageId);
    const res = await agent.post(`/api/messages/${view.id}/redact`, spanOf(view.body, secret));
    expect(res.status).toBe(200);
    return res.body.message as MessageView;
  };

  /** Every row of every table as text, as `pg_dump --data-only` would write it (on both drivers). */
  async function logicalDump(): Promise<string> {
    const tables = rowsOf<{ name: string }>(
      await server.root.db.execute(
        sql`select quote_ident(table_schema) || '.' || quote_ident(table_name) as name
            from information_schema.tables
            where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`,
      ),
    );
    let text = '';
    for (const { name } of tables) {
      const rows = rowsOf<{ row: string }>(
        await server.root.db.execute(sql.raw(`select t::text as row from ${name} t`)),
      );
      text += rows.map((r) => r.row).join('\n');
    }
    return text;
  }

  it('the HTML copies hold the secrets before, each split by tags or entities', async () => {
    const first = (await rowOf('<redact-html-1@customer.example>')).html!;
    expect(first).toContain('3704 <b>0044 0532</b> 0130');
    // sanitize-html keeps &nbsp; as the character itself and &amp; as the entity.
    expect(first).toContain('blue\u00a0&amp;\u00a0gold-7731');
    expect((await rowOf('<redact-html-2@customer.example>')).html!).toContain('<blockquote>');
  });

  it('a span split by a tag and one joined by entities are gone from text, HTML and the list preview', async () => {
    await redact('<redact-html-1@customer.example>', IBAN.text);
    const redacted = await redact('<redact-html-1@customer.example>', PHRASE.text);
    expect(redacted.body).toContain('IBAN [redacted] today');
    expect(redacted.body).toContain('My phrase is [redacted], kind regards');

    const html = (await rowOf('<redact-html-1@customer.example>')).html!;
    for (const token of [...IBAN.tokens, ...PHRASE.tokens]) expect(html).not.toContain(token);
    // The marker once per span, and the rest of the mail as it was.
    expect(html.split('[redacted]').length - 1).toBe(2);
    expect(html).toContain('<p>Please refund to IBAN [redacted]');
    expect(html).toContain(' today.</p>');
    expect(html).toContain('My phrase is [redacted], kind regards</p>');

    const list = (await agent.get(`/api/conversations?inbox=${inboxId}`)).body.items as Array<{
      lastMessagePreview: string | null;
    }>;
    for (const token of [...IBAN.tokens, ...PHRASE.tokens])
      expect(list.map((c) => c.lastMessagePreview ?? '').join('\n')).not.toContain(token);
  });

  it('the reply that quotes the redacted mail loses the span in its quote, its own words stay', async () => {
    const reply = await viewOf('<redact-html-2@customer.example>');
    for (const token of IBAN.tokens) expect(reply.body).not.toContain(token);
    expect(reply.body).toContain('Did you get it?');
    expect(reply.body).toContain('> Please refund to IBAN [redacted]\n>  today.');
    const at = reply.body.indexOf('[redacted]');
    expect(reply.redactions).toEqual([
      { start: at, end: at + '[redacted]'.length, by: agent.agent.id, at: expect.any(String) },
    ]);
    const html = (await rowOf('<redact-html-2@customer.example>')).html!;
    for (const token of IBAN.tokens) expect(html).not.toContain(token);
    expect(html).toContain('<blockquote><p>Please refund to IBAN [redacted] <b></b>  today.</p>');
    // The timeline says so.
    const detail = (
      await agent.get(`/api/conversations/${(await rowOf('<redact-html-2@customer.example>')).conversationId}`)
    ).body;
    expect(detail.messages.map((m: MessageView) => m.body)).toContain(
      `${agent.agent.name} redacted ${IBAN.text.length} characters of a message (and where 1 later message quotes it)`,
    );
  });

  it('a span inside a quoted reply (blockquote in HTML, "> " lines in text) is gone from both', async () => {
    const redacted = await redact('<redact-html-2@customer.example>', CARD.text);
    for (const token of CARD.tokens) expect(redacted.body).not.toContain(token);
    expect(redacted.body).toContain('> Or charge my card [redacted] instead.');
    const html = (await rowOf('<redact-html-2@customer.example>')).html!;
    for (const token of CARD.tokens) expect(html).not.toContain(token);
    expect(html).toContain('<p>Or charge my card [redacted] <i></i><br /> instead.</p></blockquote>');
    expect(html).toContain('<p>Did you get it?</p>');
  });

  it("the export's data.json and index.html hold none of it", async () => {
    const row = await rowOf('<redact-html-1@customer.example>');
    const detail = (await agent.get(`/api/conversations/${row.conversationId}`)).body;
    const res = await fetch(`${server.url}/api/contacts/${detail.contact.id}/export`, {
      headers: { cookie: agent.cookie },
    });
    expect(res.status).toBe(200);
    const zip = await readZip(Buffer.from(await res.arrayBuffer()));
    const data = zip.get('data.json')!.toString();
    const page = zip.get('index.html')!.toString();
    // The export is real: it holds the rest of the mails, HTML copies included.
    expect(data).toContain('kind regards');
    expect(data).toContain('<blockquote>');
    for (const token of [...IBAN.tokens, ...PHRASE.tokens, ...CARD.tokens]) {
      expect(data).not.toContain(token);
      expect(page).not.toContain(token);
    }
  });

  it('a dump of the database holds none of it', async () => {
    const dumps = [await logicalDump()];
    if (dbMode === 'postgres') {
      const [{ name }] = rowsOf<{ name: string }>(
        await server.root.db.execute(sql`select current_database() as name`),
      ) as [{ name: string }];
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${name}`;
      const { stdout } = await run('pg_dump', ['--data-only', url.toString()], { maxBuffer: 256 * 1024 * 1024 });
      dumps.push(stdout);
    }
    // The dump is real: it holds the mail's stored (sealed) text, which opens to the rest of the mail.
    const [stored] = await server.root.db
      .select({ body: messages.body })
      .from(messages)
      .where(eq(messages.externalId, emailExternalId(inboxId, '<redact-html-1@customer.example>')));
    expect((await rowOf('<redact-html-1@customer.example>')).body).toContain('kind regards');
    for (const dump of dumps) {
      expect(dump).toContain(stored!.body);
      expect(dump).not.toContain('kind regards');
      // A token as a word of its own: the dump also holds hex hashes (the audit chain, one per entry) and epoch
      // times, in which a 4-digit group like '9931' turns up by chance; the card in any text is still found.
      for (const token of [...IBAN.tokens, ...PHRASE.tokens, ...CARD.tokens])
        expect(dump).not.toMatch(new RegExp(`(?<![0-9A-Za-z])${token}(?![0-9A-Za-z])`));
    }
  });
});
