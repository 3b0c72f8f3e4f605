import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { sid, startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.ts';
import { auditLog, contactIdentities, inboxes, messages, smsOptOuts } from '../../drizzle/schema/index.ts';
import { identityIs } from '../helpers/identities.ts';

const OUR_NUMBER = '+15550100000';

describe(`Twilio SMS on ${dbMode}`, () => {
  let fake: FakeTwilio;
  let server: TestServer;
  let agent: AgentClient;
  let inboxId: string;
  let smsUrl: string;

  beforeAll(async () => {
    fake = await startFakeTwilio();
    server = await startTestServer({
      TWILIO_ACCOUNT_SID: fake.accountSid,
      TWILIO_AUTH_TOKEN: fake.authToken,
      TWILIO_API_URL: fake.url,
      OUTBOUND_ALLOW_HOSTS: new URL(fake.url).host,
    });
    const [inbox] = await server.root.db
      .insert(inboxes)
      .values({
        name: 'Support SMS',
        channel: 'sms',
        settings: { phoneNumber: OUR_NUMBER, helpText: 'Outdoor Shop support. Reply STOP to opt out.' },
      })
      .returning();
    inboxId = inbox!.id;
    smsUrl = `${server.url}/api/twilio/${inboxId}/sms`;
    agent = await server.agentClient('agent');
  });
  afterAll(async () => {
    await server?.stop();
    await fake?.close();
  });

  const storedMessages = async () => (await server.root.db.select({ n: count() }).from(messages))[0]!.n;
  const conversationOf = async (phone: string) => {
    const list = await agent.get('/api/conversations?channel=sms');
    const [identity] = await server.root.db
      .select()
      .from(contactIdentities)
      .where(identityIs(server.root.db, 'phone', phone));
    const match = list.body.items.find((c: { contact: { id: string } }) => c.contact.id === identity?.contactId);
    if (!match) throw new Error('no conversation for that number');
    return match as { id: string };
  };
  const detail = async (conversationId: string) => (await agent.get(`/api/conversations/${conversationId}`)).body;

  it('refuses absent, forged and tampered signatures with 403 and stores nothing', async () => {
    const params = {
      MessageSid: sid('SM'),
      AccountSid: fake.accountSid,
      From: '+15550109999',
      To: OUR_NUMBER,
      Body: 'forged',
      NumMedia: '0',
    };
    expect((await fake.webhook(smsUrl, params, { unsigned: true })).status).toBe(403);
    expect((await fake.webhook(smsUrl, params, { signWith: 'not-the-auth-token-000' })).status).toBe(403);
    // A genuine signature, but for another URL (another inbox's webhook).
    expect(
      (await fake.webhook(smsUrl, params, { signUrl: `${server.url}/api/twilio/${randomUUID()}/sms` })).status,
    ).toBe(403);
    // Signed for one body, sent with another.
    const twilio = (await import('twilio')).default;
    const signature = twilio.getExpectedTwilioSignature(fake.authToken, smsUrl, params);
    const tampered = await fetch(smsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams({ ...params, Body: 'changed on the way' }).toString(),
    });
    expect(tampered.status).toBe(403);
    // An unknown inbox id: nothing to verify against.
    expect(
      (await fake.webhook(`${server.url}/api/twilio/00000000-0000-4000-8000-000000000000/sms`, params)).status,
    ).toBe(403);
    const body = await tampered.json();
    expect(body).toMatchObject({ code: 'invalid_signature', requestId: expect.any(String) });
    expect(await storedMessages()).toBe(0);
    expect(await server.root.db.select().from(contactIdentities)).toEqual([]);
  });

  it('stores a genuine SMS once, however often Twilio retries it', async () => {
    const first = await fake.sms(smsUrl, { from: '+15550101234', to: OUR_NUMBER, body: 'Hi, did my tent ship?' });
    expect(first.status).toBe(200);
    expect(first.text).toContain('<Response/>');
    const again = await fake.sms(smsUrl, {
      from: '+15550101234',
      to: OUR_NUMBER,
      body: 'Hi, did my tent ship?',
      sid: first.sid,
    });
    expect(again.status).toBe(200);
    const conversation = await conversationOf('+15550101234');
    const view = await detail(conversation.id);
    expect(view.conversation).toMatchObject({ channel: 'sms', inboxId });
    expect(view.messages.map((m: { body: string; direction: string }) => [m.direction, m.body])).toEqual([
      ['inbound', 'Hi, did my tent ship?'],
    ]);
    expect(view.contact.identities).toEqual([{ kind: 'phone', address: '+15550101234' }]);
  });

  it('sends replies through the REST API and follows status callbacks, never backwards', async () => {
    const conversation = await conversationOf('+15550101234');
    const res = await agent.post(`/api/conversations/${conversation.id}/messages`, { text: 'Yes, it ships tomorrow.' });
    expect(res.status).toBe(201);
    expect(res.body.message).toMatchObject({ deliveryState: 'sent', deliveryError: null });
    const sent = fake.messages.at(-1)!;
    expect(sent).toMatchObject({
      to: '+15550101234',
      from: OUR_NUMBER,
      body: 'Yes, it ships tomorrow.',
      statusCallback: `${server.url}/api/twilio/${inboxId}/status`,
    });
    const [row] = await server.root.db.select().from(messages).where(eq(messages.id, res.body.message.id));
    expect(row!.externalId).toBe(sent.sid);

    expect((await fake.status(sent.sid, 'delivered')).status).toBe(204);
    expect((await fake.status(sent.sid, 'sent')).status).toBe(204); // late and out of order
    const after = (await detail(conversation.id)).messages.find((m: { id: string }) => m.id === res.body.message.id);
    expect(after.deliveryState).toBe('delivered');

    const second = await agent.post(`/api/conversations/${conversation.id}/messages`, { text: 'Anything else?' });
    await fake.status(fake.messages.at(-1)!.sid, 'undelivered', '30003');
    const failed = (await detail(conversation.id)).messages.find(
      (m: { id: string }) => m.id === second.body.message.id,
    );
    expect(failed).toMatchObject({
      deliveryState: 'failed',
      deliveryError: 'Twilio reported undelivered (error 30003)',
    });
  });

  it('applies a status callback that overtook the commit of its send', async () => {
    const conversation = await conversationOf('+15550101234');
    const early = sid('SM');
    fake.nextMessageSid = early;
    const statusUrl = `${server.url}/api/twilio/${inboxId}/status`;
    const callback = await fake.webhook(statusUrl, {
      AccountSid: fake.accountSid,
      MessageSid: early,
      MessageStatus: 'delivered',
      To: '+15550101234',
      From: OUR_NUMBER,
    });
    expect(callback.status).toBe(204);
    const res = await agent.post(`/api/conversations/${conversation.id}/messages`, {
      text: 'Tracking number follows.',
    });
    expect(fake.messages.at(-1)!.sid).toBe(early);
    let state = res.body.message.deliveryState;
    for (let i = 0; i < 50 && state !== 'delivered'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = (await detail(conversation.id)).messages.find(
        (m: { id: string }) => m.id === res.body.message.id,
      ).deliveryState;
    }
    expect(state).toBe('delivered');
  });

  it('refuses a reply longer than 1,600 characters visibly, without calling Twilio', async () => {
    const conversation = await conversationOf('+15550101234');
    const before = fake.messages.length;
    const res = await agent.post(`/api/conversations/${conversation.id}/messages`, { text: 'x'.repeat(1601) });
    expect(res.status).toBe(201);
    expect(res.body.message).toMatchObject({
      deliveryState: 'failed',
      deliveryError: expect.stringContaining('limited to 1600 characters, this one has 1601'),
    });
    expect(fake.messages.length).toBe(before);
    const ok = await agent.post(`/api/conversations/${conversation.id}/messages`, { text: 'y'.repeat(1600) });
    expect(ok.body.message.deliveryState).toBe('sent');
    expect(fake.messages.at(-1)!.body).toHaveLength(1600);
  });

  it('honours STOP, HELP and START: nothing is ever sent to an opted-out number', async () => {
    const phone = '+15550102222';
    await fake.sms(smsUrl, { from: phone, to: OUR_NUMBER, body: 'Where is my order?' });
    const conversation = await conversationOf(phone);
    const stop = await fake.sms(smsUrl, { from: phone, to: OUR_NUMBER, body: ' stop ' });
    expect(stop.status).toBe(200);
    expect(stop.text).toContain('<Response/>');
    expect(
      await server.root.db.select({ phone: smsOptOuts.phone, keyword: smsOptOuts.keyword }).from(smsOptOuts),
    ).toEqual([{ phone, keyword: 'STOP' }]);

    const before = fake.messages.length;
    const refused = await agent.post(`/api/conversations/${conversation.id}/messages`, {
      text: 'Your order is on its way.',
    });
    expect(refused.body.message).toMatchObject({
      deliveryState: 'failed',
      deliveryError: expect.stringContaining('opted_out'),
    });
    expect(fake.messages.length).toBe(before);
    // Nothing is retried later either: the message is failed, not pending.
    const [row] = await server.root.db.select().from(messages).where(eq(messages.id, refused.body.message.id));
    expect(row).toMatchObject({ deliveryState: 'failed', nextAttemptAt: null });

    const help = await fake.sms(smsUrl, { from: phone, to: OUR_NUMBER, body: 'HELP' });
    expect(help.text).toContain('<Message>Outdoor Shop support. Reply STOP to opt out.</Message>');
    expect(fake.messages.length).toBe(before);

    await fake.sms(smsUrl, { from: phone, to: OUR_NUMBER, body: 'START' });
    expect(await server.root.db.select().from(smsOptOuts)).toEqual([]);
    const allowed = await agent.post(`/api/conversations/${conversation.id}/messages`, { text: 'Welcome back.' });
    expect(allowed.body.message.deliveryState).toBe('sent');
    expect(fake.messages.at(-1)).toMatchObject({ to: phone, body: 'Welcome back.' });
    const actions = (await server.root.db.select({ action: auditLog.action }).from(auditLog)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['sms.opted_out', 'sms.opted_in']));
    // The keywords themselves are in the conversation, for the agents to see.
    const timeline = (await detail(conversation.id)).messages.map((m: { kind: string; body: string }) => [
      m.kind,
      m.body,
    ]);
    expect(timeline).toEqual(
      expect.arrayContaining([
        ['message', ' stop '],
        ['message', 'HELP'],
        ['message', 'START'],
      ]),
    );
    // Agents see why replies were refused, and when they are allowed again.
    expect(timeline).toEqual(
      expect.arrayContaining([
        ['event', 'The customer texted STOP: nothing will be sent to this number until they text START'],
        ['event', 'The customer texted START: replies by SMS are allowed again'],
      ]),
    );
  });

  it('fails at once when Twilio itself says the number unsubscribed (21610), retries on a Twilio outage', async () => {
    const phone = '+15550103333';
    await fake.sms(smsUrl, { from: phone, to: OUR_NUMBER, body: 'Hello?' });
    const conversation = await conversationOf(phone);
    fake.unsubscribed.add(phone);
    const refused = await agent.post(`/api/conversations/${conversation.id}/messages`, { text: 'Hi!' });
    expect(refused.body.message).toMatchObject({
      deliveryState: 'failed',
      deliveryError: expect.stringContaining('21610'),
    });
    fake.unsubscribed.delete(phone);
    fake.failNext = 1;
    const outage = await agent.post(`/api/conversations/${conversation.id}/messages`, { text: 'Hi again!' });
    expect(outage.body.message).toMatchObject({
      deliveryState: 'pending',
      deliveryError: 'Twilio error 20500 (HTTP 500)',
    });
    const [row] = await server.root.db.select().from(messages).where(eq(messages.id, outage.body.message.id));
    expect(row!.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it('never logs phone numbers or message text', () => {
    const logs = server.logs();
    for (const secret of ['+15550101234', '+15550102222', 'did my tent ship', 'Yes, it ships tomorrow', OUR_NUMBER])
      expect(logs).not.toContain(secret);
  });
});
