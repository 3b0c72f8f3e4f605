import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { count, eq, isNull, sql } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { privacyDeps } from '../helpers/privacy-deps.ts';
import { recordingProviderSpy, seedPerson } from '../helpers/fixtures.ts';
import { openDatabase } from '../../server/db/client.ts';
import {
  getPolicies,
  previewRetention,
  savePolicy,
  setPolicy,
  sweepRetention,
  RetentionConfirmationRequired,
} from '../../server/privacy/retention.ts';
import { placeHold } from '../../server/privacy/legal-holds.ts';
import {
  attachments,
  auditLog,
  botDecisions,
  contacts,
  conversations,
  inboxes,
  recordings,
  retentionPolicies,
} from '../../drizzle/schema/index.ts';
import { insertContact } from '../helpers/contacts.ts';

const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);

/** The retention engine as operations: a real database and the sweep's declared dependencies, no HTTP. */
describe(`retention engine on ${dbMode}`, () => {
  let harness: Awaited<ReturnType<typeof privacyDeps>>;
  let admin: { id: string };
  const provider = recordingProviderSpy();
  const ids = {} as Record<
    | 'oldConversation'
    | 'oldCall'
    | 'heldConversation'
    | 'recentConversation'
    | 'recentAttachmentBlob'
    | 'inactiveContact'
    | 'expiredSid',
    string
  >;

  beforeAll(async () => {
    harness = await privacyDeps({ recordingProviders: new Map([['test-provider', provider]]) });
    const { deps } = harness;
    const { db } = deps;
    admin = await harness.agent('admin');
    const make = async (marker: string) =>
      seedPerson(deps, {
        name: `Person ${marker}`,
        email: `${marker}@example.org`,
        phone: `+1555010${marker.slice(-4)}`,
        marker,
      });
    // Old conversation: expires under the conversation policy.
    const old = await make('old-0001');
    ids.oldConversation = old.emailConversationId;
    ids.oldCall = old.callConversationId;
    // Old conversation under a legal hold: kept, counted as held.
    const held = await make('held-0002');
    ids.heldConversation = held.emailConversationId;
    // Recent conversation with an old attachment.
    const recent = await make('new-0003');
    ids.recentConversation = recent.emailConversationId;
    ids.recentAttachmentBlob = recent.fileBlob;
    // A long-inactive contact: erased completely.
    const inactive = await make('gone-0004');
    ids.inactiveContact = inactive.contactId;

    await db
      .update(conversations)
      .set({ lastMessageAt: daysAgo(40) })
      .where(eq(conversations.id, ids.oldConversation));
    await db
      .update(conversations)
      .set({ lastMessageAt: daysAgo(40) })
      .where(eq(conversations.id, ids.heldConversation));
    await db
      .update(attachments)
      .set({ createdAt: daysAgo(20) })
      .where(eq(attachments.blobId, recent.fileBlob));
    // Recordings: the old person's is past its deadline; the others are not.
    await db
      .update(recordings)
      .set({ deleteAfter: daysAgo(1) })
      .where(eq(recordings.providerSid, old.sid));
    ids.expiredSid = old.sid;
    await db
      .update(contacts)
      .set({ createdAt: daysAgo(500) })
      .where(eq(contacts.id, inactive.contactId));
    await db
      .update(conversations)
      .set({ lastMessageAt: daysAgo(400), createdAt: daysAgo(400) })
      .where(eq(conversations.contactId, inactive.contactId));
    await db
      .update(recordings)
      .set({ deleteAfter: daysAgo(-30) })
      .where(eq(recordings.providerSid, inactive.sid));
    await db.insert(botDecisions).values([
      { conversationId: ids.recentConversation, action: 'answer', reason: 'confident', createdAt: daysAgo(100) },
      { conversationId: ids.recentConversation, action: 'handoff', reason: 'low confidence', createdAt: daysAgo(1) },
    ]);
    await placeHold(db, { conversationId: ids.heldConversation, reason: 'Litigation hold L-17' }, admin.id);
  });
  afterAll(() => harness?.close());

  it('has a policy per data class, recordings and bot logs on by default', async () => {
    const policies = await getPolicies(harness.deps.db);
    expect(policies.map((p) => [p.dataClass, p.enabled])).toEqual([
      ['messages', false],
      ['attachments', false],
      ['recordings', true],
      ['inactive_contacts', false],
      ['bot_logs', true],
    ]);
  });

  it('admins set policies', async () => {
    for (const [dataClass, retainDays] of [
      ['messages', 30],
      ['attachments', 10],
      ['inactive_contacts', 365],
      ['bot_logs', 90],
    ] as const) {
      const policy = await setPolicy(harness.deps.db, dataClass, { enabled: true, retainDays }, admin.id);
      expect(policy).toMatchObject({ dataClass, enabled: true, retainDays });
    }
  });

  it('previews what would go, without deleting anything', async () => {
    const preview = await previewRetention(harness.deps);
    const byClass = Object.fromEntries(preview.classes.map((c) => [c.dataClass, c]));
    // The old conversation, and the inactive contact's old email conversation (its call waits for its recording).
    expect(byClass.messages).toMatchObject({ count: 2, held: 1 });
    expect(byClass.attachments).toMatchObject({ count: 1, held: 0 });
    expect(byClass.recordings).toMatchObject({ count: 1, held: 0 });
    expect(byClass.inactive_contacts).toMatchObject({ count: 1, held: 0 });
    expect(byClass.bot_logs).toMatchObject({ count: 1, held: 0 });
    expect((await harness.deps.db.select({ n: count() }).from(conversations))[0]!.n).toBe(8);
    expect(provider.deleted).toEqual([]);
  });

  it('sweeps: removes exactly the expired, unheld records, at the provider too, with audit entries', async () => {
    const result = await sweepRetention(harness.deps);
    expect(result).toMatchObject({
      skipped: false,
      removed: { messages: 2, attachments: 1, recordings: 1, inactive_contacts: 1, bot_logs: 1 },
    });
    const { db, blobs } = harness.deps;
    expect(await db.select().from(conversations).where(eq(conversations.id, ids.oldConversation))).toEqual([]);
    expect(await db.select().from(conversations).where(eq(conversations.id, ids.heldConversation))).toHaveLength(1);
    expect(await db.select().from(contacts).where(eq(contacts.id, ids.inactiveContact))).toEqual([]);
    expect(await blobs.size(ids.recentAttachmentBlob)).toBeNull();
    const [expired] = await db.select().from(recordings).where(eq(recordings.providerSid, ids.expiredSid));
    expect(expired).toMatchObject({ blobId: null, deletedAt: expect.any(Date) });
    // The expired recording, and the inactive contact's recording (erased with them), each exactly once.
    expect(provider.deleted).toHaveLength(2);
    expect(provider.deleted).toContain(ids.expiredSid);
    expect(new Set(provider.deleted).size).toBe(provider.deleted.length);
    const actions = (await db.select({ action: auditLog.action }).from(auditLog)).map((a) => a.action);
    expect(actions.filter((a) => a === 'recording.deleted')).toHaveLength(1);
    expect(actions.filter((a) => a === 'retention.swept').length).toBeGreaterThanOrEqual(3);
    expect(actions).toContain('contact.erased');
  });

  it('a second sweep finds nothing left to do', async () => {
    const result = await sweepRetention(harness.deps);
    expect(Object.values(result.removed).every((n) => n === 0)).toBe(true);
    const preview = await previewRetention(harness.deps);
    expect(preview.classes.map((c) => c.count)).toEqual([0, 0, 0, 0, 0]);
  });

  it('a provider failure is retried later and the recording stays until it succeeds', async () => {
    const { db } = harness.deps;
    const [conv] = await db.select().from(conversations).where(eq(conversations.id, ids.recentConversation));
    const sid = `RE${randomUUID()}`;
    await db.insert(recordings).values({
      conversationId: conv!.id,
      provider: 'test-provider',
      providerSid: sid,
      durationSeconds: 5,
      recordedAt: daysAgo(40),
      deleteAfter: daysAgo(10),
    });
    provider.failNext = 1;
    const first = await sweepRetention(harness.deps);
    expect(first.failed.recordings).toBe(1);
    const [pending] = await db.select().from(recordings).where(eq(recordings.providerSid, sid));
    expect(pending).toMatchObject({
      deletedAt: null,
      deletionAttempts: 1,
      lastDeletionError: expect.stringContaining('503'),
    });
    expect(pending!.nextDeletionAttemptAt!.getTime()).toBeGreaterThan(Date.now());
    await db
      .update(recordings)
      .set({ nextDeletionAttemptAt: daysAgo(0.001) })
      .where(eq(recordings.providerSid, sid));
    const second = await sweepRetention(harness.deps);
    expect(second.removed.recordings).toBe(1);
  });
});

