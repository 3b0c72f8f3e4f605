import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { type AgentClient, startTestServer, type TestServer } from '../helpers/server.ts';
import {
  auditLog,
  contactIdentities,
  conversationParticipants,
  conversations,
  inboxes,
  messages,
  recordings,
} from '../../drizzle/schema/index.ts';
import { eraseContact } from '../../server/privacy/erase.ts';
import { breachFixture } from '../helpers/breach-fixture.ts';
import { identityRow } from '../helpers/identities.ts';
import { insertContact } from '../helpers/contacts.ts';

/** Issue 21 item 4: the breach register, its 72-hour clock on a moved clock, and the affected-people finder. */
describe(`breach register and affected-people finder (${dbMode})`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let now = new Date('2026-03-30T12:00:00Z');
  const clock = () => new Date(now);
  const HOUR = 3_600_000;
  let inboxA: string;
  let inboxB: string;
  const people: Record<string, string> = {};
  const conv: Record<string, string> = {};

  const breachFields = breachFixture();

  /** A contact with an email identity (unless `email` is null) and a conversation in `inbox` started at `at`. */
  async function person(
    key: string,
    locale: string,
    inbox: string,
    at: string,
    email: string | null = `${key}@x.test`,
  ) {
    const db = server.root.db;
    const c = await insertContact(db, { name: `Person ${key.toUpperCase()}`, email, locale });
    people[key] = c!.id;
    if (email) await db.insert(contactIdentities).values(await identityRow(db, c!.id, 'email', email));
    const [cv] = await db
      .insert(conversations)
      .values({ inboxId: inbox, contactId: c!.id, channel: 'chat', threadKey: key, createdAt: new Date(at) })
      .returning({ id: conversations.id });
    conv[key] = cv!.id;
    await db.insert(messages).values({
      conversationId: cv!.id,
      channel: 'chat',
      direction: 'inbound',
      authorKind: 'contact',
      body: `hello from ${key}`,
      deliveryState: 'received',
      createdAt: new Date(at),
      occurredAt: new Date(at),
    });
  }

  async function recording(key: string, sid: string, recordedAt: string, deletedAt: string | null = null) {
    await server.root.db.insert(recordings).values({
      conversationId: conv[key]!,
      provider: 'twilio',
      providerSid: sid,
      durationSeconds: 60,
      recordedAt: new Date(recordedAt),
      deleteAfter: new Date('2027-01-01T00:00:00Z'),
      deletedAt: deletedAt ? new Date(deletedAt) : null,
    });
  }

  beforeAll(async () => {
    server = await startTestServer({}, { clock });
    admin = await server.agentClient('admin');
    const db = server.root.db;
    inboxA = server.chatInboxId;
    const [b] = await db.insert(inboxes).values({ name: 'Other chat', channel: 'chat' }).returning();
    inboxB = b!.id;
    await person('a', 'de-DE', inboxA, '2026-03-01T10:00:00Z'); // before the window, still there: in
    await person('b', 'fr', inboxA, '2026-03-15T10:00:00Z'); // inside the window: in
    await person('c', 'en', inboxA, '2026-03-25T10:00:00Z'); // after the window: out
    await person('d', 'fi', inboxB, '2026-03-15T10:00:00Z'); // another inbox: out
    await person('e', 'sv', inboxB, '2026-03-02T10:00:00Z'); // own conversation elsewhere, but wrote in b's: in
    await person('g', 'en', inboxA, '2026-03-12T10:00:00Z', null); // no address on file: in, without address
    await person('h', 'fi', inboxB, '2026-03-03T10:00:00Z'); // Cc'd on a's conversation: in
    await person('f', 'en', inboxA, '2026-03-05T10:00:00Z'); // erased later: counted from the audit log
    const [eIdentity] = await db.select().from(contactIdentities).where(eq(contactIdentities.contactId, people.e!));
    await db.insert(messages).values({
      conversationId: conv.b!,
      channel: 'chat',
      direction: 'inbound',
      authorKind: 'contact',
      authorIdentityId: eIdentity!.id,
      body: 'a reply from e',
      deliveryState: 'received',
      createdAt: new Date('2026-03-16T10:00:00Z'),
    });
    const [hIdentity] = await db.select().from(contactIdentities).where(eq(contactIdentities.contactId, people.h!));
    await db.insert(conversationParticipants).values({
      conversationId: conv.a!,
      identityId: hIdentity!.id,
      role: 'cc',
      firstSeenAt: new Date('2026-03-11T10:00:00Z'),
    });

    await recording('a', 'RE-a', '2026-03-14T10:00:00Z'); // exists at t: in
    await recording('d', 'RE-d', '2026-03-10T10:00:00Z', '2026-03-15T00:00:00Z'); // deleted before t: out
    await recording('c', 'RE-c', '2026-03-26T10:00:00Z'); // made after t: out
    await recording('b', 'RE-b', '2026-03-15T10:00:00Z', '2026-03-20T00:00:00Z'); // deleted after t: in
    await recording('f', 'RE-f', '2026-03-06T10:00:00Z', '2026-03-06T11:00:00Z'); // f's, gone before t
    // Erased now: its rows are gone, its erasure entry in the audit log says where the data was.
    await eraseContact(server.root, people.f!, { kind: 'system', id: null });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('records a breach and shows the 72 hours to the authority from discovery, overdue once they pass', async () => {
    now = new Date('2026-03-30T12:00:00Z');
    const created = await admin.post('/api/privacy/breaches', breachFields);
    expect(created.status).toBe(201);
    const id = created.body.breach.id;
    expect(created.body.breach.authorityClock).toEqual({
      dueAt: '2026-04-02T02:00:00.000Z',
      msLeft: 62 * HOUR,
      overdue: false,
      asOf: '2026-03-30T12:00:00.000Z',
    });

    now = new Date('2026-04-02T05:00:00Z');
    const late = await admin.get(`/api/privacy/breaches/${id}`);
    expect(late.body.breach.authorityClock.msLeft).toBe(-3 * HOUR);
    expect(late.body.breach.authorityClock.overdue).toBe(true);

    const told = await admin.send('PATCH', `/api/privacy/breaches/${id}`, {
      authorityNotifiedAt: '2026-04-02T04:30:00Z',
      authorityNote: 'The account owner was on leave; the logs were only readable on 1 April.',
    });
    expect(told.status).toBe(200);
    // Notified: no clock any more, but the register keeps that it was late (Art. 33(1) reasons for the delay).
    expect(told.body.breach.authorityClock.msLeft).toBeNull();
    expect(told.body.breach.authorityClock.overdue).toBe(true);

    const [entry] = await server.root.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1);
    expect(entry!.action).toBe('breach.updated');
    expect(entry!.details).toEqual({ fields: ['authorityNote', 'authorityNotifiedAt'] });
  });

  it('refuses times that cannot be true', async () => {
    now = new Date('2026-03-30T12:00:00Z');
    const future = await admin.post('/api/privacy/breaches', { ...breachFields, discoveredAt: '2026-03-31T00:00:00Z' });
    expect(future.status).toBe(400);
    expect(future.body.code).toBe('discovered_in_future');
    const backwards = await admin.post('/api/privacy/breaches', {
      ...breachFields,
      occurredTo: '2026-03-01T00:00:00Z',
    });
    expect(backwards.status).toBe(400);
    const agent = await server.agentClient('agent');
    expect((await agent.get('/api/privacy/breaches')).status).toBe(403);
  });

  it('counts everyone whose data was in inbox X between t1 and t2, erased people from the audit log', async () => {
    now = new Date('2026-03-30T12:00:00Z');
    const { body } = await admin.post('/api/privacy/breaches', breachFields);
    const found = await admin.post(`/api/privacy/breaches/${body.breach.id}/affected`, {
      kind: 'inbox',
      inboxId: inboxA,
      from: '2026-03-10T00:00:00Z',
      to: '2026-03-20T00:00:00Z',
    });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ total: 6, reachable: 5, erasedSince: 1, withoutAddress: 1 });
    expect(found.body.notices.map((n: { contactId: string }) => n.contactId).sort()).toEqual(
      [people.a, people.b, people.e, people.g, people.h].sort(),
    );
    expect(found.body.byLanguage).toEqual({ de: 1, fr: 1, sv: 1, en: 1, fi: 1 });

    const [entry] = await server.root.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1);
    expect(entry!.action).toBe('breach.affected_counted');
    expect(entry!.details).toMatchObject({ total: 6, reachable: 5, erasedSince: 1 });
    expect(JSON.stringify(entry!.details)).not.toContain('x.test');

    // Another inbox and an earlier window: a different set.
    const other = await admin.post(`/api/privacy/breaches/${body.breach.id}/affected`, {
      kind: 'inbox',
      inboxId: inboxB,
      from: '2026-03-01T00:00:00Z',
      to: '2026-03-04T00:00:00Z',
    });
    expect(other.body).toMatchObject({ total: 2, reachable: 2, erasedSince: 0 });
  });

  it('counts everyone with a recording that existed at time t', async () => {
    const { body } = await admin.post('/api/privacy/breaches', breachFields);
    const at = await admin.post(`/api/privacy/breaches/${body.breach.id}/affected`, {
      kind: 'recordings',
      at: '2026-03-15T12:00:00Z',
    });
    expect(at.status).toBe(200);
    expect(at.body).toMatchObject({ total: 2, reachable: 2, erasedSince: 0 });
    expect(at.body.notices.map((n: { contactId: string }) => n.contactId).sort()).toEqual([people.a, people.b].sort());
    // f's recording existed on 6 March: f is gone, the erasure entry still counts them.
    const earlier = await admin.post(`/api/privacy/breaches/${body.breach.id}/affected`, {
      kind: 'recordings',
      at: '2026-03-06T10:30:00Z',
    });
    expect(earlier.body).toMatchObject({ total: 1, reachable: 0, erasedSince: 1 });
  });

  it('drafts each notice in the person’s language with the recorded facts', async () => {
    const { body } = await admin.post('/api/privacy/breaches', breachFields);
    const found = await admin.post(`/api/privacy/breaches/${body.breach.id}/affected`, {
      kind: 'inbox',
      inboxId: inboxA,
      from: '2026-03-10T00:00:00Z',
      to: '2026-03-20T00:00:00Z',
    });
    const notice = (key: string) => found.body.notices.find((n: { contactId: string }) => n.contactId === people[key]);
    expect(notice('a').language).toBe('de');
    expect(notice('a').subject).toMatch(/^Wichtig:/);
    expect(notice('a').text).toContain('Guten Tag Person A,');
    expect(notice('a').text).toContain('Der Vorfall ereignete sich zwischen 10. März 2026 und 20. März 2026.');
    expect(notice('a').text).toContain(breachFields.measures);
    expect(notice('b').text).toMatch(/^Bonjour Person B,/);
    expect(notice('e').text).toMatch(/^Hej Person E,/);
    expect(notice('h').text).toMatch(/^Hei Person H,/);
    expect(notice('g')).toMatchObject({ language: 'en', email: null, phone: null });
  });

  it('exports the register for the authority as JSON, CSV and a printable page, audited', async () => {
    const json = await admin.get('/api/privacy/breaches/export');
    expect(json.status).toBe(200);
    expect(json.body.items.length).toBeGreaterThanOrEqual(1);
    const csv = await admin.get('/api/privacy/breaches/export?format=csv');
    expect(csv.status).toBe(200);
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toContain('discovered_at,occurred_from');
    expect(lines).toHaveLength(json.body.items.length + 1);
    const html = await admin.get('/api/privacy/breaches/export?format=html');
    expect(html.body).toContain('Register of personal data breaches');
    expect(html.body).toContain('Agent account used from an unknown place');
    const exported = await server.root.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'breach.register_exported'));
    expect(exported.map((e) => e.details.format)).toEqual(['json', 'csv', 'html']);
  });
});
