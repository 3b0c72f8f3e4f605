import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer, type VisitorClient } from '../helpers/server.ts';
import { startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.ts';
import { readZip } from '../helpers/zip.ts';
import { rowsOf } from '../../server/db/client.ts';
import {
  attachments,
  auditLog,
  conversations,
  inboxes,
  messages,
  recordings,
  retentionPolicies,
} from '../../drizzle/schema/index.ts';
import { previewRetention, sweepRetention } from '../../server/privacy/retention.ts';

const OUR_NUMBER = '+15550100000';
const DAY = 86_400_000;
const WINDOW_DAYS = 10;

/**
 * The trash (issue 22 item 5), end to end on a real server and database, with the server's clock moved to reach
 * the purge date: a conversation an agent deletes vanishes from the list, search, analytics, the visitor's widget
 * and channel threading; an admin restores it; past TRASH_RETAIN_DAYS the retention sweep purges it, its
 * recording at the provider (a local Twilio) and its files too, until nothing of it is left in the database.
 * Erasure never goes through the trash, and the person's export shows what is in it with its purge date.
 */
describe(`the conversation trash on ${dbMode}`, () => {
  let now = new Date();
  let fake: FakeTwilio;
  let server: TestServer;
  let agent: AgentClient;
  let admin: AgentClient;
  let manager: AgentClient;
  let voiceInbox: string;
  let visitorCount = 0;

  beforeAll(async () => {
    fake = await startFakeTwilio();
    server = await startTestServer(
      {
        TRASH_RETAIN_DAYS: String(WINDOW_DAYS),
        ANALYTICS_MIN_COHORT: '1',
        TWILIO_ACCOUNT_SID: fake.accountSid,
        TWILIO_AUTH_TOKEN: fake.authToken,
        TWILIO_API_URL: fake.url,
        OUTBOUND_ALLOW_HOSTS: new URL(fake.url).host,
      },
      { clock: () => now },
    );
    const [voice] = await server.root.db
      .insert(inboxes)
      .values({ name: 'Phone', channel: 'voice', settings: { phoneNumber: OUR_NUMBER } })
      .returning();
    voiceInbox = voice!.id;
    agent = await server.agentClient('agent');
    admin = await server.agentClient('admin');
    manager = await server.agentClient('manager');
  });
  afterAll(async () => {
    await server?.stop();
    await fake?.close();
  });

  /** A visitor who agreed to analytics and wrote `text`: their conversation's id. */
  async function chatCustomer(text: string): Promise<{ visitor: VisitorClient; conversationId: string }> {
    const visitor = await server.visitor(true);
    visitorCount += 1;
    expect(
      (await visitor.post('/api/widget/messages', { clientId: `trash-${visitorCount}-abcdefgh`, text })).status,
    ).toBe(201);
    const history = await visitor.get('/api/widget/messages');
    return { visitor, conversationId: history.body.conversationId };
  }

  const listed = async (client: AgentClient) =>
    ((await client.get('/api/conversations?limit=100')).body.items as Array<{ id: string }>).map((c) => c.id);
  const found = async (word: string) =>
    ((await agent.get(`/api/search?q=${word}`)).body.items as Array<{ conversation: { id: string } }>).map(
      (r) => r.conversation.id,
    );
  const dashboardConversations = async () => {
    const res = await manager.get('/api/analytics/dashboard');
    expect(res.status).toBe(200);
    return res.body.volume.conversations.value as number;
  };
  const trashIds = async () => ((await admin.get('/api/trash')).body.items as Array<{ id: string }>).map((i) => i.id);

  it('tells every agent the window, and keeps the trash itself for admins', async () => {
    expect(await agent.get('/api/trash/window')).toMatchObject({ status: 200, body: { retainDays: WINDOW_DAYS } });
    expect((await agent.get('/api/trash')).status).toBe(403);
    expect((await manager.get('/api/trash')).status).toBe(403);
    expect(await admin.get('/api/trash')).toMatchObject({ status: 200, body: { retainDays: WINDOW_DAYS, items: [] } });
  });

  it('states the window where retention is described: the Art. 30 record and the transparency page', async () => {
    const record = (await admin.get('/api/privacy/record')).body;
    expect(record.trash).toEqual({ retainDays: WINDOW_DAYS, description: expect.stringContaining('trash') });
    const support = record.processingActivities.find((a: { name: string }) => a.name === 'Customer support');
    expect(support.retention).toContain(`stays in the trash for ${WINDOW_DAYS} days`);
    const printable = await fetch(`${server.url}/api/privacy/record?format=html`, {
      headers: { cookie: admin.cookie },
    });
    expect(await printable.text()).toContain(`Trash (deleted conversations)</td><td>${WINDOW_DAYS} days`);
    for (const [lang, words] of [
      ['en', 'Conversations our staff deleted'],
      ['de', 'Gespräche, die unser Team gelöscht hat'],
      ['fr', 'Conversations supprimées par notre équipe'],
      ['fi', 'Henkilökuntamme poistamat keskustelut'],
      ['sv', 'Samtal som vår personal har raderat'],
    ] as const) {
      const page = await (await fetch(`${server.url}/privacy?lang=${lang}`)).text();
      expect(page, lang).toContain(words);
    }
    const en = await (await fetch(`${server.url}/privacy?lang=en`)).text();
    expect(en).toMatch(new RegExp(`Conversations our staff deleted[^<]*</td><td>${WINDOW_DAYS} days</td>`));
  });

  it('delete hides it everywhere; a new message opens a new conversation; an admin restores it as it was', async () => {
    const { visitor, conversationId } = await chatCustomer('My parcel zebrafinch4471 never arrived');
    expect((await agent.post(`/api/conversations/${conversationId}/messages`, { text: 'Let me look' })).status).toBe(
      201,
    );
    expect(await listed(agent)).toContain(conversationId);
    expect(await found('zebrafinch4471')).toEqual([conversationId]);
    const before = await dashboardConversations();

    const deleted = await agent.send('DELETE', `/api/conversations/${conversationId}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({
      conversationId,
      deletedAt: now.toISOString(),
      purgeAfter: new Date(now.getTime() + WINDOW_DAYS * DAY).toISOString(),
    });

    // Gone from the agent's list, detail, search, replies, and from the figures.
    expect(await listed(agent)).not.toContain(conversationId);
    expect(await listed(admin)).not.toContain(conversationId);
    expect((await agent.get(`/api/conversations/${conversationId}`)).status).toBe(404);
    expect(await found('zebrafinch4471')).toEqual([]);
    expect((await agent.post(`/api/conversations/${conversationId}/messages`, { text: 'Still there?' })).status).toBe(
      404,
    );
    expect(await dashboardConversations()).toBe(before - 1);
    // The visitor's widget no longer shows it.
    expect((await visitor.get('/api/widget/messages')).body).toEqual({ conversationId: null, messages: [] });
    expect((await visitor.get(`/api/widget/conversations/${conversationId}`)).status).toBe(404);
    // Deleting it twice: it is not there to delete.
    expect((await agent.send('DELETE', `/api/conversations/${conversationId}`)).status).toBe(404);

    // The admin's trash lists it with who deleted it and when it goes.
    const trash = (await admin.get('/api/trash')).body;
    expect(trash.items).toEqual([
      expect.objectContaining({
        id: conversationId,
        channel: 'chat',
        messageCount: 2,
        deletedBy: { id: agent.agent.id, name: agent.agent.name },
        purgeAfter: new Date(now.getTime() + WINDOW_DAYS * DAY).toISOString(),
      }),
    ]);

    // The audit entry holds ids, never what was said.
    const [entry] = await server.root.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'conversation.trashed'), eq(auditLog.targetId, conversationId)));
    expect(entry).toMatchObject({ actorKind: 'agent', actorId: agent.agent.id, targetType: 'conversation' });
    expect(JSON.stringify(entry!.details)).not.toContain('zebrafinch');

    // A retried delivery of the message already stored (same client id) stays a no-op.
    const replay = await visitor.post('/api/widget/messages', {
      clientId: `trash-${visitorCount}-abcdefgh`,
      text: 'My parcel zebrafinch4471 never arrived',
    });
    expect(replay.status).toBe(201);
    expect((await visitor.get('/api/widget/messages')).body).toEqual({ conversationId: null, messages: [] });

    // The same visitor writes again: a new conversation, the trashed one untouched.
    expect(
      (await visitor.post('/api/widget/messages', { clientId: 'trash-again-abcdefgh', text: 'Hello again' })).status,
    ).toBe(201);
    const fresh = (await visitor.get('/api/widget/messages')).body;
    expect(fresh.conversationId).not.toBe(conversationId);
    expect(fresh.messages.map((m: { body: string }) => m.body)).toEqual(['Hello again']);
    expect(
      (await server.root.db.select().from(messages).where(eq(messages.conversationId, conversationId))).length,
    ).toBe(2);

    // Only an admin restores.
    expect((await agent.post(`/api/trash/${conversationId}/restore`)).status).toBe(403);
    const restored = await admin.post(`/api/trash/${conversationId}/restore`);
    expect(restored).toMatchObject({ status: 200, body: { conversation: { id: conversationId, channel: 'chat' } } });
    expect(await listed(agent)).toContain(conversationId);
    expect(await found('zebrafinch4471')).toEqual([conversationId]);
    expect((await agent.get(`/api/conversations/${conversationId}`)).body.messages).toHaveLength(2);
    expect(await dashboardConversations()).toBe(before + 1); // it and the visitor's new one
    expect(await trashIds()).toEqual([]);
    expect((await admin.post(`/api/trash/${conversationId}/restore`)).status).toBe(404);
    const [restoredEntry] = await server.root.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'conversation.restored'), eq(auditLog.targetId, conversationId)));
    expect(restoredEntry).toMatchObject({ actorId: admin.agent.id });
  });

  /** Every row of every table but the audit log as text (the audit log keeps ids of what it records, by design). */
  async function dumpWithoutAudit(): Promise<string> {
    const tables = rowsOf<{ name: string }>(
      await server.root.db.execute(
        sql`select quote_ident(table_schema) || '.' || quote_ident(table_name) as name
            from information_schema.tables
            where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
              and table_name <> 'audit_log'`,
      ),
    );
    let text = '';
    for (const { name } of tables) {
      const rows = rowsOf<{ row: string }>(
        await server.root.db.execute(sql.raw(`select t::text as row from ${name} t`)),
      );
      text += rows.map((r) => r.row).join('\n') + '\n';
    }
    return text;
  }

  it('past the window the sweep purges it whole: recording at the provider, files, rows', async () => {
    const phone = '+15550209911';
    const call = await fake.call(`${server.url}/api/twilio/${voiceInbox}/voice`, { from: phone, to: OUR_NUMBER });
    expect(call.recordingCallback?.status).toBe(204);
    const { db, blobs } = server.root;
    const [recording] = await db.select().from(recordings).where(eq(recordings.providerSid, call.recordingSid!));
    const conversationId = recording!.conversationId;
    const [callMessage] = await db.select().from(messages).where(eq(messages.externalId, call.callSid));
    const file = await blobs.put(Buffer.from('a photo of the damaged parcel'), { messageId: callMessage!.id });
    await db.insert(attachments).values({
      messageId: callMessage!.id,
      blobId: file.id,
      filename: 'parcel-quokka8812.jpg',
      contentType: 'image/jpeg',
      size: file.size,
    });
    expect(fake.recordings.has(call.recordingSid!)).toBe(true);
    expect(await dumpWithoutAudit()).toContain(conversationId); // the dump sees what is stored

    expect((await agent.send('DELETE', `/api/conversations/${conversationId}`)).status).toBe(200);
    const deletedAt = now;

    // A day before the purge date nothing goes, and the dry run says so.
    now = new Date(deletedAt.getTime() + (WINDOW_DAYS - 1) * DAY);
    expect((await previewRetention(server.root, now)).trash).toEqual({ count: 0, held: 0, oldest: null });
    expect((await sweepRetention(server.root, now)).trash).toEqual({ removed: 0, failed: 0 });
    expect(await trashIds()).toContain(conversationId);
    expect(fake.recordings.has(call.recordingSid!)).toBe(true);

    // Past it, the dry run counts it among what a sweep would delete now...
    now = new Date(deletedAt.getTime() + (WINDOW_DAYS + 1) * DAY);
    expect((await previewRetention(server.root, now)).trash).toEqual({
      count: 1,
      held: 0,
      oldest: deletedAt.toISOString(),
    });
    // ...and the sweep purges it whole: at Twilio too, and the files.
    const swept = await sweepRetention(server.root, now);
    expect(swept.trash).toEqual({ removed: 1, failed: 0 });
    expect(fake.recordings.has(call.recordingSid!)).toBe(false);
    expect(await blobs.size(file.id)).toBeNull();
    if (recording!.blobId) expect(await blobs.size(recording!.blobId)).toBeNull();
    expect(await db.select().from(conversations).where(eq(conversations.id, conversationId))).toEqual([]);
    expect(await trashIds()).toEqual([]);
    // The caller stays a contact (their details, and the consent ledger whose evidence names the call), as after
    // the 'messages' retention class: what goes is the conversation and everything in it.
    const dump = await dumpWithoutAudit();
    const gone = [conversationId, callMessage!.id, call.recordingSid!, recording!.id, file.id, 'quokka8812'];
    for (const needle of gone)
      expect(
        dump.split('\n').filter((l) => l.includes(needle)),
        needle,
      ).toEqual([]);
    const entries = await db.select().from(auditLog).where(eq(auditLog.action, 'retention.swept'));
    expect(entries.find((e) => e.targetType === 'trash')?.details).toMatchObject({ count: 1, fields: ['trash'] });
    const sweeps = await db.select().from(auditLog).where(eq(auditLog.action, 'retention.sweep'));
    expect(sweeps.at(-1)?.details).toMatchObject({ trash: { removed: 1, failed: 0 } });
    expect((await previewRetention(server.root, now)).trash.count).toBe(0);
  });

  it('a legal hold keeps it out of the trash', async () => {
    const { conversationId } = await chatCustomer('Please keep this one');
    expect((await admin.post('/api/privacy/legal-holds', { conversationId, reason: 'Dispute 2026-17' })).status).toBe(
      201,
    );
    const refused = await agent.send('DELETE', `/api/conversations/${conversationId}`);
    expect(refused).toMatchObject({ status: 409, body: { code: 'legal_hold' } });
    expect(await listed(agent)).toContain(conversationId);
  });

  it('the export shows a trashed conversation with its purge date; erasure deletes it at once', async () => {
    const { conversationId } = await chatCustomer('Where is order heron5530?');
    const deleted = await agent.send('DELETE', `/api/conversations/${conversationId}`);
    const purgeAfter: string = deleted.body.purgeAfter;
    const [row] = await server.root.db.select().from(conversations).where(eq(conversations.id, conversationId));
    const contactId = row!.contactId;

    const res = await fetch(`${server.url}/api/contacts/${contactId}/export`, { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    const zip = await readZip(Buffer.from(await res.arrayBuffer()));
    const data = JSON.parse(zip.get('data.json')!.toString());
    expect(data.tables.conversations).toEqual([
      expect.objectContaining({ id: conversationId, deletedAt: expect.any(String), purgeAfter: expect.any(String) }),
    ]);
    expect(new Date(data.tables.conversations[0].purgeAfter).toISOString()).toBe(purgeAfter);
    expect(data.tables.messages.map((m: { body: string }) => m.body)).toContain('Where is order heron5530?');
    const html = zip.get('index.html')!.toString();
    expect(html).toContain('In the trash');
    // The page writes dates as the person's language does (English here), in UTC.
    const asWritten = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
    expect(html).toContain(`${asWritten.format(new Date(purgeAfter))} UTC`);

    // Erasure does not wait for the trash: the conversation is gone now, not at its purge date.
    expect((await admin.post(`/api/contacts/${contactId}/erase`, { confirm: true })).status).toBe(200);
    expect(await server.root.db.select().from(conversations).where(eq(conversations.id, conversationId))).toEqual([]);
    expect(await trashIds()).not.toContain(conversationId);
  });

  it('an admin sets the window: new deletions use it, the trash keeps its dates, the records state it', async () => {
    const { conversationId: before } = await chatCustomer('Deleted under the old window');
    const first = await agent.send('DELETE', `/api/conversations/${before}`);
    expect(first.body.purgeAfter).toBe(new Date(now.getTime() + WINDOW_DAYS * DAY).toISOString());

    expect(await agent.get('/api/trash/window')).toMatchObject({
      status: 200,
      body: { retainDays: WINDOW_DAYS, defaultDays: WINDOW_DAYS, custom: false },
    });
    // Admins only, whole days from 1 to 365.
    expect((await agent.send('PUT', '/api/trash/window', { retainDays: 7 })).status).toBe(403);
    expect((await manager.send('PUT', '/api/trash/window', { retainDays: 7 })).status).toBe(403);
    for (const retainDays of [0, 366, 2.5, -3])
      expect((await admin.send('PUT', '/api/trash/window', { retainDays })).status, String(retainDays)).toBe(400);

    const set = await admin.send('PUT', '/api/trash/window', { retainDays: 60 });
    expect(set).toMatchObject({ status: 200, body: { retainDays: 60, defaultDays: WINDOW_DAYS, custom: true } });
    expect((await agent.get('/api/trash/window')).body).toEqual({
      retainDays: 60,
      defaultDays: WINDOW_DAYS,
      custom: true,
    });
    expect((await admin.get('/api/trash')).body.retainDays).toBe(60);

    // A conversation deleted now stays 60 days; the one deleted before keeps its date.
    const { conversationId: after } = await chatCustomer('Deleted under the new window');
    const second = await agent.send('DELETE', `/api/conversations/${after}`);
    expect(second.body.purgeAfter).toBe(new Date(now.getTime() + 60 * DAY).toISOString());
    const items = (await admin.get('/api/trash')).body.items as Array<{ id: string; purgeAfter: string }>;
    expect(items.find((i) => i.id === before)?.purgeAfter).toBe(first.body.purgeAfter);

    // The Art. 30 record and the public transparency page state the window in force.
    const record = (await admin.get('/api/privacy/record')).body;
    expect(record.trash.retainDays).toBe(60);
    expect(record.trash.description).toContain('stays in the trash for 60 days');
    const page = await (await fetch(`${server.url}/privacy?lang=en`)).text();
    expect(page).toMatch(/Conversations our staff deleted[^<]*<\/td><td>60 days<\/td>/);

    // One audit entry: the old and the new value, by whom.
    const [entry] = await server.root.db.select().from(auditLog).where(eq(auditLog.action, 'trash.window_set'));
    expect(entry).toMatchObject({ actorKind: 'agent', actorId: admin.agent.id, targetType: 'trash' });
    expect(entry!.details).toEqual({ from: WINDOW_DAYS, to: 60 });
  });

  it('a retention policy deletes a trashed conversation at once, without waiting for its purge date', async () => {
    const { conversationId } = await chatCustomer('Old enough for the messages policy');
    expect((await agent.send('DELETE', `/api/conversations/${conversationId}`)).status).toBe(200);
    await server.root.db
      .insert(retentionPolicies)
      .values({ dataClass: 'messages', retainDays: 1, enabled: true })
      .onConflictDoUpdate({ target: retentionPolicies.dataClass, set: { retainDays: 1, enabled: true } });
    try {
      // Two days on: past the policy's day, weeks before the trash's purge date.
      const later = new Date(now.getTime() + 2 * DAY);
      const swept = await sweepRetention(server.root, later);
      expect(swept.removed.messages).toBeGreaterThanOrEqual(1);
      expect(await server.root.db.select().from(conversations).where(eq(conversations.id, conversationId))).toEqual([]);
      expect(await trashIds()).not.toContain(conversationId);
    } finally {
      await server.root.db
        .update(retentionPolicies)
        .set({ enabled: false })
        .where(eq(retentionPolicies.dataClass, 'messages'));
    }
  });
});