/** The HTTP routes: who may call them, what they refuse, and that they answer what the operations do. */
describe(`retention API on ${dbMode}`, () => {
  let server: TestServer;
  let admin: AgentClient;

  beforeAll(async () => {
    server = await startTestServer();
    server.root.recordingProviders.set('test-provider', recordingProviderSpy());
    admin = await server.agentClient('admin');
  });
  afterAll(() => server.stop());

  it('lists the policies, sets one, previews and sweeps', async () => {
    const res = await admin.get('/api/privacy/retention');
    expect(res.body.policies.map((p: { dataClass: string; enabled: boolean }) => [p.dataClass, p.enabled])).toEqual([
      ['messages', false],
      ['attachments', false],
      ['recordings', true],
      ['inactive_contacts', false],
      ['bot_logs', true],
    ]);
    const set = await admin.send('PUT', '/api/privacy/retention/messages', {
      enabled: true,
      retainDays: 30,
      confirm: true,
    });
    expect(set.status).toBe(200);
    expect(set.body.policy).toMatchObject({
      dataClass: 'messages',
      enabled: true,
      retainDays: 30,
      takesEffectAt: expect.any(String),
      inForce: { enabled: false, retainDays: 730 },
    });
    const preview = await admin.get('/api/privacy/retention/preview');
    expect(preview.status).toBe(200);
    expect(preview.body.classes.map((c: { count: number }) => c.count)).toEqual([0, 0, 0, 0, 0]);
    const sweep = await admin.post('/api/privacy/retention/sweep');
    expect(sweep.status).toBe(200);
    expect(sweep.body).toMatchObject({ skipped: false, removed: { messages: 0 }, failed: { recordings: 0 } });
  });

  it('refuses bad values', async () => {
    expect((await admin.send('PUT', '/api/privacy/retention/messages', { enabled: true, retainDays: 0 })).status).toBe(
      400,
    );
    expect(
      (await admin.send('PUT', '/api/privacy/retention/everything', { enabled: true, retainDays: 5 })).status,
    ).toBe(404);
  });

  it('is admin only', async () => {
    const agent = await server.agentClient('manager');
    expect((await agent.get('/api/privacy/retention')).status).toBe(403);
    expect((await agent.post('/api/privacy/retention/sweep')).status).toBe(403);
  });
});

