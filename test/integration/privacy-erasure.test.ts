import { openedMessages } from '../helpers/opened-messages.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dbMode } from '../helpers/db.ts';
import { privacyDeps } from '../helpers/privacy-deps.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { recordingProviderSpy, seedPerson } from '../helpers/fixtures.ts';
import { rowsOf } from '../../server/db/client.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { getContact } from '../../server/domain/contacts.ts';
import { eraseContact } from '../../server/privacy/erase.ts';
import { placeHold, releaseHold } from '../../server/privacy/legal-holds.ts';
import { listAudit } from '../../server/privacy/audit-verify.ts';
import { inboxes, messages } from '../../drizzle/schema/index.ts';

const person = {
  name: 'Ada Quartermaine',
  email: 'ada.quartermaine@example.org',
  phone: '+15550109911',
  marker: 'zq-ada-7341',
};
const needles = [person.name, person.email, person.phone, person.marker, 'Quartermaine'];

/** Erasure as an operation: a real database and erasure's declared dependencies, no HTTP. */
describe(`erasure (Art. 17) on ${dbMode}`, () => {
  const provider = recordingProviderSpy();
  let harness: Awaited<ReturnType<typeof privacyDeps>>;
  let admin: { id: string; name: string };
  let seeded: Awaited<ReturnType<typeof seedPerson>>;
  let otherMessageId: string;

  beforeAll(async () => {
    harness = await privacyDeps({ recordingProviders: new Map([['test-provider', provider]]) });
    const { deps } = harness;
    admin = await harness.agent('admin');
    seeded = await seedPerson(deps, person);
    // Someone else mentions Ada in their own message: her identifiers must go from there too.
    const [mail] = await deps.db.insert(inboxes).values({ name: 'Other mail', channel: 'email' }).returning();
    const other = await ingest(deps, {
      channel: 'email',
      inboxId: mail!.id,
      sender: { kind: 'email', address: 'bob.other@example.net', name: 'Bob Other' },
      threadKey: '<bob-thread@example.net>',
      externalId: '<bob-1@example.net>',
      text: `My colleague ${person.name} (${person.email}, ${person.phone}) asked me to follow up.`,
      occurredAt: new Date(),
    });
    otherMessageId = other.message.id;
    // The admin worked on Ada's conversation: a note quoting her.
    await deps.db.insert(messages).values({
      conversationId: seeded.emailConversationId,
      channel: 'email',
      direction: 'internal',
      kind: 'note',
      authorKind: 'agent',
      authorAgentId: admin.id,
      body: `Called ${person.name} back about ${person.marker}-note`,
      deliveryState: 'stored',
    });
  });
  afterAll(() => harness?.close());

  it('is blocked by a legal hold with 409 and the reason, until the hold is released', async () => {
    const { deps } = harness;
    const hold = await placeHold(
      deps.db,
      { conversationId: seeded.callConversationId, reason: 'Pending dispute #88' },
      admin.id,
    );
    const blocked = await eraseContact(deps, seeded.contactId, { kind: 'agent', id: admin.id }).catch((e) => e);
    expect(blocked).toMatchObject({
      statusCode: 409,
      code: 'legal_hold',
      message: expect.stringContaining('Pending dispute #88'),
    });
    expect(provider.deleted).toEqual([]);
    expect((await getContact(deps.db, seeded.contactId)).legalHolds).toHaveLength(1);
    expect((await releaseHold(deps.db, hold.id, admin.id)).releasedAt).not.toBeNull();
  });

  it('erases every row, file and provider copy, redacts mentions elsewhere, and returns a receipt', async () => {
    const { deps } = harness;
    const receipt = await eraseContact(deps, seeded.contactId, { kind: 'agent', id: admin.id });
    expect(receipt.database).toMatchObject({
      contacts: 1,
      contact_identities: 2,
      conversations: 2,
      attachments: 1,
      recordings: 1,
    });
    expect(receipt.database.messages).toBeGreaterThanOrEqual(3);
    expect(receipt.database.consent_events).toBe(0);
    expect(receipt).toMatchObject({ blobs: 2, providerRecordings: 1, mentionsRedacted: 1 });
    expect(provider.deleted).toEqual([seeded.sid]);
    await expect(getContact(deps.db, seeded.contactId)).rejects.toMatchObject({ statusCode: 404 });

    const [other] = await openedMessages(deps.db, deps.dataKeys, eq(messages.id, otherMessageId));
    expect(other!.body).toBe('My colleague [erased] ([erased], [erased]) asked me to follow up.');

    const audit = await listAudit(deps.db, undefined, 5);
    const entry = audit.items.find((e) => e.action === 'contact.erased');
    expect(entry).toMatchObject({
      id: receipt.auditEntryId,
      targetId: seeded.contactId,
      details: { blobs: 2, providerRecordings: 1 },
    });
    // Published after the commit: agents drop her conversations, her widget sockets are cut.
    expect(harness.published).toContainEqual({
      name: 'contact.erased',
      event: expect.objectContaining({ contactId: seeded.contactId }),
    });
  });

  it('proof: no text column of any table and no blob holds her identifiers or her messages', async () => {
    const { db, blobs } = harness.deps;
    const columns = rowsOf<{ table_name: string; column_name: string }>(
      await db.execute(sql`
        select table_name, column_name from information_schema.columns
        where table_schema = 'public' and data_type in ('text', 'character varying', 'jsonb', 'json', 'ARRAY')`),
    );
    expect(columns.length).toBeGreaterThan(20);
    const hits: string[] = [];
    for (const { table_name, column_name } of columns) {
      for (const needle of needles) {
        const found = rowsOf<{ n: number }>(
          await db.execute(
            sql`select count(*)::int as n from ${sql.identifier(table_name)}
              where ${sql.identifier(column_name)}::text ilike ${`%${needle}%`}`,
          ),
        );
        if (found[0]!.n > 0) hits.push(`${table_name}.${column_name} contains ${needle}`);
      }
    }
    expect(hits).toEqual([]);

    const blobDir = join(harness.dir, 'blobs');
    for (const id of await blobs.list()) {
      const content = (await readFile(join(blobDir, id.slice(0, 2), id))).toString('latin1');
      for (const needle of needles) expect(content.includes(needle), `blob ${id} contains ${needle}`).toBe(false);
    }
    expect(await blobs.size(seeded.fileBlob)).toBeNull();
    expect(await blobs.size(seeded.audioBlob)).toBeNull();
  });

  it('an unknown contact: 404', async () => {
    await expect(eraseContact(harness.deps, seeded.contactId, { kind: 'agent', id: admin.id })).rejects.toMatchObject({
      statusCode: 404,
      code: 'not_found',
    });
  });
});

