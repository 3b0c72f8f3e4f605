import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { loadConfig, type Config } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/server.ts';
import { createAgent } from '../../server/domain/agents.ts';
import { createVisitorTokens } from '../../server/security/tokens.ts';
import { keyFileProvider, readKeyFile } from '../../server/security/keys.ts';
import { createSecretBox, isSealed, secretContext, sealedKeyId } from '../../server/security/secret-box.ts';
import { rotateMasterKey } from '../../server/security/rotate.ts';
import { secretSettingsOf } from '../../channels/registry.ts';
import { createMailSender } from '../../channels/email/smtp.ts';
import { inboxes, instanceSettings } from '../../drizzle/schema/index.ts';
import { dbMode, testDatabase } from '../helpers/db.ts';
import { freePort } from '../helpers/ports.ts';
import { AgentClient } from '../helpers/server.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.ts';
import { FakeSlack } from '../helpers/fake-slack.ts';
import { createEmailInbox, eventually, rawMail } from '../helpers/email.ts';

const run = promisify(execFile);
const ADMIN_EMAIL = 'admin@secrets.example';
const ADMIN_PASSWORD = 'admin-password-for-secrets';
const SLACK_SIGNING_SECRET = 'slack-signing-secret-4b1f0c9e2d';
const OUR_NUMBER = '+15550100077';

/** Every file under `dir`, as one buffer per file. */
function filesUnder(dir: string): Buffer[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [readFileSync(path)];
  });
}

/**
 * Issue 14 item 8: a server configured with IMAP/SMTP passwords, a Twilio token (API), Slack's token and signing
 * secret (environment) keeps none of them, nor the visitor-token secret, readable in its database; mail still
 * goes both ways over real STARTTLS, SMS still goes out, and a key rotation keeps it all working.
 */