/** Inserts conversations whose last message is this many days old; returns their ids by age. */
async function conversationsAged(db: Parameters<typeof setPolicy>[0], ages: number[]) {
  const [inbox] = await db.insert(inboxes).values({ name: 'Aged mail', channel: 'email' }).returning();
  const contact = await insertContact(db, { name: 'Aged customer' });
  const rows = await db
    .insert(conversations)
    .values(
      ages.map((age) => ({
        inboxId: inbox!.id,
        contactId: contact!.id,
        channel: 'email' as const,
        threadKey: `<aged-${randomUUID()}@example.org>`,
        lastMessageAt: daysAgo(age),
      })),
    )
    .returning({ id: conversations.id });
  return new Map(ages.map((age, i) => [age, rows[i]!.id]));
}

/**
 * Issue 15: saving "Conversations: 5 days" deleted 44 of 67 conversations within a minute. A tightened policy
 * now needs confirmation and waits out the grace period; the sweep applies the value in force.
 */
describe(`retention never surprises, with an injected clock (${dbMode})`, () => {
  let harness: Awaited<ReturnType<typeof privacyDeps>>;
  let admin: { id: string };
  beforeAll(async () => {
    harness = await privacyDeps();
    admin = await harness.agent('admin');
    await conversationsAged(harness.deps.db, [40, 20, 10, 2, 1]);
  });
  afterAll(() => harness?.close());
  const left = async () => (await harness.deps.db.select({ n: count() }).from(conversations))[0]!.n;

  it('deletes nothing before the confirmation, nothing during the grace period, then what the value says', async () => {
    const { deps } = harness;
    const savedAt = new Date();
    const refused = await savePolicy(deps, 'messages', { enabled: true, retainDays: 5 }, admin.id, 24, savedAt).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(RetentionConfirmationRequired);
    expect((refused as RetentionConfirmationRequired).proposal.changes).toEqual([
      { dataClass: 'messages', tightening: true, count: 3, held: 0, takesEffectAt: expect.any(String) },
    ]);
    expect((await sweepRetention(deps, savedAt)).removed.messages).toBe(0);

    const saved = await savePolicy(
      deps,
      'messages',
      { enabled: true, retainDays: 5, confirm: true },
      admin.id,
      24,
      savedAt,
    );
    expect(saved.takesEffectAt).toBe(new Date(savedAt.getTime() + 24 * 3_600_000).toISOString());
    expect(saved.inForce).toEqual({ enabled: false, retainDays: 730 });
    // One minute later, and one minute before the grace period ends: the old value (off) is in force.
    for (const minutes of [1, 24 * 60 - 1]) {
      const at = new Date(savedAt.getTime() + minutes * 60_000);
      expect((await previewRetention(deps, at)).classes.find((c) => c.dataClass === 'messages')!.count).toBe(0);
      expect((await sweepRetention(deps, at)).removed.messages).toBe(0);
    }
    expect(await left()).toBe(5);
    // After it: the conversations older than 5 days go, and the sweep's counts are in the audit log.
    const after = new Date(savedAt.getTime() + 24 * 3_600_000 + 60_000);
    expect((await sweepRetention(deps, after)).removed.messages).toBe(3);
    expect(await left()).toBe(2);
    const [entry] = await deps.db.select().from(auditLog).where(eq(auditLog.action, 'retention.sweep'));
    expect(entry!.details).toEqual({
      sweptAt: after.toISOString(),
      removed: { messages: 3, attachments: 0, recordings: 0, inactive_contacts: 0, bot_logs: 0 },
      failed: { messages: 0, attachments: 0, recordings: 0, inactive_contacts: 0, bot_logs: 0 },
      retainDays: { messages: 5, recordings: 30, bot_logs: 90 },
    });
  });
});

