import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.ts';
import { attachments, conversations, inboxes, messages, recordings } from '../../drizzle/schema/index.ts';
import { deleteRecording } from '../../server/privacy/retention.ts';
import { openedMessages } from '../helpers/opened-messages.ts';

const OUR_NUMBER = '+15550100000';
const DAY = 86_400_000;

/**
 * A legal hold binds everyone: with a hold on a contact or on one of its conversations, no agent, admin or
 * schedule destroys what it covers (a recording, here and at Twilio; a message's text; an attachment; the
 * contact). Each answers 409 `legal_hold` naming the hold's reason, and nothing changes; after the hold is
 * released the same requests work. A real server, a real database, and a local Twilio that counts DELETEs.
 */
describe(`legal holds bind every destructive operation on ${dbMode}`, () => {
  let fake: FakeTwilio;
  let server: TestServer;
  let agent: AgentClient;
  let admin: AgentClient;
  let voiceInbox: string;
  let smsInbox: string;
  let callers = 0;

  beforeAll(async () => {
    fake = await startFakeTwilio();
    server = await startTestServer({
      TWILIO_ACCOUNT_SID: fake.accountSid,
      TWILIO_AUTH_TOKEN: fake.authToken,
      TWILIO_API_URL: fake.url,
      OUTBOUND_ALLOW_HOSTS: new URL(fake.url).host,
    });
    const rows = await server.root.db
      .insert(inboxes)
      .values([
        { name: 'Phone', channel: 'voice', settings: { phoneNumber: OUR_NUMBER } },
        { name: 'SMS', channel: 'sms', settings: { phoneNumber: OUR_NUMBER } },
      ])
      .returning();
    [voiceInbox, smsInbox] = rows.map((r) => r.id) as [string, string];
    agent = await server.agentClient('agent');
    admin = await server.agentClient('admin');
    // Attachments go after a day once their policy is on (recordings have their own deadline per row): a
    // confirmed tightening, put in force at once instead of after the grace period.
    expect(
      (await admin.send('PUT', '/api/privacy/retention/attachments', { enabled: true, retainDays: 1, confirm: true }))
        .status,
    ).toBe(200);
    expect((await admin.post('/api/privacy/retention/attachments/apply-now', { confirm: true })).status).toBe(200);
  });
  afterAll(async () => {
    await server?.stop();
    await fake?.close();
  });

  /**
   * A customer who called (a voicemail recorded, kept locally and at Twilio, with a file attached to the call)
   * and who also texted: two conversations of one contact.
   */
  async function customer() {
    callers += 1;
    const phone = `+1555020${String(callers).padStart(4, '0')}`;
    const call = await fake.call(`${server.url}/api/twilio/${voiceInbox}/voice`, { from: phone, to: OUR_NUMBER });
    expect(call.recordingCallback?.status).toBe(204);
    const sms = await fake.sms(`${server.url}/api/twilio/${smsInbox}/sms`, {
      from: phone,
      to: OUR_NUMBER,
      body: 'My IBAN is DE02 1203 0000 0000 2020 51',
    });
    expect(sms.status).toBe(200);
    const { db, blobs } = server.root;
    const [recording] = await db.select().from(recordings).where(eq(recordings.providerSid, call.recordingSid!));
    // Opened: the text is stored sealed (issue 22), and the checks below compare the words.
    const [callMessage] = await openedMessages(db, server.root.dataKeys, eq(messages.externalId, call.callSid));
    const [text] = await openedMessages(
      db,
      server.root.dataKeys,
      and(eq(messages.channel, 'sms'), eq(messages.externalId, sms.sid)),
    );
    const [conversation] = await db.select().from(conversations).where(eq(conversations.id, recording!.conversationId));
    const file = await blobs.put(Buffer.from('a photo of the damaged parcel'), { messageId: callMessage!.id });
    const [attachment] = await db
      .insert(attachments)
      .values({
        messageId: callMessage!.id,
        blobId: file.id,
        filename: 'parcel.jpg',
        contentType: 'image/jpeg',
        size: file.size,
      })
      .returning();
    return {
      phone,
      contactId: conversation!.contactId,
      callConversationId: conversation!.id,
      recording: recording!,
      callMessage: callMessage!,
      text: text!,
      attachment: attachment!,
    };
  }
  type Customer = Awaited<ReturnType<typeof customer>>;

  /** Past every deadline: the recording's own, and the attachments' one-day policy. */
  async function expire(c: Customer) {
    const { db } = server.root;
    await db
      .update(recordings)
      .set({ deleteAfter: new Date(Date.now() - DAY) })
      .where(eq(recordings.id, c.recording.id));
    await db
      .update(attachments)
      .set({ createdAt: new Date(Date.now() - 3 * DAY) })
      .where(eq(attachments.id, c.attachment.id));
  }

  const recordingRow = async (c: Customer) =>
    (await server.root.db.select().from(recordings).where(eq(recordings.id, c.recording.id)))[0]!;
  const attachmentRows = async (c: Customer) =>
    server.root.db.select().from(attachments).where(eq(attachments.id, c.attachment.id));
  /** A message's text as stored, opened (stored sealed, issue 22). */
  const bodyOf = async (id: string) =>
    (await openedMessages(server.root.db, server.root.dataKeys, eq(messages.id, id)))[0]?.body;

  /** The operations' codes in the error's params, by which the inbox words them in the agent's language. */
  const actionCodes: Record<string, string> = {
    Erasure: 'erasure',
    Redaction: 'redaction',
    'Deleting a recording': 'delete_recording',
    'Deleting a conversation': 'delete_conversation',
    'Merging these contacts': 'merge',
  };
  /** What every refused operation answers. */
  const refused = (action: string, reason: string) => ({
    status: 409,
    body: {
      code: 'legal_hold',
      message: `${action} is blocked by a legal hold: ${reason}`,
      params: { action: actionCodes[action], reasons: [reason] },
      requestId: expect.any(String),
    },
  });

  /** Nothing of the customer's changed: the recording here and at Twilio, the texts, the file. */
  async function expectUntouched(c: Customer) {
    expect(await recordingRow(c)).toMatchObject({ deletedAt: null, blobId: c.recording.blobId });
    expect(await server.root.blobs.size(c.recording.blobId!)).toBeGreaterThan(0);
    expect(fake.recordings.has(c.recording.providerSid)).toBe(true);
    expect(fake.deleteRequests).not.toContain(c.recording.providerSid);
    expect(await bodyOf(c.callMessage.id)).toBe(c.callMessage.body);
    expect(await attachmentRows(c)).toHaveLength(1);
    expect(await server.root.blobs.size(c.attachment.blobId)).toBeGreaterThan(0);
  }

  for (const on of ['contact', 'conversation'] as const) {
    it(`under a hold on the ${on}: each destructive operation answers 409 legal_hold; released, all work`, async () => {
      const c = await customer();
      const reason = `Dispute D-${on}-${callers}: preserve everything`;
      const hold = await admin.post(
        '/api/privacy/legal-holds',
        on === 'contact' ? { contactId: c.contactId, reason } : { conversationId: c.callConversationId, reason },
      );
      expect(hold.status).toBe(201);
      await expire(c);

      // An agent deletes the recording at once: refused before Twilio is asked.
      expect(await agent.send('DELETE', `/api/recordings/${c.recording.id}`)).toEqual(
        refused('Deleting a recording', reason),
      );
      // Neither can an admin.
      expect((await admin.send('DELETE', `/api/recordings/${c.recording.id}`)).status).toBe(409);
      // Redaction of a message in the held conversation.
      expect(await agent.post(`/api/messages/${c.callMessage.id}/redact`, { start: 0, end: 8 })).toEqual(
        refused('Redaction', reason),
      );
      // The scheduled deletion (the sweep's own call) is refused too, not only the routes.
      await expect(
        deleteRecording(server.root, c.recording.id, { kind: 'system', id: null }, 'retention'),
      ).rejects.toMatchObject({ statusCode: 409, code: 'legal_hold', message: expect.stringContaining(reason) });
      // The retention sweep keeps the expired recording and the old attachment, and says they are held.
      const preview = await admin.get('/api/privacy/retention/preview');
      const held = Object.fromEntries(
        (preview.body.classes as Array<{ dataClass: string; held: number }>).map((k) => [k.dataClass, k.held]),
      );
      expect(held).toMatchObject({ recordings: 1, attachments: 1 });
      const sweep = await admin.post('/api/privacy/retention/sweep');
      expect(sweep.body).toMatchObject({ skipped: false, failed: { recordings: 0, attachments: 0 } });
      // Erasure: the same answer shape.
      expect(await admin.post(`/api/contacts/${c.contactId}/erase`, { confirm: true })).toEqual(
        refused('Erasure', reason),
      );
      await expectUntouched(c);
      expect(await bodyOf(c.text.id)).toBe(c.text.body);

      // A hold on one conversation binds that conversation only: the customer's texts can still be redacted.
      const sms = await agent.post(`/api/messages/${c.text.id}/redact`, { start: 11, end: 38 });
      if (on === 'contact') expect(sms).toEqual(refused('Redaction', reason));
      else expect(sms).toMatchObject({ status: 200, body: { message: { body: 'My IBAN is [redacted]' } } });

      // Released: each operation works again.
      expect((await admin.post(`/api/privacy/legal-holds/${hold.body.hold.id}/release`)).status).toBe(200);
      const redacted = await agent.post(`/api/messages/${c.callMessage.id}/redact`, { start: 0, end: 8 });
      expect(redacted).toMatchObject({ status: 200, body: { message: { body: '[redacted] call' } } });
      const deleted = await agent.send('DELETE', `/api/recordings/${c.recording.id}`);
      expect(deleted).toMatchObject({ status: 200, body: { recording: { deletedAt: expect.any(String) } } });
      expect(fake.deleteRequests).toContain(c.recording.providerSid);
      expect(fake.recordings.has(c.recording.providerSid)).toBe(false);
      expect(await server.root.blobs.size(c.recording.blobId!)).toBeNull();
      const swept = await admin.post('/api/privacy/retention/sweep');
      expect(swept.body).toMatchObject({ skipped: false });
      expect(await attachmentRows(c)).toEqual([]);
      expect(await server.root.blobs.size(c.attachment.blobId)).toBeNull();
      const erased = await admin.post(`/api/contacts/${c.contactId}/erase`, { confirm: true });
      expect(erased.status).toBe(200);
      expect((await agent.get(`/api/contacts/${c.contactId}`)).status).toBe(404);
    });
  }

  it("erasure leaves a customer's mentions in someone else's held conversation as they are, and says so", async () => {
    const erased = await customer();
    const witness = await customer();
    const mention = await fake.sms(`${server.url}/api/twilio/${smsInbox}/sms`, {
      from: witness.phone,
      to: OUR_NUMBER,
      body: `The parcel was signed for by ${erased.phone}`,
    });
    const [mentioning] = await server.root.db
      .select()
      .from(messages)
      .where(and(eq(messages.channel, 'sms'), eq(messages.externalId, mention.sid)));
    const hold = await admin.post('/api/privacy/legal-holds', { contactId: witness.contactId, reason: 'Case W-9' });
    expect(hold.status).toBe(201);
    const res = await admin.post(`/api/contacts/${erased.contactId}/erase`, { confirm: true });
    expect(res.status).toBe(200);
    expect(res.body.receipt).toMatchObject({ mentionsRedacted: 0, mentionsKeptUnderHold: 1 });
    expect(await bodyOf(mentioning!.id)).toBe(`The parcel was signed for by ${erased.phone}`);
    await expectUntouched(witness);
  });

  it('a hold on someone else binds nothing of this customer', async () => {
    const other = await customer();
    const c = await customer();
    const hold = await admin.post('/api/privacy/legal-holds', {
      contactId: other.contactId,
      reason: 'Case of another',
    });
    expect(hold.status).toBe(201);
    expect((await agent.send('DELETE', `/api/recordings/${c.recording.id}`)).status).toBe(200);
    expect((await agent.post(`/api/messages/${c.text.id}/redact`, { start: 0, end: 2 })).status).toBe(200);
    expect((await admin.post(`/api/contacts/${c.contactId}/erase`, { confirm: true })).status).toBe(200);
    await expectUntouched(other);
  });
});
