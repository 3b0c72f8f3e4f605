import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { dbMode, testDatabase } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { rowsOf, type Db } from '../../server/db/client.ts';
import { encryptContacts, unsealedContacts } from '../../server/privacy/encrypt-contacts.ts';
import { plainContactColumnsExist, UnsealedContactsError } from '../../server/privacy/contact-columns.ts';
import { conversations, inboxes } from '../../drizzle/schema/index.ts';

const old = { name: 'Quentin Marlowe-Sand', email: 'Q.Marlowe@Harbour.example', phone: '+44 20 7946 0958' };
/** Every piece of the contact's fields that must not be readable in its row once sealed. */
const pieces = ['Quentin', 'Marlowe', 'Sand', 'harbour', '7946', '0958'];

/**
 * What migration 0049 leaves while a contact from before the sealing (0046) is not sealed yet
 * (contact-columns-migration.test.ts): the plain columns, kept for such rows.
 */
async function withPlainColumns(db: Db, fields: Partial<typeof old>): Promise<string> {
  await db.execute(sql`alter table contacts add column name text, add column email text, add column phone text`);
  const [row] = rowsOf<{ id: string }>(
    await db.execute(sql`insert into contacts (name, email, phone)
      values (${fields.name ?? null}, ${fields.email ?? null}, ${fields.phone ?? null}) returning id`),
  );
  return row!.id;
}

/**
 * A contact stored before its fields were sealed (issue 22, migration 0046): name, email and phone in the plain
 * columns. `privacy:encrypt-existing`'s contacts stage seals them and then drops the columns; the contact is found as
 * before by every look-up an agent or a privacy manager uses, and its row holds no plain value.
 */
describe(`privacy:encrypt-existing seals a contact stored in plain text, on ${dbMode}`, () => {
  let server: TestServer;
  let agent: AgentClient;
  let manager: AgentClient;
  let oldContact: string;
  let oldConversation: string;
  let mailContact: string;

  beforeAll(async () => {
    server = await startTestServer();
    [agent, manager] = await Promise.all([server.agentClient('agent'), server.agentClient('manager')]);
    const { db } = server.root;
    oldContact = await withPlainColumns(db, old);
    const [conversation] = await db
      .insert(conversations)
      .values({ inboxId: server.chatInboxId, contactId: oldContact, channel: 'chat', threadKey: `old-${oldContact}` })
      .returning();
    oldConversation = conversation!.id;
    // The same person writes by email now: a new contact, sealed as ingest stores it, that shares the address.
    const [mail] = await db.insert(inboxes).values({ name: 'Mail', channel: 'email' }).returning();
    const written = await ingest(server.root, {
      channel: 'email',
      inboxId: mail!.id,
      sender: { kind: 'email', address: 'q.marlowe@harbour.example', name: 'Q. Marlowe' },
      threadKey: '<old-1@harbour.example>',
      externalId: '<old-1@harbour.example>',
      text: 'Writing from my work address.',
      occurredAt: new Date(),
    });
    mailContact = written.contactId;
  });
  afterAll(() => server?.stop());

  const findPeople = async (q: string) =>
    (await manager.get(`/api/privacy/people?q=${encodeURIComponent(q)}`)).body.contacts.map(
      (c: { id: string }) => c.id,
    );
  const listed = async (q: string) =>
    (await agent.get(`/api/contacts?q=${encodeURIComponent(q)}`)).body.items.map((c: { id: string }) => c.id);

  it('seals name, email and phone, with progress; then finds the contact by name, email and phone', async () => {
    const { db } = server.root;
    expect(await unsealedContacts(db)).toBe(1);
    const progress: string[] = [];
    expect(await encryptContacts(db, (stage, done, total) => progress.push(`${stage} ${done}/${total}`))).toBe(1);
    expect(progress).toEqual(['contacts 0/1', 'contacts 1/1']);
    expect(await unsealedContacts(db)).toBe(0);
    // With nothing left to seal, the plain columns are gone, as on a database 0049 found sealed.
    expect(await plainContactColumnsExist(db)).toBe(false);

    const [row] = rowsOf(await db.execute(sql`select * from contacts where id = ${oldContact}::uuid`));
    expect(row).toMatchObject({ id: oldContact, sealed_name: expect.stringMatching(/^pdk:v1:/) });
    const stored = JSON.stringify(row);
    for (const piece of pieces) expect(stored.toLowerCase(), piece).not.toContain(piece.toLowerCase());

    // The contact page shows the fields opened.
    expect((await agent.get(`/api/contacts/${oldContact}`)).body).toMatchObject(old);

    // Find this person (privacy requests): by a word of the name, the address or a word of it, the phone as typed
    // in national or international form.
    for (const q of ['marlowe-sand', 'quentin', old.email, 'q.marlowe@harbour.example', '020 7946 0958', old.phone])
      expect(await findPeople(q), q).toContain(oldContact);
    // Whole words only: part of a word finds it no longer.
    expect(await findPeople('marlo')).not.toContain(oldContact);

    // The contact list's box, the same way (the email contact has the address too, as its identity).
    for (const q of ['Quentin Marlowe', '020 7946 0958']) expect(await listed(q), q).toEqual([oldContact]);
    expect((await listed('q.marlowe@harbour.example')).sort()).toEqual([oldContact, mailContact].sort());

    // The search box: by name and by the contact's own email address, the address shown opened.
    const byName = (await agent.get('/api/search?q=marlowe')).body.items;
    expect(byName.map((i: { conversation: { id: string } }) => i.conversation.id)).toContain(oldConversation);
    const byEmail = (await agent.get(`/api/search?q=${encodeURIComponent('harbour.example quentin')}`)).body.items;
    expect(byEmail).toHaveLength(0); // "quentin" is in the name, not the address: every word must be in one field
    const exact = (await agent.get(`/api/search?q=${encodeURIComponent(old.email)}`)).body.items;
    const hit = exact.find((i: { conversation: { id: string } }) => i.conversation.id === oldConversation);
    expect(hit).toMatchObject({ matchedIn: 'email' });
    expect(hit.snippet.map((p: { text: string }) => p.text).join('')).toBe(old.email);

    // Merge suggestions: the email contact shares the (sealed) address in other capitals.
    const suggested = (await agent.get(`/api/contacts/${mailContact}/merge-suggestions`)).body.items;
    expect(suggested).toEqual([expect.objectContaining({ id: oldContact, matchedOn: ['email'], ...old })]);
  });
});

describe(`a server started on a database with contacts not sealed yet, on ${dbMode}`, () => {
  it('refuses to start and says what to run', { timeout: 120_000 }, async () => {
    const database = await testDatabase();
    try {
      await withPlainColumns(database.db, { name: 'Old Person' });
      const started = startTestServer({}, { database });
      await expect(started).rejects.toThrow(UnsealedContactsError);
      await expect(started).rejects.toThrow(
        'contacts stored before migration 0046 are not sealed yet: run npm run privacy:encrypt-existing (resumable), ' +
          'then start the server',
      );
      // Nothing was touched: the command finds the contact to seal.
      expect(await unsealedContacts(database.db)).toBe(1);
    } finally {
      await database.close();
    }
  });
});