describe(`retention changes over the API: confirmation, grace period, apply now, cancel (${dbMode})`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let aged: Map<number, string>;
  const left = async () => (await server.root.db.select({ id: conversations.id }).from(conversations)).map((c) => c.id);
  const messagesPolicy = async () =>
    (await admin.get('/api/privacy/retention')).body.policies.find(
      (p: { dataClass: string }) => p.dataClass === 'messages',
    );
  // A sweep now (the scheduled one may hold the lease for a moment: then this one is skipped and runs again).
  const sweep = async () => {
    for (;;) {
      const res = await admin.post('/api/privacy/retention/sweep');
      expect(res.status).toBe(200);
      if (!res.body.skipped) return res.body;
    }
  };
  // The grace period's end, as if it had passed: the stored deadline moves into the past.
  const graceEnds = () =>
    server.root.db
      .update(retentionPolicies)
      .set({ takesEffectAt: new Date(Date.now() - 60_000) })
      .where(eq(retentionPolicies.dataClass, 'messages'));

  beforeAll(async () => {
    server = await startTestServer();
    admin = await server.agentClient('admin');
    aged = await conversationsAged(server.root.db, [100, 40, 20, 10, 4, 3, 1]);
  });
  afterAll(() => server?.stop());

  it('refuses a tightening without confirmation: 400 with the dry run, nothing saved, nothing deleted', async () => {
    const proposal = await admin.post('/api/privacy/retention/preview', {
      policies: [{ dataClass: 'messages', enabled: true, retainDays: 5 }],
    });
    expect(proposal.status).toBe(200);
    expect(proposal.body.graceHours).toBe(24);
    expect(proposal.body.changes).toEqual([
      { dataClass: 'messages', tightening: true, count: 4, held: 0, takesEffectAt: expect.any(String) },
    ]);
    expect(proposal.body.classes.find((c: { dataClass: string }) => c.dataClass === 'messages')).toMatchObject({
      enabled: true,
      retainDays: 5,
      count: 4,
    });

    const res = await admin.send('PUT', '/api/privacy/retention/messages', { enabled: true, retainDays: 5 });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('confirmation_required');
    expect(res.body.preview.changes[0]).toMatchObject({ dataClass: 'messages', tightening: true, count: 4 });
    expect(await messagesPolicy()).toMatchObject({ enabled: false, retainDays: 730, takesEffectAt: null });
    await sweep();
    expect(await left()).toHaveLength(7);
  });

  it('a confirmed tightening waits out the grace period, then the sweep deletes and audits its counts', async () => {
    const before = Date.now();
    const res = await admin.send('PUT', '/api/privacy/retention/messages', {
      enabled: true,
      retainDays: 5,
      confirm: true,
    });
    expect(res.status).toBe(200);
    const { policy } = res.body;
    expect(policy).toMatchObject({ enabled: true, retainDays: 5, inForce: { enabled: false, retainDays: 730 } });
    expect(Date.parse(policy.takesEffectAt)).toBeGreaterThanOrEqual(before + 24 * 3_600_000);
    expect(Date.parse(policy.takesEffectAt)).toBeLessThanOrEqual(Date.now() + 24 * 3_600_000);
    // During the grace period: the dry run of the policies in force and the sweep both see the old value.
    const inForce = await admin.get('/api/privacy/retention/preview');
    expect(inForce.body.classes.find((c: { dataClass: string }) => c.dataClass === 'messages')).toMatchObject({
      enabled: false,
      count: 0,
    });
    await sweep();
    expect(await left()).toHaveLength(7);

    await graceEnds();
    expect(await messagesPolicy()).toMatchObject({ takesEffectAt: null, inForce: { enabled: true, retainDays: 5 } });
    await sweep();
    expect((await left()).sort()).toEqual([aged.get(4), aged.get(3), aged.get(1)].sort());
    const audit = await admin.get('/api/privacy/audit?limit=200');
    const sweeps = audit.body.items.filter((e: { action: string }) => e.action === 'retention.sweep');
    expect(sweeps).toHaveLength(1);
    expect(sweeps[0]).toMatchObject({ actorKind: 'system', targetId: null });
    expect(sweeps[0].details).toMatchObject({ removed: { messages: 4 }, failed: { messages: 0 } });
    const set = audit.body.items.find((e: { action: string }) => e.action === 'retention.policy_set');
    expect(set).toMatchObject({
      targetId: 'messages',
      details: { enabled: true, retainDays: 5, wouldDeleteNow: 4, takesEffectAt: policy.takesEffectAt },
    });
  });

  it('"apply now" is its own confirmed action: the next sweep deletes under the new value', async () => {
    const res = await admin.send('PUT', '/api/privacy/retention/messages', {
      enabled: true,
      retainDays: 2,
      confirm: true,
    });
    expect(res.body.policy.takesEffectAt).toEqual(expect.any(String));
    await sweep();
    expect(await left()).toHaveLength(3);
    expect((await admin.post('/api/privacy/retention/messages/apply-now', {})).status).toBe(400);
    const applied = await admin.post('/api/privacy/retention/messages/apply-now', { confirm: true });
    expect(applied.status).toBe(200);
    expect(applied.body.policy).toMatchObject({ takesEffectAt: null, inForce: { enabled: true, retainDays: 2 } });
    await sweep();
    expect(await left()).toEqual([aged.get(1)]);
    // Nothing waits any more.
    expect((await admin.post('/api/privacy/retention/messages/apply-now', { confirm: true })).status).toBe(409);
  });

  it('cancel restores the value in force before the change, and the change never takes effect', async () => {
    // Loosening is in force at once, without confirmation.
    const looser = await admin.send('PUT', '/api/privacy/retention/messages', { enabled: true, retainDays: 30 });
    expect(looser.status).toBe(200);
    expect(looser.body.policy).toMatchObject({ retainDays: 30, takesEffectAt: null });
    await conversationsAged(server.root.db, [10]);
    const tighter = await admin.send('PUT', '/api/privacy/retention/messages', {
      enabled: true,
      retainDays: 5,
      confirm: true,
    });
    expect(tighter.body.policy).toMatchObject({ retainDays: 5, inForce: { retainDays: 30 } });
    const cancelled = await admin.post('/api/privacy/retention/messages/cancel');
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.policy).toMatchObject({ enabled: true, retainDays: 30, takesEffectAt: null });
    const [row] = await server.root.db
      .select()
      .from(retentionPolicies)
      .where(eq(retentionPolicies.dataClass, 'messages'));
    expect(row).toMatchObject({ retainDays: 30, takesEffectAt: null, previousRetainDays: null });
    await sweep();
    expect(await left()).toHaveLength(2);
    expect((await admin.post('/api/privacy/retention/messages/cancel')).status).toBe(409);
    const audit = await admin.get('/api/privacy/audit?limit=5');
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('retention.policy_cancelled');
  });

  it('only admins change, preview, apply or cancel', async () => {
    const manager = await server.agentClient('manager');
    expect((await manager.post('/api/privacy/retention/messages/cancel')).status).toBe(403);
    expect((await manager.post('/api/privacy/retention/messages/apply-now', { confirm: true })).status).toBe(403);
    expect(
      (
        await manager.post('/api/privacy/retention/preview', {
          policies: [{ dataClass: 'messages', enabled: false, retainDays: 5 }],
        })
      ).status,
    ).toBe(403);
  });
});