/** The HTTP route: who may call it, its statuses, and that nothing personal reaches the log on the way. */
describe(`erasure API on ${dbMode}`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let agent: AgentClient;
  const provider = recordingProviderSpy();
  let seeded: Awaited<ReturnType<typeof seedPerson>>;

  beforeAll(async () => {
    server = await startTestServer();
    server.root.recordingProviders.set('test-provider', provider);
    [admin, agent] = await Promise.all([server.agentClient('admin'), server.agentClient('agent')]);
    seeded = await seedPerson(server.root, person);
    await admin.post(`/api/conversations/${seeded.emailConversationId}/notes`, {
      text: `Called ${person.name} back about ${person.marker}-note`,
    });
  });
  afterAll(() => server.stop());

  it('is for admins only', async () => {
    const res = await agent.post(`/api/contacts/${seeded.contactId}/erase`, { confirm: true });
    expect(res.status).toBe(403);
    expect((await agent.get(`/api/contacts/${seeded.contactId}`)).status).toBe(200);
  });

  it('answers 409 with the reason while a legal hold is active', async () => {
    const hold = await admin.post('/api/privacy/legal-holds', {
      conversationId: seeded.callConversationId,
      reason: 'Pending dispute #88',
    });
    expect(hold.status).toBe(201);
    const blocked = await admin.post(`/api/contacts/${seeded.contactId}/erase`, { confirm: true });
    expect(blocked.status).toBe(409);
    expect(blocked.body).toMatchObject({ code: 'legal_hold', message: expect.stringContaining('Pending dispute #88') });
    expect(provider.deleted).toEqual([]);
    expect((await admin.get(`/api/contacts/${seeded.contactId}`)).body.legalHolds).toHaveLength(1);
    expect((await admin.post(`/api/privacy/legal-holds/${hold.body.hold.id}/release`)).status).toBe(200);
  });

  it('erases with 200 and the receipt; then the contact is 404, and no log line held her identifiers', async () => {
    const res = await admin.post(`/api/contacts/${seeded.contactId}/erase`, { confirm: true });
    expect(res.status).toBe(200);
    expect(res.body.receipt).toMatchObject({ contactId: seeded.contactId, blobs: 2, providerRecordings: 1 });
    expect((await admin.get(`/api/contacts/${seeded.contactId}`)).status).toBe(404);
    const logs = server.logs();
    for (const needle of needles) expect(logs.includes(needle), `log contains ${needle}`).toBe(false);
  });

  it('an unknown contact: 404', async () => {
    expect((await admin.post(`/api/contacts/${seeded.contactId}/erase`, { confirm: true })).status).toBe(404);
  });
});
