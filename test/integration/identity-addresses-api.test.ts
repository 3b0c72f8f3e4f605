import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { eventually, insertSendOnlyEmailInbox, rawMail } from '../helpers/email.ts';
import { ingestMail } from '../../channels/email/inbound.ts';
import { parseEmailSettings } from '../../channels/email/settings.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import { rowsOf } from '../../server/db/client.ts';

const OUR_NUMBER = '+15005550006';
const EMAIL = 'greta.gruber@kunde.example';
const PHONE = '+4915491315660';

/**
 * Issue 22, black box: identity addresses are stored only sealed, and the inbox still works with them. A person who
 * wrote by email and by SMS (one contact after a merge) shows both addresses in the contact view; an agent finds her
 * conversations by her exact email address and her full international number; replies reach her by email (a real
 * SMTP server) and by SMS (the real twilio SDK against a local fake of Twilio's REST API). Then no row of any table,
 * read as text, spells her email address or her number.
 */
describe(`identity addresses through the API, stored only sealed (${dbMode})`, () => {
  let server: TestServer;
  let twilio: FakeTwilio;
  let smtp: SmtpSink;
  let agent: AgentClient;
  let emailInbox: string;
  let smsUrl: string;

  beforeAll(async () => {
    [twilio, smtp] = await Promise.all([startFakeTwilio(), startSmtpSink()]);
    server = await startTestServer({
      EMAIL_IMAP_ENABLED: 'false',
      TRUST_PROXY: '127.0.0.1',
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_URL: twilio.url,
      OUTBOUND_ALLOW_HOSTS: new URL(twilio.url).host,
    });
    emailInbox = await insertSendOnlyEmailInbox(server.root.db, smtp);
    const [sms] = await server.root.db
      .insert(inboxes)
      .values({ name: 'Support SMS', channel: 'sms', settings: { phoneNumber: OUR_NUMBER } })
      .returning();
    smsUrl = `${server.url}/api/twilio/${sms!.id}/sms`;
    agent = await server.agentClient('agent');
  });
  afterAll(async () => {
    await server?.stop();
    await twilio?.close();
    await smtp?.stop();
  });

  /** Mail enters at the email channel's ingest step, as the IMAP reader hands it over. */
  async function receiveMail() {
    const [inbox] = await server.root.db.select().from(inboxes).where(eq(inboxes.id, emailInbox));
    const deps = { ...server.root, adapter: server.root.adapters.email, log: server.fastify.log, maxTextChars: 10_000 };
    const raw = rawMail({
      from: `Greta Gruber <${EMAIL}>`,
      subject: 'Rechnung fehlt',
      messageId: '<r1-4471@mail.kunde.example>',
      text: 'Guten Tag, mir fehlt die Rechnung zur Bestellung 4471.',
    });
    const size = Buffer.byteLength(raw);
    const options = { mailbox: 'INBOX', uid: 1, size, truncated: false };
    expect(await ingestMail(deps, emailInbox, parseEmailSettings(inbox!.settings), Buffer.from(raw), options)).toBe(
      'ingested',
    );
  }

  const conversationsOf = async (channel: string) =>
    (await agent.get(`/api/conversations?channel=${channel}`)).body.items as Array<{
      id: string;
      contact: { id: string };
    }>;
  const searchHits = async (q: string) =>
    (await agent.get(`/api/search?${new URLSearchParams({ q })}`)).body.items as Array<{
      conversation: { id: string };
      matchedIn: string;
    }>;

  it('shows, finds and reaches a person by the addresses she wrote from; no row spells them', async () => {
    await receiveMail();
    await twilio.sms(smsUrl, { from: PHONE, to: OUR_NUMBER, body: 'Hallo, hier Greta wegen der Rechnung' });
    const listed = (channel: string) =>
      eventually(async () => {
        const items = await conversationsOf(channel);
        return items.length ? items : undefined;
      });
    const [byMail] = await listed('email');
    const [bySms] = await listed('sms');

    // The agent sees it is one person and merges the SMS contact into the email one.
    const merged = await agent.post(`/api/contacts/${byMail!.contact.id}/merge`, {
      otherContactId: bySms!.contact.id,
      confirm: true,
    });
    expect(merged.status).toBe(200);
    // The contact's own email and phone fields are another change's (they are stored as typed): cleared here so
    // that what the contact view, search and replies use below can only come from the sealed identity addresses.
    const cleared = await agent.send('PATCH', `/api/contacts/${byMail!.contact.id}`, { email: null, phone: null });
    expect(cleared.status).toBe(200);

    const view = await agent.get(`/api/contacts/${byMail!.contact.id}`);
    expect(view.status).toBe(200);
    expect(view.body.email).toBeNull();
    expect(view.body.phone).toBeNull();
    expect(
      (view.body.identities as Array<{ kind: string; address: string }>).map((i) => [i.kind, i.address]).sort(),
    ).toEqual([
      ['email', EMAIL],
      ['phone', PHONE],
    ]);

    // Found by the exact address (as typed, in another case too) and by the full international number.
    for (const q of [EMAIL, 'Greta.Gruber@Kunde.example'])
      expect(await searchHits(q)).toContainEqual(
        expect.objectContaining({ conversation: expect.objectContaining({ id: byMail!.id }), matchedIn: 'address' }),
      );
    for (const q of ['+49 154 9131 5660', '0049 154 91315660'])
      expect((await searchHits(q)).map((h) => h.conversation.id)).toContain(bySms!.id);

    // Replies reach her: by mail to her address, by SMS to her number from ours.
    expect(
      (await agent.post(`/api/conversations/${byMail!.id}/messages`, { text: 'Die Rechnung ist unterwegs.' })).status,
    ).toBe(201);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.envelope.to).toEqual([EMAIL]);
    expect(mail!.parsed.text).toContain('Die Rechnung ist unterwegs.');
    expect(
      (await agent.post(`/api/conversations/${bySms!.id}/messages`, { text: 'Rechnung kommt per Post.' })).status,
    ).toBe(201);
    const text = await eventually(async () => twilio.messages.find((m) => m.to === PHONE));
    expect(text).toMatchObject({ from: OUR_NUMBER, body: 'Rechnung kommt per Post.' });

    // A dump: every row of every table as text. Neither her address nor her number, in any spelling kept.
    const tables = rowsOf<{ name: string }>(
      await server.root.db.execute(sql`select quote_ident(table_name) as name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE'`),
    ).map((t) => t.name);
    expect(tables).toContain('contact_identities');
    let dump = '';
    for (const table of tables)
      for (const row of rowsOf<{ t: string }>(
        await server.root.db.execute(sql.raw(`select t::text as t from ${table} t`)),
      ))
        dump += `${table} ${row.t}\n`;
    const lines = dump.toLowerCase().split('\n');
    for (const secret of [EMAIL, 'greta.gruber@', '4915491315660', '15491315660'])
      expect(lines.filter((l) => l.includes(secret))).toEqual([]);
    for (const secret of [EMAIL, '4915491315660']) expect(server.logs()).not.toContain(secret);
  });
});