/**
 * The retention routes tell time by the server's clock (the one the server is built with), not the machine's: the
 * grace period, the dry run and the sweep of a server whose clock a test moved all agree with that clock.
 */
describe(`retention routes on the server's injected clock (${dbMode})`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let aged: Map<number, string>;
  let now = new Date();
  const clock = () => new Date(now);
  const HOUR = 3_600_000;
  const messagesRow = (body: { classes: Array<{ dataClass: string }> }) =>
    body.classes.find((c) => c.dataClass === 'messages');

  beforeAll(async () => {
    server = await startTestServer({ RETENTION_GRACE_HOURS: '24' }, { clock });
    admin = await server.agentClient('admin');
    aged = await conversationsAged(server.root.db, [10, 3]);
  });
  afterAll(() => server?.stop());

  it('dates the change, the dry run and the sweep by that clock, and the grace period ends by it', async () => {
    const saved = await admin.send('PUT', '/api/privacy/retention/messages', {
      enabled: true,
      retainDays: 5,
      confirm: true,
    });
    expect(saved.status).toBe(200);
    expect(saved.body.policy.takesEffectAt).toBe(new Date(now.getTime() + 24 * HOUR).toISOString());
    const during = await admin.get('/api/privacy/retention/preview');
    expect(during.body.asOf).toBe(now.toISOString());
    expect(messagesRow(during.body)).toMatchObject({ enabled: false, count: 0 });

    // A day and a minute later by the server's clock (the machine's has hardly moved): the grace period is over.
    now = new Date(now.getTime() + 24 * HOUR + 60_000);
    const policies = await admin.get('/api/privacy/retention');
    expect(policies.body.policies.find((p: { dataClass: string }) => p.dataClass === 'messages')).toMatchObject({
      takesEffectAt: null,
      inForce: { enabled: true, retainDays: 5 },
    });
    const after = await admin.get('/api/privacy/retention/preview');
    expect(after.body.asOf).toBe(now.toISOString());
    // 10 days old goes; 3 days old is 4 days old by the moved clock, inside the 5 days.
    expect(messagesRow(after.body)).toMatchObject({ enabled: true, count: 1 });
    const proposed = await admin.post('/api/privacy/retention/preview', {
      policies: [{ dataClass: 'messages', enabled: true, retainDays: 2 }],
    });
    expect(proposed.body.asOf).toBe(now.toISOString());
    expect(proposed.body.changes[0].takesEffectAt).toBe(new Date(now.getTime() + 24 * HOUR).toISOString());

    let sweep;
    do sweep = await admin.post('/api/privacy/retention/sweep');
    while (sweep.body.skipped); // the scheduled sweep may hold the lease for a moment
    expect(sweep.status).toBe(200);
    expect(sweep.body).toMatchObject({ sweptAt: now.toISOString(), removed: { messages: 1 } });
    const left = await server.root.db.select({ id: conversations.id }).from(conversations);
    expect(left.map((c) => c.id)).toEqual([aged.get(3)]);
  });
});

