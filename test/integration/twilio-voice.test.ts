import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvidence } from '../../server/privacy/consent-evidence.ts';
import { createHash } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { sid, startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.ts';
import { openedMessages } from '../helpers/opened-messages.ts';
import { auditLog, consentEvents, inboxes, messages, recordings } from '../../drizzle/schema/index.ts';

const OUR_NUMBER = '+15550100000';
const DAY = 86_400_000;

describe(`Twilio voice and call recordings on ${dbMode}`, () => {
  let fake: FakeTwilio;
  let server: TestServer;
  let agent: AgentClient;
  let admin: AgentClient;
  let inboxId: string;
  let voiceUrl: string;
  let firstCallSid: string;

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
      .values({ name: 'Outdoor Shop', channel: 'voice', settings: { phoneNumber: OUR_NUMBER } })
      .returning();
    inboxId = inbox!.id;
    voiceUrl = `${server.url}/api/twilio/${inboxId}/voice`;
    agent = await server.agentClient('agent');
    admin = await server.agentClient('admin');
  });
  afterAll(async () => {
    await server?.stop();
    await fake?.close();
  });

  const recordingOf = async (providerSid: string) =>
    (await server.root.db.select().from(recordings).where(eq(recordings.providerSid, providerSid)))[0];
  const audits = async (action: string) =>
    (await server.root.db.select({ n: count() }).from(auditLog).where(eq(auditLog.action, action)))[0]!.n;

  it('refuses an unsigned or forged call webhook and stores nothing', async () => {
    const params = {
      AccountSid: fake.accountSid,
      CallSid: sid('CA'),
      From: '+15550109999',
      To: OUR_NUMBER,
      CallStatus: 'ringing',
    };
    expect((await fake.webhook(voiceUrl, params, { unsigned: true })).status).toBe(403);
    expect((await fake.webhook(voiceUrl, params, { signWith: 'forged-token-forged-token' })).status).toBe(403);
    const recordingParams = {
      AccountSid: fake.accountSid,
      CallSid: params.CallSid,
      RecordingSid: sid('RE'),
      RecordingStatus: 'completed',
      RecordingDuration: '3',
    };
    expect((await fake.webhook(`${voiceUrl}/recording`, recordingParams, { unsigned: true })).status).toBe(403);
    // The SMS webhook of a voice inbox is not an SMS webhook.
    expect(
      (await fake.sms(`${server.url}/api/twilio/${inboxId}/sms`, { from: '+15550109999', to: OUR_NUMBER, body: 'hi' }))
        .status,
    ).toBe(403);
    expect((await server.root.db.select({ n: count() }).from(messages))[0]!.n).toBe(0);
    expect(await server.root.db.select().from(recordings)).toEqual([]);
  });

  it(
    'announces the recording, records consent with the call as evidence, ' +
      'stores the voicemail with its deletion date',
    async () => {
      // Like every consent writer, the call's consent is announced after commit (dashboards re-query).
      const published: string[] = [];
      const unsubscribe = server.root.events.subscribe('consent.changed', ({ purpose }) => published.push(purpose));
      const call = await fake.call(voiceUrl, { from: '+15550101234', to: OUR_NUMBER, seconds: 4 });
      unsubscribe();
      expect(published).toEqual(['call_recording']);
      firstCallSid = call.callSid;
      expect(call.twiml).toMatch(/^<\?xml/);
      const announcement = call.say[0]!;
      expect(announcement).toContain('This call is recorded so that our support team can listen to your message');
      expect(announcement).toContain('deleted after 30 days');
      expect(call.record).toMatchObject({
        recordingStatusCallback: `${voiceUrl}/recording`,
        action: `${voiceUrl}/recorded`,
        maxLength: '120',
        playBeep: 'true',
      });
      expect(call.action).toMatchObject({ status: 200 });
      expect(call.action!.text).toContain('<Hangup/>');
      expect(call.recordingCallback).toMatchObject({ status: 204 });

      // Opened: the text is stored sealed (issue 22).
      const [message] = await openedMessages(
        server.root.db,
        server.root.dataKeys,
        and(eq(messages.channel, 'voice'), eq(messages.externalId, call.callSid)),
      );
      expect(message).toMatchObject({ direction: 'inbound', body: 'Incoming call' });
      const recording = await recordingOf(call.recordingSid!);
      expect(recording).toMatchObject({
        provider: 'twilio',
        durationSeconds: 4,
        messageId: message!.id,
        conversationId: message!.conversationId,
        deletedAt: null,
      });
      expect(recording!.deleteAfter.getTime() - recording!.recordedAt.getTime()).toBe(30 * DAY);
      expect(recording!.blobId).toMatch(/^[0-9a-f]{32}$/);

      const [consent] = await server.root.db
        .select()
        .from(consentEvents)
        .where(eq(consentEvents.purpose, 'call_recording'));
      expect(consent).toMatchObject({
        granted: true,
        sourceChannel: 'voice',
        policyVersion: 'call-recording-1',
      });
      expect((await openEvidence(server.root.dataKeys, [consent!]))[0]).toMatchObject({ callSid: call.callSid });
      expect(consent!.textHash).toBe(createHash('sha256').update(announcement).digest('hex'));

      // Twilio retries the callback: still one recording, one consent event.
      const replay = await fake.webhook(`${voiceUrl}/recording`, {
        AccountSid: fake.accountSid,
        CallSid: call.callSid,
        RecordingSid: call.recordingSid!,
        RecordingStatus: 'completed',
        RecordingDuration: '4',
      });
      expect(replay.status).toBe(204);
      expect(await server.root.db.select().from(recordings)).toHaveLength(1);
    },
  );

  it('plays the recording to signed-in agents only, from the blob store, and audits who listened', async () => {
    const [recording] = await server.root.db.select().from(recordings);
    const list = await agent.get(`/api/recordings?conversationId=${recording!.conversationId}`);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        id: recording!.id,
        durationSeconds: 4,
        media: 'local',
        mediaUrl: `/api/recordings/${recording!.id}/media`,
        deleteAfter: recording!.deleteAfter.toISOString(),
        deletedAt: null,
      }),
    ]);
    expect((await fetch(`${server.url}/api/recordings/${recording!.id}/media`)).status).toBe(401);
    const res = await fetch(`${server.url}/api/recordings/${recording!.id}/media`, {
      headers: { cookie: agent.cookie },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    const audio = Buffer.from(await res.arrayBuffer());
    expect(audio.equals(fake.recordings.get(recording!.providerSid)!)).toBe(true);
    expect(await audits('recording.played')).toBe(1);
  });

  it('lets an agent delete a recording at once: at Twilio, the local copy, one audit entry', async () => {
    const [recording] = await server.root.db.select().from(recordings);
    fake.failNext = 1;
    const failed = await agent.send('DELETE', `/api/recordings/${recording!.id}`);
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({
      code: 'provider_unavailable',
      message: expect.stringContaining('Twilio error 20500 (HTTP 500)'),
    });
    expect(await recordingOf(recording!.providerSid)).toMatchObject({
      deletedAt: null,
      deletionAttempts: 1,
      lastDeletionError: 'Twilio error 20500 (HTTP 500)',
    });

    const res = await agent.send('DELETE', `/api/recordings/${recording!.id}`);
    expect(res.status).toBe(200);
    expect(res.body.recording).toMatchObject({ deletedAt: expect.any(String), media: null, mediaUrl: null });
    expect(fake.deletions).toEqual([recording!.providerSid]);
    expect(fake.recordings.has(recording!.providerSid)).toBe(false);
    expect(await server.root.blobs.size(recording!.blobId!)).toBeNull();
    expect(await audits('recording.deleted')).toBe(1);
    expect(
      (await fetch(`${server.url}/api/recordings/${recording!.id}/media`, { headers: { cookie: agent.cookie } }))
        .status,
    ).toBe(404);
  });

  it(
    'the retention sweep deletes expired recordings at Twilio; ' + 'one Twilio no longer has (404) counts as deleted',
    async () => {
      const a = await fake.call(voiceUrl, {
        from: '+15550105555',
        to: OUR_NUMBER,
        seconds: 2,
        startTime: new Date(Date.now() - 31 * DAY),
      });
      const b = await fake.call(voiceUrl, {
        from: '+15550106666',
        to: OUR_NUMBER,
        seconds: 2,
        startTime: new Date(Date.now() - 31 * DAY),
      });
      const fresh = await fake.call(voiceUrl, { from: '+15550107777', to: OUR_NUMBER, seconds: 2 });
      expect((await recordingOf(a.recordingSid!))!.deleteAfter.getTime()).toBeLessThan(Date.now());
      fake.recordings.delete(b.recordingSid!); // already gone at Twilio (deleted in the console)
      const before = await audits('recording.deleted');
      const sweep = await admin.post('/api/privacy/retention/sweep');
      expect(sweep.body).toMatchObject({ skipped: false, removed: { recordings: 2 }, failed: { recordings: 0 } });
      expect(fake.deletions).toContain(a.recordingSid);
      expect(fake.deleteRequests).toContain(b.recordingSid);
      for (const gone of [a, b])
        expect(await recordingOf(gone.recordingSid!)).toMatchObject({ deletedAt: expect.any(Date), blobId: null });
      expect(await recordingOf(fresh.recordingSid!)).toMatchObject({ deletedAt: null });
      expect(fake.recordings.has(fresh.recordingSid!)).toBe(true);
      expect((await audits('recording.deleted')) - before).toBe(2);
    },
  );

  it('shows admins the recordings whose deletion keeps failing, until it succeeds', async () => {
    const call = await fake.call(voiceUrl, {
      from: '+15550109191',
      to: OUR_NUMBER,
      seconds: 2,
      startTime: new Date(Date.now() - 31 * DAY),
    });
    const recording = await recordingOf(call.recordingSid!);
    const failures = async () =>
      (await admin.get('/api/recordings/deletion-failures')).body.items.map((r: { id: string }) => r.id);
    fake.failNext = 1;
    expect((await admin.post('/api/privacy/retention/sweep')).body.failed.recordings).toBe(1);
    expect(await failures()).toEqual([]); // one failure: not yet an admin's concern
    await server.root.db
      .update(recordings)
      .set({ nextDeletionAttemptAt: new Date(Date.now() - 1000) })
      .where(eq(recordings.id, recording!.id));
    fake.failNext = 1;
    expect((await admin.post('/api/privacy/retention/sweep')).body.failed.recordings).toBe(1);
    const listed = (await admin.get('/api/recordings/deletion-failures')).body.items;
    expect(listed).toEqual([
      expect.objectContaining({
        id: recording!.id,
        deletionAttempts: 2,
        lastDeletionError: 'Twilio error 20500 (HTTP 500)',
        deletedAt: null,
      }),
    ]);
    expect((await agent.get('/api/recordings/deletion-failures')).status).toBe(403);
    await server.root.db
      .update(recordings)
      .set({ nextDeletionAttemptAt: new Date(Date.now() - 1000) })
      .where(eq(recordings.id, recording!.id));
    expect((await admin.post('/api/privacy/retention/sweep')).body.removed.recordings).toBe(1);
    expect(await failures()).toEqual([]);
    expect(fake.deletions).toContain(call.recordingSid);
  });

  it('admins connect a Twilio number and get the webhook URLs; the auth token is never returned', async () => {
    const created = await admin.post('/api/twilio/inboxes', {
      name: 'Second line',
      channel: 'voice',
      phoneNumber: '+15550100999',
      authToken: 'a-second-accounts-token-123456',
    });
    expect(created.status).toBe(201);
    const id = created.body.inbox.id;
    expect(created.body.inbox).toEqual({
      id,
      name: 'Second line',
      channel: 'voice',
      phoneNumber: '+15550100999',
      accountSid: fake.accountSid,
      authToken: 'inbox',
      ready: true,
      // Picture messages are off unless the admin says the number supports MMS (SMS inboxes; see "Files").
      mms: false,
      // No language of its own: the announcement is English, HELP gets Twilio's own answer.
      language: null,
      voice: null,
      webhooks: {
        incomingCall: `${server.url}/api/twilio/${id}/voice`,
        recordingStatusCallback: `${server.url}/api/twilio/${id}/voice/recording`,
        afterRecording: `${server.url}/api/twilio/${id}/voice/recorded`,
        smsReplyStatusCallback: `${server.url}/api/twilio/${id}/status`,
      },
    });
    const list = await admin.get('/api/twilio/inboxes');
    expect(JSON.stringify(list.body)).not.toContain('a-second-accounts-token-123456');
    expect(JSON.stringify((await admin.get('/api/inboxes')).body)).not.toContain('a-second-accounts-token-123456');
    expect(JSON.stringify(await server.root.db.select().from(auditLog))).not.toContain(
      'a-second-accounts-token-123456',
    );
    // Webhooks of that inbox are now checked with its own token.
    const params = { AccountSid: fake.accountSid, CallSid: sid('CA'), From: '+15550109999', To: '+15550100999' };
    expect((await fake.webhook(`${server.url}/api/twilio/${id}/voice`, params)).status).toBe(403);
    expect(
      (
        await fake.webhook(`${server.url}/api/twilio/${id}/voice`, params, {
          signWith: 'a-second-accounts-token-123456',
        })
      ).status,
    ).toBe(200);
    const patched = await admin.send('PATCH', `/api/twilio/inboxes/${id}`, { authToken: null });
    expect(patched.body.inbox).toMatchObject({ authToken: 'env', ready: true });
    expect((await fake.webhook(`${server.url}/api/twilio/${id}/voice`, { ...params, CallSid: sid('CA') })).status).toBe(
      200,
    );

    // A Finnish number: the caller hears the announcement in Finnish, in a Finnish voice, and the ledger records
    // the Finnish text's hash with its language.
    const finnish = await admin.send('PATCH', `/api/twilio/inboxes/${id}`, { language: 'fi' });
    expect(finnish.body.inbox).toMatchObject({ language: 'fi', voice: null });
    const callSid = sid('CA');
    const call = await fake.webhook(`${server.url}/api/twilio/${id}/voice`, { ...params, CallSid: callSid });
    expect(call.status).toBe(200);
    const twiml = call.text;
    expect(twiml).toContain('<Say language="fi-FI" voice="Polly.Suvi">Kiitos, että soitit: Second line.');
    const said = /<Say[^>]*>([^<]*)<\/Say>/.exec(twiml)![1]!.replaceAll('&apos;', "'").replaceAll('&quot;', '"');
    // The evidence is stored encrypted: the call's event is found by opening it.
    const events = await server.root.db.select().from(consentEvents);
    const opened = await openEvidence(server.root.dataKeys, events);
    const consent = events.find((_, i) => opened[i]!.callSid === callSid);
    expect(consent).toMatchObject({ purpose: 'call_recording', language: 'fi' });
    expect(consent!.textHash).toBe(createHash('sha256').update(said).digest('hex'));
    expect(
      (await admin.post('/api/twilio/inboxes', { name: 'Bad', channel: 'sms', phoneNumber: '555-0100' })).status,
    ).toBe(400);
    expect((await agent.get('/api/twilio/inboxes')).status).toBe(403);
  });

  it('keeps the deadline even when the audio cannot be copied: the recording then plays from Twilio', async () => {
    // The media GET is the first REST call of the recording callback.
    const failing = await fake.call(voiceUrl, {
      from: '+15550109393',
      to: OUR_NUMBER,
      seconds: 2,
      beforeRecordingCallback: () => (fake.failNext = 1),
    });
    expect(failing.recordingCallback!.status).toBe(204);
    const recording = await recordingOf(failing.recordingSid!);
    expect(recording).toMatchObject({ blobId: null, deletedAt: null });
    expect(recording!.deleteAfter.getTime() - recording!.recordedAt.getTime()).toBe(30 * DAY);
    const list = await agent.get(`/api/recordings?conversationId=${recording!.conversationId}`);
    expect(list.body.items.find((r: { id: string }) => r.id === recording!.id)).toMatchObject({ media: 'provider' });
  });

  it('erasing a contact deletes their recordings at Twilio too', async () => {
    const call = await fake.call(voiceUrl, { from: '+15550108888', to: OUR_NUMBER, seconds: 3 });
    const recording = await recordingOf(call.recordingSid!);
    const list = await agent.get(`/api/conversations/${recording!.conversationId}`);
    const erase = await admin.post(`/api/contacts/${list.body.contact.id}/erase`, { confirm: true });
    expect(erase.status).toBe(200);
    expect(erase.body.receipt).toMatchObject({ providerRecordings: 1 });
    expect(fake.deletions).toContain(call.recordingSid);
    expect(fake.recordings.has(call.recordingSid!)).toBe(false);
    expect(await recordingOf(call.recordingSid!)).toBeUndefined();
    expect(await server.root.blobs.size(recording!.blobId!)).toBeNull();
  });

  it('a reply to a caller goes out as an SMS from the same number', async () => {
    const [call] = await server.root.db.select().from(messages).where(eq(messages.externalId, firstCallSid));
    const res = await agent.post(`/api/conversations/${call!.conversationId}/messages`, {
      text: 'We will call you back at 3 pm.',
    });
    expect(res.body.message).toMatchObject({ deliveryState: 'sent' });
    expect(fake.messages.at(-1)).toMatchObject({
      to: '+15550101234',
      from: OUR_NUMBER,
      body: 'We will call you back at 3 pm.',
    });
  });

  it('never logs phone numbers', () => {
    for (const secret of ['+15550101234', '+15550108888', OUR_NUMBER]) expect(server.logs()).not.toContain(secret);
  });
});

