import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { dbMode } from '../helpers/db.ts';
import { base64, pdf, png } from '../helpers/files.ts';
import { FakeSlack, deliverEvent } from '../helpers/fake-slack.ts';
import { sid, startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { createEmailInbox, eventually, rawMail } from '../helpers/email.ts';
import { CUSTOMER, SUPPORT_CHANNEL, messageEvent } from '../fixtures/channels/slack.ts';
import { inboxes } from '../../drizzle/schema/index.ts';

const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const OUR_NUMBER = '+15550100000';
const MMS_NUMBER = '+15550100001';

/**
 * Issue 17 item 3: an agent's files go out on every channel that carries them, through the real clients against
 * real or local servers: email attachments over SMTP (nodemailer to smtp-server), Slack files.uploadV2 (the
 * WebClient against the fake Slack Web API), MMS MediaUrl on a Twilio number that has MMS, a signed link in the
 * text on one that has not.
 */
describe(`an agent's files on every channel, on ${dbMode}`, () => {
  let server: TestServer;
  let agent: AgentClient;
  let slack: FakeSlack;
  let twilio: FakeTwilio;
  let dovecot: Dovecot;
  let smtp: SmtpSink;
  const photo = png(64, 48, [30, 120, 200]);
  const label = pdf('Return label 4711');
  const files = [
    { name: 'photo.png', data: base64(photo) },
    { name: 'return-label.pdf', data: base64(label) },
  ];

  beforeAll(async () => {
    [slack, twilio, dovecot, smtp] = await Promise.all([
      FakeSlack.start(),
      startFakeTwilio(),
      startDovecot(),
      startSmtpSink(),
    ]);
    slack.addUser({ id: CUSTOMER, name: 'maria.virtanen', realName: 'Maria Virtanen' });
    server = await startTestServer({
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_CHANNELS: SUPPORT_CHANNEL,
      SLACK_API_URL: slack.apiUrl,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_URL: twilio.url,
      OUTBOUND_ALLOW_HOSTS: `${new URL(slack.apiUrl).host},${new URL(twilio.url).host}`,
    });
    agent = await server.agentClient('agent');
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all([slack?.close(), twilio?.close(), dovecot?.stop(), smtp?.stop()]);
  });

  const conversationOn = async (channel: string, inboxId?: string) =>
    eventually(
      async () => {
        const list = await agent.get(`/api/conversations?channel=${channel}${inboxId ? `&inbox=${inboxId}` : ''}`);
        return list.body.items[0] as { id: string } | undefined;
      },
      15_000,
      `a ${channel} conversation`,
    );

  it('email: the files are attachments of the reply, byte for byte', async () => {
    const admin = await server.agentClient('admin');
    await createEmailInbox(admin, dovecot, smtp);
    await dovecot.append(rawMail({ messageId: '<lamp-1@customer.example>', text: 'My lamp arrived broken.' }));
    const conversation = await conversationOn('email');
    const res = await agent.post(`/api/conversations/${conversation.id}/files`, {
      text: 'Sorry about that! A photo of the replacement and your return label are attached.',
      files,
    });
    expect(res.status).toBe(201);
    expect(res.body.message.deliveryState).toBe('sent');
    const [mail] = await smtp.waitFor(1);
    const parsed = await simpleParser(mail!.raw);
    expect(parsed.text).toContain('return label are attached');
    expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['photo.png', 'image/png'],
      ['return-label.pdf', 'application/pdf'],
    ]);
    expect(parsed.attachments[0]!.content.equals(photo)).toBe(true);
    expect(parsed.attachments[1]!.content.equals(label)).toBe(true);
  });

  it('Slack: the text goes into the thread, the files are uploaded into it with files.uploadV2', async () => {
    const root = messageEvent({ text: 'Our invoice PDF will not open' });
    expect((await deliverEvent(`${server.url}/api/slack/events`, SIGNING_SECRET, root)).status).toBe(200);
    const conversation = await conversationOn('slack');
    const res = await agent.post(`/api/conversations/${conversation.id}/files`, { text: 'Here it is again', files });
    expect(res.status).toBe(201);
    expect(res.body.message.deliveryState).toBe('sent');
    const [post] = slack.callsOf('chat.postMessage');
    expect(post!.params).toMatchObject({
      channel: SUPPORT_CHANNEL,
      text: 'Here it is again',
      thread_ts: root.event.ts,
    });
    // The real WebClient's three steps: an upload URL per file, the bytes, one completion sharing them into the thread.
    expect(slack.callsOf('files.getUploadURLExternal').map((c) => c.params.filename)).toEqual([
      'photo.png',
      'return-label.pdf',
    ]);
    const uploaded = [...slack.uploads.values()];
    expect(uploaded.map((u) => [u.filename, u.completed, u.channel, u.threadTs])).toEqual([
      ['photo.png', true, SUPPORT_CHANNEL, root.event.ts],
      ['return-label.pdf', true, SUPPORT_CHANNEL, root.event.ts],
    ]);
    expect(uploaded[0]!.content!.equals(photo)).toBe(true);
    expect(uploaded[1]!.content!.equals(label)).toBe(true);
  });

  const smsConversation = async (number: string, mms: boolean, from: string) => {
    const [inbox] = await server.root.db
      .insert(inboxes)
      .values({
        name: `SMS ${number}`,
        channel: 'sms',
        settings: { phoneNumber: number, ...(mms ? { mms: true } : {}) },
      })
      .returning();
    const res = await twilio.sms(`${server.url}/api/twilio/${inbox!.id}/sms`, {
      from,
      to: number,
      body: 'Can you send me the label?',
      sid: sid('SM'),
    });
    expect(res.status).toBe(200);
    return conversationOn('sms', inbox!.id);
  };

  it('SMS without MMS: every file as a signed link in the text, which serves the file', async () => {
    const conversation = await smsConversation(OUR_NUMBER, false, '+15550109001');
    const res = await agent.post(`/api/conversations/${conversation.id}/files`, { text: 'Here you go', files });
    expect(res.status).toBe(201);
    expect(res.body.message.deliveryState).toBe('sent');
    const sent = twilio.messages.at(-1)!;
    expect(sent.mediaUrl).toEqual([]);
    const lines = sent.body.split('\n');
    expect(lines[0]).toBe('Here you go');
    expect(lines[1]).toMatch(new RegExp(`^photo\\.png: ${server.root.config.publicUrl}/api/files/\\S+/photo\\.png$`));
    expect(lines[2]).toMatch(/^return-label\.pdf: http:\/\/\S+\/api\/files\/\S+\/return-label\.pdf$/);
    const got = await fetch(lines[2]!.split(': ')[1]!);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(label)).toBe(true);
  });

  it('SMS on a number with MMS: the picture as MediaUrl (Twilio fetches it), the PDF as a link', async () => {
    const conversation = await smsConversation(MMS_NUMBER, true, '+15550109002');
    const res = await agent.post(`/api/conversations/${conversation.id}/files`, { text: 'Here you go', files });
    expect(res.status).toBe(201);
    const sent = twilio.messages.at(-1)!;
    expect(sent.mediaUrl).toHaveLength(1);
    expect(sent.mediaUrl[0]).toMatch(/\/api\/files\/\S+\/photo\.png$/);
    expect(sent.body).toMatch(/^Here you go\nreturn-label\.pdf: http:\/\/\S+\/return-label\.pdf$/);
    const media = await fetch(sent.mediaUrl[0]!);
    expect(media.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await media.arrayBuffer()).equals(photo)).toBe(true);
  });

  it('admins see and change whether a Twilio number has MMS', async () => {
    const admin = await server.agentClient('admin');
    const list = await admin.get('/api/twilio/inboxes');
    const byNumber = Object.fromEntries(
      list.body.items.map((i: { phoneNumber: string; mms: boolean }) => [i.phoneNumber, i.mms]),
    );
    expect(byNumber).toEqual({ [OUR_NUMBER]: false, [MMS_NUMBER]: true });
    const plain = list.body.items.find((i: { phoneNumber: string }) => i.phoneNumber === OUR_NUMBER);
    const changed = await admin.send('PATCH', `/api/twilio/inboxes/${plain.id}`, { mms: true });
    expect(changed.status).toBe(200);
    expect(changed.body.inbox.mms).toBe(true);
  });
});