describe('two server processes sweeping one PostgreSQL database at once', () => {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `t_sweep_${randomBytes(4).toString('hex')}`;
  const url = new URL(base);
  url.pathname = `/${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'sweep-'));
  const deletions = join(dir, 'deletions.txt');

  beforeAll(async () => {
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    await admin.end();
    writeFileSync(deletions, '');
  });
  afterAll(async () => {
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  const sweeper = (startAt: number) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn('npx', ['tsx', 'test/helpers/sweep-worker.ts'], {
        env: {
          ...process.env,
          DATABASE_URL: url.toString(),
          DELETIONS_FILE: deletions,
          START_AT: String(startAt),
          DATA_DIR: dir,
        },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => resolve({ code, out, err }));
    });

  it('removes each expired record exactly once, with no errors, and deadlines survive the restart', async () => {
    const database = await openDatabase({ databaseUrl: url.toString() });
    const { db } = database;
    const [inbox] = await db.insert(inboxes).values({ name: 'Phone', channel: 'voice' }).returning();
    // No name: this database is opened without the identity keys (the contact's fields would be sealed with them).
    const contact = await insertContact(db);
    const convs = await db
      .insert(conversations)
      .values(
        Array.from({ length: 40 }, (_, i) => ({
          inboxId: inbox!.id,
          contactId: contact!.id,
          channel: 'voice' as const,
          threadKey: `CA${i}`,
          lastMessageAt: daysAgo(1),
        })),
      )
      .returning();
    await db.insert(recordings).values(
      convs.map((c, i) => ({
        conversationId: c.id,
        provider: 'test-provider',
        providerSid: `RE-${i}`,
        durationSeconds: 10,
        recordedAt: daysAgo(31),
        deleteAfter: daysAgo(1),
      })),
    );
    await db
      .insert(botDecisions)
      .values(convs.map((c) => ({ conversationId: c.id, action: 'handoff', reason: 'x', createdAt: daysAgo(200) })));
    await database.close();
    // The deadlines were written by this process, which has now gone: two fresh processes sweep at once.
    const startAt = Date.now() + 6_000;
    const [a, b] = await Promise.all([sweeper(startAt), sweeper(startAt)]);
    expect(a.code, a.err).toBe(0);
    expect(b.code, b.err).toBe(0);
    const results = [JSON.parse(a.out), JSON.parse(b.out)];
    const removed = results.reduce((sum, r) => sum + r.removed.recordings, 0);
    expect(removed).toBe(40);
    expect(results.reduce((sum, r) => sum + r.removed.bot_logs, 0)).toBe(40);
    const lines = readFileSync(deletions, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(40);
    expect(new Set(lines).size).toBe(40);

    const check = await openDatabase({ databaseUrl: url.toString() });
    expect((await check.db.select({ n: count() }).from(recordings).where(isNull(recordings.deletedAt)))[0]!.n).toBe(0);
    expect(
      (await check.db.select({ n: count() }).from(auditLog).where(eq(auditLog.action, 'recording.deleted')))[0]!.n,
    ).toBe(40);
    expect((await check.db.execute(sql`select 1`)) !== undefined).toBe(true);
    await check.close();
  }, 120_000);
});
