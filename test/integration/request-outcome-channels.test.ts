import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { requestPageClient, smsAndSlackEnv } from '../helpers/request-page.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.ts';
import { FakeSlack } from '../helpers/fake-slack.ts';
import { auditLog, contactIdentities, inboxes } from '../../drizzle/schema/index.ts';
import { identityIs, identityRow } from '../helpers/identities.ts';
import { insertContact } from '../helpers/contacts.ts';

const OUR_NUMBER = '+15005550006';

/**
 * Issue 21 item 2, "the customer is told the outcome in their language", for people we know only by phone or on
 * Slack: the outcome goes where they verified, as a text message from our SMS number (the real twilio SDK against a
 * local fake of Twilio's REST API) or as a direct message from our Slack app (the real @slack/web-api client against
 * a local fake of Slack's Web API). A number that texted STOP gets nothing, and the desk says why.
 */
describe(`request outcomes by SMS and Slack (${dbMode})`, () => {
  let server: TestServer;
  let twilio: FakeTwilio;
  let slack: FakeSlack;
  let admin: AgentClient;
  let smsUrl: string;
  const { api } = requestPageClient(() => server.url, '10.0.8');

  const textsTo = (phone: string) => twilio.messages.filter((m) => m.to === phone).map((m) => m.body);
  const codeIn = (text: string | undefined) => /\b(\d{6})\b/.exec(text ?? '')?.[1];

  /** A person who only ever texted us: the contact the SMS channel made for their number. */
  async function texter(phone: string) {
    await twilio.sms(smsUrl, { from: phone, to: OUR_NUMBER, body: 'Hello, a question about my order' });
    const [identity] = await server.root.db
      .select({ contactId: contactIdentities.contactId })
      .from(contactIdentities)
      .where(identityIs(server.root.db, 'phone', phone));
    return identity!.contactId;
  }

  /** Files a request on the public page after the code that went by SMS or Slack; returns its id. */
  async function filedAfterCode(typed: string, language: string, kind: string, latest: () => string | undefined) {
    const sent = await api('/code', { address: typed, language });
    expect(sent.status).toBe(202);
    const verified = await api('/verify', { challengeId: sent.body.challengeId, code: codeIn(latest()) });
    expect(verified.status).toBe(200);
    const filed = await api('/', { kind }, verified.body.token);
    expect(filed.status).toBe(201);
    return filed.body.id as string;
  }

  const onDesk = async (id: string) =>
    (await admin.get('/api/privacy/requests')).body.items.find((r: { id: string }) => r.id === id);
  const auditOf = (requestId: string) =>
    server.root.db
      .select({ action: auditLog.action, details: auditLog.details })
      .from(auditLog)
      .where(eq(auditLog.targetId, requestId));

  beforeAll(async () => {
    [twilio, slack] = await Promise.all([startFakeTwilio(), FakeSlack.start()]);
    slack.addUser({ id: 'U0SVEN0001', name: 'sven', realName: 'Sven Slack' });
    slack.addUser({ id: 'U0PAULA001', name: 'paula', realName: 'Paula Partner' });
    server = await startTestServer(smsAndSlackEnv(twilio, slack));
    const [inbox] = await server.root.db
      .insert(inboxes)
      .values({ name: 'Support SMS', channel: 'sms', settings: { phoneNumber: OUR_NUMBER } })
      .returning();
    smsUrl = `${server.url}/api/twilio/${inbox!.id}/sms`;
    admin = await server.agentClient('admin');
  });
  afterAll(async () => {
    await server?.stop();
    await twilio?.close();
    await slack?.close();
  });

  it('texts a person verified by SMS the erasure decided, in Finnish, and the desk shows told by SMS', async () => {
    const phone = '+358401230001';
    await texter(phone);
    const id = await filedAfterCode('040 123 0001', 'fi', 'erasure', () => textsTo(phone).at(-1));
    const texts = textsTo(phone).length;

    const decided = await admin.post(`/api/privacy/requests/${id}/erase`, { confirm: true });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({
      told: true,
      request: { status: 'completed', outcomeNotice: { told: true, via: 'sms' } },
    });
    expect(textsTo(phone)).toHaveLength(texts + 1);
    expect(twilio.messages.at(-1)).toMatchObject({ from: OUR_NUMBER, to: phone });
    expect(textsTo(phone).at(-1)).toBe('Tietosuojapyyntösi\nPyyntösi (tietojesi poistaminen) on käsitelty.');

    // The desk keeps saying so; the audit names the channel, never the number; no log line has it.
    expect((await onDesk(id)).outcomeNotice).toMatchObject({ told: true, via: 'sms' });
    const entries = await auditOf(id);
    expect(entries).toContainEqual({
      action: 'privacy_request.outcome_sent',
      details: expect.objectContaining({ via: 'sms', language: 'fi' }),
    });
    for (const secret of ['358401230001', '401230001']) {
      expect(JSON.stringify(entries)).not.toContain(secret);
      expect(server.logs()).not.toContain(secret);
    }
  });

  it('tells a Slack member the erasure was refused under a legal hold, in Swedish, with their rights', async () => {
    const c = await insertContact(server.root.db, { name: 'Sven Slack' });
    await server.root.db
      .insert(contactIdentities)
      .values(await identityRow(server.root.db, c!.id, 'slack', 'T0TEAM0001:U0SVEN0001'));
    const id = await filedAfterCode('U0SVEN0001', 'sv', 'erasure', () => slack.directMessagesTo('U0SVEN0001').at(-1));
    expect((await admin.post('/api/privacy/legal-holds', { contactId: c!.id, reason: 'Tax audit 2026' })).status).toBe(
      201,
    );

    const decided = await admin.post(`/api/privacy/requests/${id}/erase`, { confirm: true });
    expect(decided.body).toMatchObject({
      told: true,
      request: { status: 'refused', outcome: { basis: 'legal_hold' }, outcomeNotice: { told: true, via: 'slack' } },
    });
    const dm = slack.directMessagesTo('U0SVEN0001').at(-1)!;
    expect(dm).toBe(
      '*Din integritetsförfrågan*\n\n' +
        'Vi kan inte genomföra din begäran (radering av dina uppgifter): ' +
        'lagen kräver att vi sparar uppgifterna för ett pågående rättsligt ärende.\n\n' +
        'Du kan lämna in ett klagomål till en dataskyddsmyndighet eller vända dig till domstol.\n\n' +
        `Dina rättigheter och hur du använder dem: ${server.url}/privacy?lang=sv`,
    );
    // The link opens the transparency page in Swedish.
    const rights = await fetch(`${server.url}/privacy?lang=sv`);
    expect(rights.status).toBe(200);
    expect(rights.headers.get('content-language')).toBe('sv');
  });

  it('texts a refusal with its legal basis in German to a phone-only contact an agent logged it for', async () => {
    const phone = '+4915112345678';
    const contactId = await texter(phone);
    // Logged by an agent after a call: no code was sent, the number on file is where the answer goes.
    const logged = await admin.post('/api/privacy/requests', {
      contactId,
      kind: 'access',
      language: 'de',
      verifiedHow: 'callback',
      channel: 'phone',
    });
    expect(logged.status).toBe(201);
    const id = logged.body.request.id;
    const closed = await admin.post(`/api/privacy/requests/${id}/close`, {
      outcome: { kind: 'refused', basis: 'bookkeeping_duty' },
    });
    expect(closed.body).toMatchObject({ told: true, request: { outcomeNotice: { told: true, via: 'sms' } } });
    const text = textsTo(phone).at(-1)!;
    expect(text).toBe(
      'Ihre Datenschutzanfrage\n' +
        'Wir können Ihre Anfrage (eine Kopie Ihrer Daten) nicht ausführen: ' +
        'Das Gesetz verpflichtet uns, diese Unterlagen für die Buchhaltung aufzubewahren. ' +
        'Sie können sich bei einer Datenschutzaufsichtsbehörde beschweren oder einen gerichtlichen Rechtsbehelf ' +
        'einlegen.\n' +
        `Ihre Rechte und wie Sie sie wahrnehmen: ${server.url}/privacy?lang=de`,
    );
  });

  it('texts nothing to a number that sent STOP: not told, and the desk shows why', async () => {
    const phone = '+358401230002';
    const contactId = await texter(phone);
    await twilio.sms(smsUrl, { from: phone, to: OUR_NUMBER, body: 'STOP' });
    const logged = await admin.post('/api/privacy/requests', {
      contactId,
      kind: 'erasure',
      language: 'fi',
      verifiedHow: 'callback',
      channel: 'phone',
    });
    const id = logged.body.request.id;
    const texts = twilio.messages.length;

    const decided = await admin.post(`/api/privacy/requests/${id}/erase`, { confirm: true });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({
      told: false,
      request: { status: 'completed', outcomeNotice: { told: false, via: 'sms', reason: 'opted_out' } },
    });
    expect(twilio.messages).toHaveLength(texts);
    expect((await onDesk(id)).outcomeNotice).toMatchObject({ told: false, reason: 'opted_out' });
    expect(await auditOf(id)).toContainEqual({
      action: 'privacy_request.outcome_not_sent',
      details: expect.objectContaining({ via: 'sms', reason: 'opted_out' }),
    });
  });

  it('says, in the widget and on the desk, that a chat-only visitor with no address cannot be told', async () => {
    const visitor = await server.visitor();
    const erasure = await visitor.post('/api/widget/privacy/erasure?language=fr', {});
    // The widget is told at once that nothing on file can carry the answer (it asks for an email address).
    expect(erasure).toMatchObject({ status: 201, body: { answeredVia: null } });
    const texts = twilio.messages.length;
    const dms = slack.callsOf('chat.postMessage').length;
    const decided = await admin.post(`/api/privacy/requests/${erasure.body.id}/close`, {
      outcome: { kind: 'refused', basis: 'manifestly_unfounded' },
    });
    expect(decided.body).toMatchObject({
      told: false,
      request: { outcomeNotice: { told: false, via: null, reason: 'no_address' } },
    });
    expect(twilio.messages).toHaveLength(texts);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(dms);
  });
});
