import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMode } from '../helpers/db.ts';
import { AgentClient, startTestServer, type TestServer } from '../helpers/server.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';

/** Issue 17 item 8: with an email inbox that can send, the invitation goes by mail and the admin never sees it. */
describe(`invitations mailed through the configured SMTP inbox (${dbMode})`, () => {
  let server: TestServer;
  let smtp: SmtpSink;
  let admin: AgentClient;

  beforeAll(async () => {
    // No mailbox is read here (EMAIL_IMAP_ENABLED=false): only the inbox's SMTP side is used.
    [smtp, server] = await Promise.all([startSmtpSink(), startTestServer({ EMAIL_IMAP_ENABLED: 'false' })]);
    admin = await server.agentClient('admin');
    const inbox = await admin.post('/api/inboxes/email', {
      name: 'Support mail',
      settings: {
        address: 'support@shop.example',
        fromName: 'Shop Support',
        imap: {
          host: '127.0.0.1',
          port: 1,
          secure: false,
          user: 'x',
          password: 'unused-password',
          allowPlaintext: true,
        },
        smtp: {
          host: smtp.host,
          port: smtp.port,
          secure: false,
          user: smtp.user,
          password: smtp.password,
          allowPlaintext: true,
        },
      },
    });
    expect(inbox.status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.stop();
  });

  it('mails the link to the colleague, from the support address, and answers no link', async () => {
    const invited = await admin.post('/api/agents/invitations', {
      email: 'mailed.colleague@test.example',
      name: 'Mia Mailed',
      role: 'agent',
    });
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({ emailed: true, link: null, agent: { status: 'invited' } });
    const [mail] = await smtp.waitFor(1);
    expect(mail!.envelope.to).toEqual(['mailed.colleague@test.example']);
    expect(mail!.parsed.from?.value[0]?.address).toBe('support@shop.example');
    expect(mail!.parsed.subject).toBe('You are invited to the support inbox');
    const link = /http\S+\/inbox\/#\/invite\/([\w-]+)/.exec(mail!.parsed.text ?? '');
    expect(link?.[0].startsWith(server.url)).toBe(true);

    const accepted = await fetch(`${server.url}/api/auth/invitation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: link![1], password: 'mia-chosen-password' }),
    });
    expect(accepted.status).toBe(200);
    await AgentClient.login(server.url, 'mailed.colleague@test.example', 'mia-chosen-password');
    // The server's log never holds the link's token.
    expect(server.logs()).not.toContain(link![1]);
  });

  it('writes the invitation in the inviting admin’s language', async () => {
    expect((await admin.send('PATCH', '/api/agents/me', { locale: 'fi' })).status).toBe(200);
    const invited = await admin.post('/api/agents/invitations', {
      email: 'finnish.colleague@test.example',
      name: 'Aino',
      role: 'agent',
    });
    expect(invited.status).toBe(201);
    const mail = (await smtp.waitFor(2)).at(-1)!;
    expect(mail.parsed.subject).toBe('Kutsu asiakastuen saapuneisiin');
    expect(mail.parsed.text).toMatch(/^Hei Aino,\n\nSinut on kutsuttu/);
    expect(mail.parsed.text).toMatch(/linkki toimii kerran, \d+ päivän ajan/);
    await admin.send('PATCH', '/api/agents/me', { locale: null });
  });
});