describe(`Twilio recordings kept at Twilio only (TWILIO_RECORDING_STORAGE=twilio) on ${dbMode}`, () => {
  let fake: FakeTwilio;
  let server: TestServer;

  beforeAll(async () => {
    fake = await startFakeTwilio();
    server = await startTestServer({
      TWILIO_ACCOUNT_SID: fake.accountSid,
      TWILIO_AUTH_TOKEN: fake.authToken,
      TWILIO_API_URL: fake.url,
      OUTBOUND_ALLOW_HOSTS: new URL(fake.url).host,
      TWILIO_RECORDING_STORAGE: 'twilio',
    });
  });
  afterAll(async () => {
    await server?.stop();
    await fake?.close();
  });

  it('stores no copy and streams the audio from Twilio to the agent', async () => {
    const [inbox] = await server.root.db
      .insert(inboxes)
      .values({ name: 'Phone', channel: 'voice', settings: { phoneNumber: OUR_NUMBER } })
      .returning();
    const call = await fake.call(`${server.url}/api/twilio/${inbox!.id}/voice`, {
      from: '+15550101234',
      to: OUR_NUMBER,
      seconds: 2,
    });
    const [recording] = await server.root.db
      .select()
      .from(recordings)
      .where(eq(recordings.providerSid, call.recordingSid!));
    expect(recording).toMatchObject({ blobId: null, durationSeconds: 2 });
    expect(await server.root.blobs.list()).toEqual([]);
    const agent = await server.agentClient('agent');
    const list = await agent.get(`/api/recordings?conversationId=${recording!.conversationId}`);
    expect(list.body.items[0]).toMatchObject({ media: 'provider', mediaUrl: `/api/recordings/${recording!.id}/media` });
    const res = await fetch(`${server.url}${list.body.items[0].mediaUrl}`, { headers: { cookie: agent.cookie } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(fake.recordings.get(call.recordingSid!)!)).toBe(true);
  });
});
