import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.ts';
import {
  auditLog,
  contactIdentities,
  contacts,
  inboxes,
  privacyPendingChanges,
  smsOptOuts,
} from '../../drizzle/schema/index.ts';
import { identityRow } from '../helpers/identities.ts';
import { openContact } from '../../server/domain/contact-fields.ts';
import { identityKeysOf } from '../../server/domain/identity-address.ts';
import { insertContact } from '../helpers/contacts.ts';

const OUR_NUMBER = '+15005550006';

/**
 * Issue 21 item 2: a customer correcting their phone number confirms the new number with a code texted to it from
 * the SMS inbox's Twilio number (the real twilio SDK against a local fake of Twilio's REST API). Without an SMS
 * inbox the request is refused clearly. The request page's session comes from a code mailed to a real SMTP sink.
 */
describe(`self-service phone correction by SMS code (${dbMode})`, () => {
  let server: TestServer;
  /** The contact's fields as its page shows them (stored sealed, issue 22). */
  const storedContact = async (id: string) => {
    const [row] = await server.root.db.select().from(contacts).where(eq(contacts.id, id));
    return openContact(identityKeysOf(server.root.db).dataKeys, row!);
  };
  let smtp: SmtpSink;
  let fake: FakeTwilio;
  let admin: AgentClient;
  let client = 10;

  const api = (path: string, body: unknown, token: string) =>
    fetch(`${server.url}/api/public/privacy-requests${path}`, {
      method: 'POST',
      headers: {
        'x-forwarded-for': `10.0.3.${client}`,
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: await r.json() }));

  async function customer(address: string, name: string) {
    const c = await insertContact(server.root.db, { name, email: address });
    await server.root.db.insert(contactIdentities).values(await identityRow(server.root.db, c!.id, 'email', address));
    return c!.id;
  }
  async function verify(address: string, language: string) {
    client += 1;
    const before = smtp.received.length;
    const sent = await fetch(`${server.url}/api/public/privacy-requests/code`, {
      method: 'POST',
      headers: { 'x-forwarded-for': `10.0.3.${client}`, 'content-type': 'application/json' },
      body: JSON.stringify({ address, language }),
    }).then((r) => r.json());
    const mails = await smtp.waitFor(before + 1);
    const code = /\b(\d{6})\b/.exec(mails.at(-1)!.parsed.text ?? '')?.[1];
    const verified = await api('/verify', { challengeId: sent.challengeId, code }, '');
    expect(verified.status).toBe(200);
    return verified.body.token as string;
  }
  const textsTo = (phone: string) => fake.messages.filter((m) => m.to === phone);

  beforeAll(async () => {
    [smtp, fake] = await Promise.all([startSmtpSink(), startFakeTwilio()]);
    server = await startTestServer({
      EMAIL_IMAP_ENABLED: 'false',
      TRUST_PROXY: '127.0.0.1',
      TWILIO_ACCOUNT_SID: fake.accountSid,
      TWILIO_AUTH_TOKEN: fake.authToken,
      TWILIO_API_URL: fake.url,
      OUTBOUND_ALLOW_HOSTS: new URL(fake.url).host,
    });
    admin = await server.agentClient('admin');
    const mailbox = { host: smtp.host, port: smtp.port, secure: false, user: smtp.user, password: smtp.password };
    const inbox = await admin.post('/api/inboxes/email', {
      name: 'Support mail',
      settings: {
        address: 'support@shop.example',
        imap: { ...mailbox, host: '127.0.0.1', port: 1, user: 'x', password: 'unused-password', allowPlaintext: true },
        smtp: { ...mailbox, allowPlaintext: true },
      },
    });
    expect(inbox.status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.stop();
    await fake?.close();
  });

  it('refuses a new phone number clearly while no SMS inbox can send the code', async () => {
    const contactId = await customer('petra.phone@example.org', 'Petra Phone');
    const token = await verify('petra.phone@example.org', 'de');
    const asked = await api('/correction', { phone: '+49 30 901820' }, token);
    expect(asked.status).toBe(409);
    expect(asked.body.code).toBe('sms_unavailable');
    expect(fake.messages).toHaveLength(0);
    expect((await storedContact(contactId)).phone).toBeNull();
  });

  it('texts a code from the SMS inbox number and changes the number only once that code comes back', async () => {
    await server.root.db
      .insert(inboxes)
      .values({ name: 'Support SMS', channel: 'sms', settings: { phoneNumber: OUR_NUMBER } });
    const contactId = await customer('simo.sms@example.org', 'Simo Sms');
    const token = await verify('simo.sms@example.org', 'fi');

    const asked = await api('/correction', { phone: '+358 40 1234567' }, token);
    expect(asked.status).toBe(201);
    expect(asked.body.pending).toEqual([{ id: expect.any(String), field: 'phone' }]);
    const [text] = textsTo('+358401234567');
    expect(text).toMatchObject({ from: OUR_NUMBER });
    expect(text!.body).toMatch(
      /^\d{6} on koodisi tämän puhelinnumeron vahvistamiseen\. Se on voimassa 15 minuuttia\.$/,
    );
    const code = text!.body.slice(0, 6);

    // Only the code's hash is stored; nothing changes before it comes back, nor with a wrong code.
    const [pending] = await server.root.db
      .select()
      .from(privacyPendingChanges)
      .where(eq(privacyPendingChanges.contactId, contactId));
    expect(pending!.codeHash).not.toContain(code);
    const pendingId = asked.body.pending[0].id as string;
    const wrong = await api(
      `/correction/${pendingId}/confirm`,
      { code: code === '000000' ? '111111' : '000000' },
      token,
    );
    expect(wrong.body.code).toBe('code_invalid');
    expect((await storedContact(contactId)).phone).toBeNull();

    expect(await api(`/correction/${pendingId}/confirm`, { code }, token)).toEqual({
      status: 200,
      body: { applied: 'phone' },
    });
    expect((await storedContact(contactId)).phone).toBe('+358401234567');
    const history = (await admin.get(`/api/privacy/contacts/${contactId}/audit`)).body.items;
    expect(history.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['privacy_request.change_code_sent', 'contact.rectified']),
    );
    expect(history.find((e: { action: string }) => e.action === 'contact.rectified').fields).toEqual(['phone']);
    const entries = JSON.stringify(await server.root.db.select().from(auditLog));
    expect(entries).not.toContain('358401234567');
    expect(entries).not.toContain(code);
    expect(server.logs()).not.toContain(code);
    expect(server.logs()).not.toContain('358401234567');
  });

  it('sends nothing to a number that texted STOP to ours, and says the code was not sent', async () => {
    const contactId = await customer('olle.optout@example.org', 'Olle Optout');
    const token = await verify('olle.optout@example.org', 'sv');
    await server.root.db
      .insert(smsOptOuts)
      .values({ twilioNumber: OUR_NUMBER, contactId, phone: '+46701234567', keyword: 'STOP' });
    const asked = await api('/correction', { phone: '+46 70 123 45 67' }, token);
    expect(asked.status).toBe(201);
    expect(textsTo('+46701234567')).toHaveLength(0);
    const [entry] = await server.root.db
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.action, 'privacy_request.change_code_not_sent'), eq(auditLog.targetId, asked.body.requestId)),
      );
    expect(entry!.details).toMatchObject({ field: 'phone' });
    expect(server.logs()).toContain('opted_out');
  });

  it('sends a few codes an hour per person, then refuses with too_many_codes', async () => {
    await customer('tina.tries@example.org', 'Tina Tries');
    const token = await verify('tina.tries@example.org', 'en');
    for (const n of [1, 2, 3]) {
      const asked = await api('/correction', { phone: `+44 20 7946 000${n}` }, token);
      expect(asked.status).toBe(201);
    }
    const fourth = await api('/correction', { phone: '+44 20 7946 0004' }, token);
    expect(fourth.status).toBe(429);
    expect(fourth.body.code).toBe('too_many_codes');
    expect(textsTo('+442079460004')).toHaveLength(0);
    expect(textsTo('+442079460003')).toHaveLength(1);
  });
});