describe(`secrets at rest on ${dbMode}`, () => {
  let dovecot: Dovecot;
  let smtp: SmtpSink;
  let twilio: FakeTwilio;
  let slack: FakeSlack;
  let database: Awaited<ReturnType<typeof testDatabase>> | undefined;
  let dataDir: string;
  let config: Config;
  let server: RunningServer;
  let admin: AgentClient;
  let agent: AgentClient;
  let logs = '';
  let emailInboxId: string;
  let smsInboxId: string;

  beforeAll(async () => {
    [dovecot, smtp, twilio, slack] = await Promise.all([
      startDovecot({ tls: true }),
      startSmtpSink({ tls: true }),
      startFakeTwilio(),
      FakeSlack.start('xoxb-secret-slack-bot-token-7781'),
    ]);
    // On PostgreSQL a database of its own (pg_dump reads it); on PGlite the data directory under DATA_DIR.
    if (dbMode === 'postgres') database = await testDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'secrets-test-'));
    const port = await freePort();
    config = loadConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      ...(database ? { DATABASE_URL: database.url! } : {}),
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      SEED_DEMO: 'false',
      BOT_ENABLED: 'false',
      BOT_EMBEDDER: 'lexical',
      TWILIO_API_URL: twilio.url,
      SLACK_SIGNING_SECRET,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_API_URL: slack.apiUrl,
      // Both fakes listen on loopback: the outbound guard refuses it unless named.
      OUTBOUND_ALLOW_HOSTS: `${new URL(twilio.url).host},${new URL(slack.apiUrl).host}`,
    });
    const logStream = new Writable({
      write(chunk, _enc, done) {
        logs += chunk.toString();
        done();
      },
    });
    server = await startServer(config, { logStream });
    admin = await AgentClient.login(server.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await createAgent(
      server.root.db,
      { email: 'agent@secrets.example', name: 'Agent', role: 'agent', password: 'a-long-agent-password' },
      null,
    );
    agent = await AgentClient.login(server.url, 'agent@secrets.example', 'a-long-agent-password');
    emailInboxId = (await createEmailInbox(admin, dovecot, smtp)).id;
    const sms = await admin.post('/api/twilio/inboxes', {
      name: 'SMS',
      channel: 'sms',
      phoneNumber: OUR_NUMBER,
      accountSid: twilio.accountSid,
      authToken: twilio.authToken,
    });
    expect(sms.status).toBe(201);
    smsInboxId = sms.body.inbox.id;
  });
  afterAll(async () => {
    await server?.close().catch(() => {});
    await database?.close();
    await Promise.all([dovecot?.stop(), smtp?.stop(), twilio?.close(), slack?.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const conversationIn = (inboxId: string) =>
    eventually(
      async () => (await agent.get(`/api/conversations?inbox=${inboxId}`)).body.items[0] as { id: string } | undefined,
      15_000,
      'a conversation',
    );

  /** Every sealed value in the database: the visitor-token secret and the secrets in inbox settings. */
  async function sealedSecrets(): Promise<string[]> {
    const paths = secretSettingsOf() as Record<string, string[] | undefined>;
    const values: unknown[] = (await server.root.db.select().from(instanceSettings)).map((r) => r.value);
    for (const row of await server.root.db.select().from(inboxes))
      for (const path of paths[row.channel] ?? [])
        values.push(
          path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], row.settings),
        );
    return values.filter(isSealed);
  }

  /** A customer's mail in and the agent's reply out: proves the stored passwords still open. */
  async function mailRoundTrip(tag: string) {
    const before = smtp.received.length;
    await dovecot.append(rawMail({ messageId: `<${tag}@customer.example>`, subject: tag, text: `About ${tag}` }));
    const conversation = await eventually(
      async () => {
        const items = (await agent.get(`/api/conversations?inbox=${emailInboxId}`)).body.items as {
          id: string;
          subject: string;
        }[];
        return items.find((c) => c.subject === tag);
      },
      15_000,
      `the conversation ${tag}`,
    );
    const sent = await agent.post(`/api/conversations/${conversation.id}/messages`, { text: `Reply to ${tag}` });
    expect(sent.body.message.deliveryState).toBe('sent');
    const mails = await smtp.waitFor(before + 1);
    expect(mails.at(-1)!.parsed.subject).toBe(`Re: ${tag}`);
  }

  /** A customer's SMS in (signed with the inbox's token) and the agent's reply out through Twilio's API. */
  async function smsRoundTrip(from: string, text: string) {
    const inbound = await twilio.sms(`${server.url}/api/twilio/${smsInboxId}/sms`, {
      from,
      to: OUR_NUMBER,
      body: text,
    });
    expect(inbound.status).toBe(200);
    const list = (await agent.get(`/api/conversations?inbox=${smsInboxId}`)).body.items as { id: string }[];
    const conversation = list[0]!;
    const reply = await agent.post(`/api/conversations/${conversation.id}/messages`, { text: `Re ${text}` });
    expect(reply.body.message.deliveryState).toBe('sent');
    expect(twilio.messages.at(-1)).toMatchObject({ from: OUR_NUMBER, body: `Re ${text}` });
  }

  it('mail goes both ways over STARTTLS with a trusted CA, and SMS goes out, with the stored secrets', async () => {
    await mailRoundTrip('tls-order-1');
    // Dovecot refuses LOGIN before STARTTLS (disable_plaintext_auth), and the SMTP sink AUTH: both were TLS.
    expect(smtp.sessions).toEqual({ tls: expect.any(Number), plain: 0 });
    expect(smtp.sessions.tls).toBeGreaterThan(0);
    await smsRoundTrip('+15550107001', 'Is my parcel late?');
  });

  it('asks for the password again when the SMTP host changes, and the stored one goes nowhere else', async () => {
    const elsewhere = await startSmtpSink({ tls: true });
    try {
      const before = (await admin.get(`/api/inboxes/${emailInboxId}/email`)).body.inbox.settings.smtp;
      const moved = { host: '127.0.0.1', port: elsewhere.port, secure: false, user: smtp.user, ca: elsewhere.ca };
      const patched = await admin.send('PATCH', `/api/inboxes/${emailInboxId}/email`, { settings: { smtp: moved } });
      expect(patched.status).toBe(400);
      expect(patched.body.code).toBe('password_required');
      const after = (await admin.get(`/api/inboxes/${emailInboxId}/email`)).body.inbox.settings.smtp;
      expect(after).toEqual(before);
      await mailRoundTrip('after-refused-move');
      expect(elsewhere.sessions).toEqual({ tls: 0, plain: 0 });
      expect(elsewhere.received).toEqual([]);
      // The same change with the password is accepted (and changed back the same way).
      const withPassword = { ...moved, password: elsewhere.password };
      expect(
        (await admin.send('PATCH', `/api/inboxes/${emailInboxId}/email`, { settings: { smtp: withPassword } })).status,
      ).toBe(200);
      const back = { host: smtp.host, port: smtp.port, secure: false, user: smtp.user, ca: smtp.ca };
      expect(
        (
          await admin.send('PATCH', `/api/inboxes/${emailInboxId}/email`, {
            settings: { smtp: { ...back, password: smtp.password } },
          })
        ).status,
      ).toBe(200);
    } finally {
      await elsewhere.stop();
    }
  });

  it('refuses servers without TLS unless an admin allows plaintext for that inbox', async () => {
    const [plainImap, plainSmtp] = await Promise.all([startDovecot(), startSmtpSink()]);
    try {
      const imap = {
        host: plainImap.host,
        port: plainImap.port,
        secure: false,
        user: plainImap.user,
        password: plainImap.password,
      };
      const smtpSettings = { host: plainSmtp.host, port: plainSmtp.port, secure: false, user: plainSmtp.user };
      const created = await admin.post('/api/inboxes/email', {
        name: 'Plain mail',
        settings: { address: 'plain@shop.example', imap, smtp: { ...smtpSettings, password: plainSmtp.password } },
      });
      expect(created.status).toBe(201);
      const id = created.body.inbox.id as string;
      expect(created.body.inbox.settings.imap.allowPlaintext).toBe(false);
      await plainImap.append(rawMail({ messageId: '<plain-1@customer.example>', subject: 'Plain' }));
      const failing = await eventually(
        async () => {
          const view = (await admin.get(`/api/inboxes/${id}/email`)).body.inbox.mailbox;
          return view.lastError ? view : undefined;
        },
        15_000,
        'the refused IMAP session',
      );
      expect(failing.lastError).toMatch(/STARTTLS/i);
      expect(failing.lastUid).toBeNull();
      expect((await agent.get(`/api/conversations?inbox=${id}`)).body.items).toEqual([]);
      // SMTP: nodemailer's requireTLS refuses before AUTH; the server never saw the password.
      const sender = createMailSender();
      const mail = {
        from: { name: 'Shop', address: 'plain@shop.example' },
        replyTo: 'plain@shop.example',
        to: 'jane@customer.example',
        subject: 'Hi',
        text: 'Hi',
        messageId: '<plain-reply@shop.example>',
        references: [],
      };
      const base = { ...smtpSettings, password: plainSmtp.password, allowPlaintext: false };
      await expect(sender.send(base, mail)).rejects.toThrow(/SMTP/);
      expect(plainSmtp.sessions).toEqual({ tls: 0, plain: 0 });
      await sender.send({ ...base, allowPlaintext: true }, mail);
      expect(plainSmtp.received).toHaveLength(1);
      sender.close();
      // Allowing plaintext changes where the password may go: it is asked for again, then mail is read.
      const allow = { settings: { imap: { ...imap, password: undefined, allowPlaintext: true } } };
      expect((await admin.send('PATCH', `/api/inboxes/${id}/email`, allow)).body.code).toBe('password_required');
      const allowed = await admin.send('PATCH', `/api/inboxes/${id}/email`, {
        settings: { imap: { ...imap, allowPlaintext: true } },
      });
      expect(allowed.status).toBe(200);
      expect(allowed.body.inbox.settings.imap.allowPlaintext).toBe(true);
      await conversationIn(id);
    } finally {
      await Promise.all([plainImap.stop(), plainSmtp.stop()]);
    }
  });

  it("a sealed password copied into another inbox's row does not open there", async () => {
    // Someone with write access to the database copies the inbox's settings, sealed passwords included, into a
    // row of their own (pointing elsewhere would need the password; here even the same server does not get it).
    const [source] = await server.root.db.select().from(inboxes).where(eq(inboxes.id, emailInboxId));
    expect(isSealed((source!.settings.imap as { password: string }).password)).toBe(true);
    const [other] = await server.root.db
      .insert(inboxes)
      .values({ name: 'Copy', channel: 'email', settings: source!.settings })
      .returning();
    await server.root.channels.email.refresh();
    expect(logs).toContain('email inbox password unreadable: not polled');
    expect((await admin.get(`/api/inboxes/${other!.id}/email`)).body.inbox.mailbox.state).toBe('stopped');
    await server.root.db.delete(inboxes).where(eq(inboxes.id, other!.id));
    await server.root.channels.email.refresh();
  });

  it('keys:rotate re-encrypts every secret under a new key, and the running server keeps working', async () => {
    const keyFile = join(dataDir, 'master.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const oldKeyId = keyFileProvider(keyFile).current().id;
    const sealed = await sealedSecrets();
    expect(sealed.every((value) => sealedKeyId(value) === oldKeyId)).toBe(true);
    const result = await rotateMasterKey(config, server.root.db, secretSettingsOf());
    expect(result.currentKeyId).not.toBe(oldKeyId);
    expect(result).toMatchObject({ unreadable: 0, stillUsed: [], retiredOldKeys: true });
    expect(result.resealed).toBe(sealed.length);
    expect(readKeyFile(keyFile)).toHaveLength(1);
    const after = await sealedSecrets();
    expect(after).toHaveLength(sealed.length);
    expect(after.every((value) => sealedKeyId(value) === result.currentKeyId)).toBe(true);
    // The server read the rewritten key file by itself: the IMAP reader reconnects, replies and SMS go out.
    await mailRoundTrip('after-rotation');
    await smsRoundTrip('+15550107002', 'Rotated?');
    const created = await admin.post('/api/twilio/inboxes', {
      name: 'New after rotation',
      channel: 'voice',
      phoneNumber: '+15550100078',
      accountSid: twilio.accountSid,
      authToken: 'a-token-written-after-rotation',
    });
    const [fresh] = await server.root.db.select().from(inboxes).where(eq(inboxes.id, created.body.inbox.id));
    expect(sealedKeyId(fresh!.settings.authToken)).toBe(result.currentKeyId);
  });

  it('a database dump holds none of the secrets', async () => {
    // The visitor-token secret, read the way only a holder of the key can; it is the one the server signs with.
    const [row] = await server.root.db
      .select()
      .from(instanceSettings)
      .where(eq(instanceSettings.key, 'visitor_token_secret'));
    const context = secretContext.instanceSetting('visitor_token_secret');
    const box = createSecretBox(keyFileProvider(join(dataDir, 'master.key')));
    const visitorSecret = isSealed(row!.value) ? box.open(row!.value, context) : row!.value;
    const claims = { visitorId: randomUUID(), contactId: randomUUID(), inboxId: randomUUID() };
    expect(server.root.visitorTokens.verify(createVisitorTokens(visitorSecret).issue(claims))).toMatchObject(claims);
    const masterKey = readFileSync(join(dataDir, 'master.key'), 'utf8').trim();
    const secrets = {
      imapPassword: dovecot.password,
      smtpPassword: smtp.password,
      twilioToken: twilio.authToken,
      slackToken: slack.botToken,
      slackSigningSecret: SLACK_SIGNING_SECRET,
      visitorSecret,
      masterKey,
    };
    let dump: Buffer[];
    if (database) {
      const { stdout } = await run('pg_dump', ['--data-only', database.url!], {
        maxBuffer: 256 * 1024 * 1024,
        encoding: 'buffer',
      });
      dump = [stdout];
    } else {
      await server.close(); // PGlite writes everything out on close
      dump = filesUnder(join(dataDir, 'pglite'));
    }
    // The dump is real: it holds the inbox's address and Twilio number, stored in the clear on purpose.
    expect(dump.some((file) => file.includes('support@shop.example'))).toBe(true);
    const found = Object.entries(secrets)
      .filter(([, value]) => dump.some((file) => file.includes(value)))
      .map(([name]) => name);
    expect(found).toEqual([]);
  });
});
