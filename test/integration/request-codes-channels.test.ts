import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { requestPageClient, smsAndSlackEnv } from '../helpers/request-page.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.ts';
import { FakeSlack, deliverEvent } from '../helpers/fake-slack.ts';
import { DM_CHANNEL, messageEvent } from '../fixtures/channels/slack.ts';
import { auditLog, contactIdentities, inboxes } from '../../drizzle/schema/index.ts';
import { identityIs, identityRow } from '../helpers/identities.ts';
import { insertContact } from '../helpers/contacts.ts';

const OUR_NUMBER = '+15005550006';

/**
 * Issue 21 item 1, "a public request page that works for customers of every channel": a person who only ever wrote
 * by SMS or phone gets the code by SMS (the real twilio SDK against a local fake of Twilio's REST API, from our SMS
 * inbox's number), a Slack customer as a direct message from our Slack app (the real @slack/web-api client against a
 * local fake of Slack's Web API). Numbers typed the national way match the E.164 number on file (PHONE_REGION=FI).
 * Unknown identities get the same answer and nothing is sent; the codes expire and are limited per identity.
 */
describe(`request page codes by SMS and Slack (${dbMode})`, () => {
  let server: TestServer;
  let twilio: FakeTwilio;
  let slack: FakeSlack;
  let admin: AgentClient;
  let now = new Date('2026-05-04T08:00:00Z');
  const clock = () => new Date(now);
  const { api, clientAddress } = requestPageClient(() => server.url, '10.0.7');

  async function customer(name: string, kind: 'phone' | 'slack' | 'email', address: string) {
    const c = await insertContact(server.root.db, { name });
    await server.root.db.insert(contactIdentities).values(await identityRow(server.root.db, c!.id, kind, address));
    return c!.id;
  }
  const textsTo = (phone: string) => twilio.messages.filter((m) => m.to === phone);
  const codeIn = (text: string | undefined) => /\b(\d{6})\b/.exec(text ?? '')?.[1];
  const sentAnything = () => ({
    texts: twilio.messages.length,
    slack: slack.callsOf('chat.postMessage').length + slack.callsOf('conversations.open').length,
  });

  beforeAll(async () => {
    [twilio, slack] = await Promise.all([startFakeTwilio(), FakeSlack.start()]);
    slack.addUser({ id: 'U0CUSTOMR1', name: 'sanna', realName: 'Sanna Slack' });
    slack.addUser({ id: 'U0CUSTOMR2', name: 'wilhelm', realName: 'Wilhelm Work', email: 'wilhelm@partner.example' });
    slack.addUser({ id: 'U0STRANGR1', name: 'stranger', email: 'stranger@partner.example' });
    slack.addUser({ id: 'U0PARTNER1', name: 'paula', realName: 'Paula Partner' });
    server = await startTestServer(smsAndSlackEnv(twilio, slack), { clock });
    admin = await server.agentClient('admin');
  });
  afterAll(async () => {
    await server?.stop();
    await twilio?.close();
    await slack?.close();
  });

  it('says clearly when no SMS inbox can send the code, whoever the number is', async () => {
    await customer('Niko Nosms', 'phone', '+358401110000');
    const asked = await api('/code', { address: '040 111 0000', language: 'fi' });
    expect(asked.status).toBe(409);
    expect(asked.body.code).toBe('sms_unavailable');
    const unknown = await api('/code', { address: '040 111 0001', language: 'fi' });
    expect(unknown.status).toBe(409);
    expect(twilio.messages).toHaveLength(0);
    // The page says it in the person's language, with the number they typed back in the field.
    const page = await fetch(`${server.url}/privacy/request/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': clientAddress() },
      body: new URLSearchParams({ address: '040 111 0000', language: 'fi' }).toString(),
    });
    expect(page.status).toBe(409);
    const html = await page.text();
    expect(html).toContain('Emme voi lähettää koodeja tekstiviestinä täällä.');
    expect(html).toContain('value="040 111 0000"');

    await server.root.db
      .insert(inboxes)
      .values({ name: 'Support SMS', channel: 'sms', settings: { phoneNumber: OUR_NUMBER } });
  });

  it('texts the code to the number on file typed the national way, and records it as an SMS code', async () => {
    const contactId = await customer('Sirpa Sms', 'phone', '+358401234567');
    const sent = await api('/code', { address: '040 123 4567', language: 'fi' });
    expect(sent).toEqual({ status: 202, body: { challengeId: expect.any(String), via: 'sms' } });
    const [text] = textsTo('+358401234567');
    expect(text).toMatchObject({ from: OUR_NUMBER });
    expect(text!.body).toMatch(/^\d{6} on koodisi tietosuojapyyntösivullemme\. Se toimii kerran, 15 minuutin ajan\./);
    const code = codeIn(text!.body)!;

    const verified = await api('/verify', { challengeId: sent.body.challengeId, code });
    expect(verified.status).toBe(200);
    const filed = await api('/', { kind: 'erasure' }, verified.body.token);
    expect(filed.status).toBe(201);
    const request = (await admin.get('/api/privacy/requests')).body.items.find(
      (r: { id: string }) => r.id === filed.body.id,
    );
    const [identity] = await server.root.db
      .select()
      .from(contactIdentities)
      .where(eq(contactIdentities.contactId, contactId));
    expect(request).toMatchObject({
      contactId,
      source: 'request_page',
      language: 'fi',
      verification: {
        method: 'sms_code',
        identityKind: 'phone',
        identityId: identity!.id,
        codeId: sent.body.challengeId,
      },
    });
    // "+358 40 123 4567" and "00358401234567" name the same number.
    expect((await api('/code', { address: '00358 40 123 4567' })).body.via).toBe('sms');
    expect(textsTo('+358401234567')).toHaveLength(2);

    // Neither the code nor the number reaches a log line or the audit log.
    const entries = JSON.stringify(await server.root.db.select().from(auditLog));
    for (const secret of [code, '358401234567', '401234567']) {
      expect(server.logs()).not.toContain(secret);
      expect(entries).not.toContain(secret);
    }
    const [sentEntry] = await server.root.db.select().from(auditLog).where(eq(auditLog.targetId, identity!.id));
    expect(sentEntry).toMatchObject({ action: 'privacy_request.code_sent', details: { via: 'phone' } });
  });

  it('sends the code to a Slack member as a direct message from our app, by member id', async () => {
    const contactId = await customer('Sanna Slack', 'slack', 'T0TEAM0001:U0CUSTOMR1');
    const sent = await api('/code', { address: 'u0customr1', language: 'sv' });
    expect(sent).toEqual({ status: 202, body: { challengeId: expect.any(String), via: 'slack' } });
    expect(slack.callsOf('conversations.open').at(-1)!.params.users).toBe('U0CUSTOMR1');
    const [dm] = slack.directMessagesTo('U0CUSTOMR1');
    expect(dm).toMatch(
      /^Din kod för vår sida för integritetsförfrågningar är \d{6}\n\nDen fungerar en gång, i 15 minuter\./,
    );
    // Through the app's bot token, as every Slack call.
    expect(slack.callsOf('chat.postMessage').at(-1)!.token).toBe(slack.botToken);

    const verified = await api('/verify', { challengeId: sent.body.challengeId, code: codeIn(dm) });
    expect(verified.status).toBe(200);
    const filed = await api('/', { kind: 'objection' }, verified.body.token);
    expect(filed.status).toBe(201);
    const request = (await admin.get('/api/privacy/requests')).body.items.find(
      (r: { id: string }) => r.id === filed.body.id,
    );
    expect(request).toMatchObject({
      contactId,
      verification: { method: 'slack_code', identityKind: 'slack', codeId: sent.body.challengeId },
    });
    expect(server.logs()).not.toContain(codeIn(dm)!);
  });

  it('sends the code to the Slack member whose account has the address typed, if we know them from Slack', async () => {
    await customer('Wilhelm Work', 'slack', 'T0OTHER001:U0CUSTOMR2');
    const sent = await api('/code', { address: 'Wilhelm@Partner.example', language: 'de' });
    expect(sent).toEqual({ status: 202, body: { challengeId: expect.any(String), via: 'email_or_slack' } });
    expect(slack.callsOf('users.lookupByEmail').at(-1)!.params.email).toBe('wilhelm@partner.example');
    const [dm] = slack.directMessagesTo('U0CUSTOMR2');
    expect(dm).toMatch(/^Ihr Code für unsere Seite für Datenschutzanfragen lautet \d{6}/);
    expect((await api('/verify', { challengeId: sent.body.challengeId, code: codeIn(dm) })).status).toBe(200);
  });

  it('finds a Slack Connect member of another workspace, who wrote to us on Slack, by their member id', async () => {
    // Paula's workspace is her own organisation's (user_team): her identity is "T0PARTNER9:U0PARTNER1", a workspace
    // the app has no conversation of; the page is given her member id alone.
    const event = messageEvent({ channel: DM_CHANNEL, user: 'U0PARTNER1', text: 'Please delete my data' });
    event.event.user_team = 'T0PARTNER9';
    const env = smsAndSlackEnv(twilio, slack);
    expect((await deliverEvent(`${server.url}/api/slack/events`, env.SLACK_SIGNING_SECRET!, event)).status).toBe(200);
    let identity: { contactId: string } | undefined;
    for (let tries = 0; !identity && tries < 100; tries++) {
      [identity] = await server.root.db
        .select()
        .from(contactIdentities)
        .where(identityIs(server.root.db, 'slack', 'T0PARTNER9:U0PARTNER1'));
      if (!identity) await new Promise((r) => setTimeout(r, 50));
    }
    expect(identity).toBeDefined();

    const sent = await api('/code', { address: 'U0PARTNER1', language: 'en' });
    expect(sent).toEqual({ status: 202, body: { challengeId: expect.any(String), via: 'slack' } });
    const [dm] = slack.directMessagesTo('U0PARTNER1');
    expect(codeIn(dm)).toBeDefined();
    const verified = await api('/verify', { challengeId: sent.body.challengeId, code: codeIn(dm) });
    expect(verified.status).toBe(200);
    const filed = await api('/', { kind: 'erasure' }, verified.body.token);
    expect(filed.status).toBe(201);
    const request = (await admin.get('/api/privacy/requests')).body.items.find(
      (r: { id: string }) => r.id === filed.body.id,
    );
    expect(request).toMatchObject({ contactId: identity!.contactId, verification: { identityKind: 'slack' } });
  });

  it('answers an unknown number, member id or address exactly like a known one, and sends nothing', async () => {
    const before = sentAnything();
    for (const [address, via] of [
      ['040 765 4321', 'sms'],
      ['+46 70 123 45 67', 'sms'],
      ['U0NOBODY01', 'slack'],
      ['nobody@nowhere.example', 'email_or_slack'],
      // A Slack member we have never heard from: Slack knows the address, we do not know the member.
      ['stranger@partner.example', 'email_or_slack'],
    ] as const) {
      const sent = await api('/code', { address, language: 'en' });
      expect(sent).toEqual({ status: 202, body: { challengeId: expect.stringMatching(/^[0-9a-f-]{36}$/), via } });
      expect((await api('/verify', { challengeId: sent.body.challengeId, code: '123456' })).body.code).toBe(
        'code_invalid',
      );
    }
    expect(sentAnything()).toEqual(before);
    expect(slack.callsOf('users.lookupByEmail').at(-1)!.params.email).toBe('stranger@partner.example');
  });

  it('refuses, whoever it is, a fixed-line number and text that names no identity', async () => {
    const landline = await api('/code', { address: '09 123 4567' });
    expect(landline).toMatchObject({ status: 400, body: { code: 'not_mobile' } });
    expect((await api('/code', { address: '040 12' })).body.code).toBe('invalid_phone');
    expect((await api('/code', { address: 'my name is Sirpa' })).body.code).toBe('invalid_identity');
  });

  it('sends at most three codes an hour to one number, and a code expires after 15 minutes', async () => {
    await customer('Tuomas Tries', 'phone', '+358405550123');
    const codes: Array<{ challengeId: string; code: string }> = [];
    for (let i = 0; i < 3; i++) {
      const sent = await api('/code', { address: '0405550123', language: 'fi' });
      codes.push({ challengeId: sent.body.challengeId, code: codeIn(textsTo('+358405550123').at(-1)!.body)! });
    }
    const fourth = await api('/code', { address: '+358 40 555 0123' });
    expect(fourth).toEqual({ status: 202, body: { challengeId: expect.any(String), via: 'sms' } });
    expect(textsTo('+358405550123')).toHaveLength(3);
    expect((await api('/verify', { challengeId: fourth.body.challengeId, code: codes[2]!.code })).status).toBe(400);

    // 16 minutes later the codes no longer work; an hour later a new one is sent.
    now = new Date(now.getTime() + 16 * 60_000);
    expect((await api('/verify', codes[0]!)).body.code).toBe('code_invalid');
    now = new Date(now.getTime() + 45 * 60_000);
    await api('/code', { address: '0405550123', language: 'fi' });
    expect(textsTo('+358405550123')).toHaveLength(4);
  });
});
