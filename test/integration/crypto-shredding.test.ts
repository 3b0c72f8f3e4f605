import { openContact } from '../../server/domain/contact-fields.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle } from 'drizzle-orm/pglite';
import postgres from 'postgres';
import { dbMode, testDatabase } from '../helpers/db.ts';
import { eventually } from '../helpers/email.ts';
import { privacyDeps } from '../helpers/privacy-deps.ts';
import { recordingProviderSpy, seedPerson } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { base64, png } from '../helpers/files.ts';
import {
  attachments,
  auditLog,
  botDecisions,
  consentEvents,
  contactIdentities,
  conversations,
  contacts,
  messages,
  recordings,
} from '../../drizzle/schema/index.ts';
import {
  addressContext,
  bindIdentityKeys,
  identityKeysOf,
  newIdentity,
  tokenOfAddress,
  tokenOfSlackMember,
} from '../../server/domain/identity-address.ts';
import { getContact } from '../../server/domain/contacts.ts';
import { phoneThreadToken } from '../../server/domain/thread-keys.ts';
import { plainAddressColumnExists } from '../../server/privacy/identity-column.ts';
import { plainContactColumnsExist } from '../../server/privacy/contact-columns.ts';
import * as schema from '../../drizzle/schema/index.ts';
import type { Db } from '../../server/db/client.ts';
import { openDatabase, rowsOf } from '../../server/db/client.ts';
import { recordConsent, consentHistory } from '../../server/privacy/consent.ts';
import { eraseContact } from '../../server/privacy/erase.ts';
import { openEvidence, type Evidence } from '../../server/privacy/consent-evidence.ts';
import { encryptedMarkerPath, encryptExisting, plaintextRemaining } from '../../server/privacy/encrypt-existing.ts';
import { createLocalBlobStore } from '../../server/blobs/store.ts';
import { createEncryptedBlobStore, type EncryptedBlobStore } from '../../server/blobs/encrypted.ts';
import { blobOwners } from '../../server/blobs/owners.ts';
import { createDataKeys, PersonalDataUnreadableError } from '../../server/security/data-keys.ts';
import { createFileKeyStore, keyStorePath } from '../../server/security/key-store.ts';
import { blockFilePath } from '../../server/security/key-blocks.ts';
import { keyFilePath, keyFileProvider, masterKey, openKeyProvider, readKeyFile } from '../../server/security/keys.ts';
import { rotateMasterKey } from '../../server/security/rotate.ts';
import { secretSettingsOf } from '../../channels/registry.ts';
import { conversationDecisions, recordDecision } from '../../server/bot/actions.ts';
import { openScores } from '../../server/bot/decision-scores.ts';
import { openMessageTexts, openSubjects } from '../../server/domain/message-text.ts';
import { blindingOf } from '../../server/domain/message-store.ts';
import { openedMessages } from '../helpers/opened-messages.ts';

const ada = {
  name: 'Adelheid Quarrington',
  email: 'adelheid.q@example.org',
  phone: '+15550107711',
  marker: 'adq-7731',
};
const bob = { name: 'Bartholomew Osgood', email: 'bart.osgood@example.org', phone: '+15550107722', marker: 'bko-4412' };

/** Every file under `dir` (recursively) whose bytes contain one of the needles. */
function filesContaining(dir: string, needles: string[]): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const bytes = readFileSync(path);
        if (needles.some((n) => bytes.includes(Buffer.from(n)))) hits.push(path);
      }
    }
  };
  walk(dir);
  return hits;
}

/** A dump of the whole database, restorable elsewhere: PGlite's data directory, or pg_dump's custom format. */
async function dumpDatabase(db: Db, url: string | undefined, dir: string) {
  if (!url) return { pglite: await (db as unknown as { $client: PGlite }).$client.dumpDataDir('none') };
  const file = join(dir, 'backup.dump');
  execFileSync('pg_dump', ['--format=custom', '--file', file, url]);
  return { file };
}

/** The old dump, restored as a database of its own (next to the live one, whose DATA_DIR/keys it meets). */
async function restoreDatabase(dump: Awaited<ReturnType<typeof dumpDatabase>>) {
  if (dump.pglite) {
    const client = new PGlite({ loadDataDir: dump.pglite, extensions: { pg_trgm } });
    await client.waitReady;
    return { db: drizzle({ client, schema }) as unknown as Db, close: () => client.close() };
  }
  const base = process.env.DATABASE_URL!;
  const name = `restored_${randomBytes(5).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  execFileSync('pg_restore', ['--no-owner', '--dbname', url.toString(), dump.file!]);
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 2 });
  return {
    db: database.db,
    async close() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** The articles the bot weighed for each person's question: which ones, and how close, tell what they asked. */
const articles = { ada: [randomUUID(), randomUUID()], bob: [randomUUID(), randomUUID()] };
const candidatesOf = (who: 'ada' | 'bob') => [
  { articleId: articles[who][0]!, score: 0.412 },
  { articleId: articles[who][1]!, score: 0.287 },
];

describe(`per-person data keys and crypto-shredding, on ${dbMode}`, () => {
  let harness: Awaited<ReturnType<typeof privacyDeps>>;
  let people: Record<'ada' | 'bob', Awaited<ReturnType<typeof seedPerson>>>;

  beforeAll(async () => {
    harness = await privacyDeps({
      pgliteOnDisk: true,
      recordingProviders: new Map([['test-provider', recordingProviderSpy()]]),
    });
    const { deps } = harness;
    people = { ada: await seedPerson(deps, ada), bob: await seedPerson(deps, bob) };
    for (const [who, p] of [
      [ada, people.ada],
      [bob, people.bob],
    ] as const)
      await recordConsent(deps, {
        contactId: p.contactId,
        purpose: 'analytics',
        granted: true,
        policyVersion: 'phone-2026',
        textHash: 'a'.repeat(64),
        sourceChannel: 'voice',
        evidence: { recordedBy: 'agent', statement: `agreed on the phone, reference ${who.marker}-consent` },
        actor: { kind: 'system', id: null },
      });
    // The bot's decision on each person's first message, stored the way the bot stores it.
    for (const who of ['ada', 'bob'] as const) {
      const conversationId = people[who].emailConversationId;
      const [first] = await deps.db
        .select({ id: messages.id })
        .from(messages)
        .where(eq(messages.conversationId, conversationId))
        .limit(1);
      await recordDecision(deps, {
        conversationId,
        messageId: first!.id,
        action: 'handoff',
        reason: 'low_confidence',
        confidence: 0.412,
        candidates: candidatesOf(who),
      });
    }
  });
  afterAll(() => harness?.close());

  it('stores files, consent evidence and bot decisions encrypted; every reader gets the plaintext back', async () => {
    const { deps, dir } = harness;
    const needles = [ada.marker, bob.marker, ada.name, bob.name];
    expect(filesContaining(join(dir, 'blobs'), needles)).toEqual([]);
    expect(filesContaining(join(dir, 'keys'), needles)).toEqual([]);
    const stored = await deps.db.select().from(consentEvents);
    expect(JSON.stringify(stored)).not.toContain(ada.marker);
    expect(stored.every((e) => Object.keys(e.evidence).join() === 'encrypted')).toBe(true);

    const file = await buffer(await deps.blobs.get(people.ada.fileBlob));
    expect(file.toString()).toBe(`invoice for ${ada.name} ${ada.marker}-file-content`);
    expect(await deps.blobs.size(people.ada.fileBlob)).toBe(file.length);
    const history = await consentHistory(deps, people.ada.contactId);
    expect(history.map((h) => h.evidence.statement)).toContain(`agreed on the phone, reference ${ada.marker}-consent`);
    // The decisions' rows keep action and reason (analytics groups by them), not which articles or how close.
    const decisions = await deps.db.select().from(botDecisions);
    expect(decisions.map((d) => [d.action, d.reason])).toEqual([
      ['handoff', 'low_confidence'],
      ['handoff', 'low_confidence'],
    ]);
    expect(JSON.stringify(decisions)).not.toContain(articles.ada[0]);
    expect(JSON.stringify(decisions)).not.toContain('0.412');
    expect(decisions.every((d) => d.confidence === null && d.candidates.length === 0)).toBe(true);
    // The agents' view of the conversation opens them.
    const [view] = await conversationDecisions(deps, people.ada.emailConversationId);
    expect(view).toMatchObject({ action: 'handoff', confidence: 0.412 });
    expect(view!.candidates.map((c) => [c.articleId, c.score])).toEqual(
      candidatesOf('ada').map((c) => [c.articleId, c.score]),
    );
    // A contact created at ingest has no key file of their own: their key is in a block of keys made ahead (the id
    // names it), mode 0600, holding wrapped keys only.
    expect(existsSync(join(keyStorePath(dir), people.ada.contactId.slice(0, 2), `${people.ada.contactId}.key`))).toBe(
      false,
    );
    const entry = blockFilePath(keyStorePath(dir), people.ada.contactId);
    expect(readFileSync(entry, 'utf8')).toContain(people.ada.contactId);
    expect(statSync(entry).mode & 0o777).toBe(0o600);
    const key = (await deps.dataKeys.keyFor(people.ada.contactId)).key;
    expect(readFileSync(entry).includes(Buffer.from(key.toString('base64')))).toBe(false);
  });

  it(
    'a backup taken before the erasure, restored next to the live key store: the person is unreadable, the others not',
    { timeout: 120_000 },
    async () => {
      const { deps, dir, database } = harness;
      const backupDir = mkdtempSync(join(tmpdir(), 'backup-'));
      const keyBefore = (await deps.dataKeys.keyFor(people.ada.contactId)).key.toString('base64');
      const dump = await dumpDatabase(deps.db, (database as { url?: string }).url, backupDir);
      cpSync(join(dir, 'blobs'), join(backupDir, 'blobs'), { recursive: true });

      await eraseContact(deps, people.ada.contactId, { kind: 'system', id: null });
      const [entry] = await deps.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, 'contact.erased'))
        .orderBy(sql`${auditLog.id} desc`)
        .limit(1);
      const details = entry!.details as { dataKeys: string[] };
      expect(details.dataKeys).toHaveLength(1);
      expect(JSON.stringify(entry)).not.toContain(keyBefore);
      expect(await deps.dataKeys.keyOf(people.ada.contactId)).toBeUndefined();

      const restored = await restoreDatabase(dump);
      try {
        // The old dump still has both people's rows ...
        const events = await restored.db
          .select()
          .from(consentEvents)
          .where(inArray(consentEvents.contactId, [people.ada.contactId, people.bob.contactId]));
        expect(new Set(events.map((e) => e.contactId)).size).toBe(2);
        const opened = await openEvidence(deps.dataKeys, events);
        const evidenceOf = (id: string) => opened.filter((_, i) => events[i]!.contactId === id);
        // ... but with the live keys only Bob's evidence opens.
        expect(evidenceOf(people.ada.contactId)).toEqual([{}]);
        // The sealed copies of the identity addresses: Ada's no longer open, Bob's do.
        const identities = await restored.db
          .select()
          .from(contactIdentities)
          .where(inArray(contactIdentities.contactId, [people.ada.contactId, people.bob.contactId]));
        const addresses = await deps.dataKeys.decryptMany(
          identities.map((i) => ({ sealed: i.sealedAddress!, context: addressContext(i.id) })),
        );
        const addressesOf = (id: string) => addresses.filter((_, i) => identities[i]!.contactId === id);
        expect(addressesOf(people.ada.contactId)).toEqual([null, null]);
        expect(addressesOf(people.bob.contactId).sort()).toEqual([bob.email, bob.phone].sort());
        // The dump holds no identity address of hers in any form: the identities table has no plain address, and
        // nothing in its rows spells her email address or number (nor its digits).
        const identityText = rowsOf<{ row: string }>(
          await restored.db.execute(sql`select ci::text as row from contact_identities ci`),
        )
          .map((r) => r.row)
          .join('\n');
        expect(identityText).toContain(people.ada.contactId); // her rows are there, sealed
        for (const form of [ada.email, ada.email.toLowerCase(), ada.phone, ada.phone.replace(/\D/g, '')])
          expect(identityText).not.toContain(form);
        // A view of her contact in the restored database shows her addresses as unreadable, and does not fail.
        bindIdentityKeys(restored.db, identityKeysOf(deps.db));
        const view = await getContact(restored.db, people.ada.contactId);
        expect(view.identities.map((i) => i.address)).toEqual([null, null]);
        // Her name, email and phone are null and said to be unreadable (not "never known"); Bob's are readable.
        expect(view).toMatchObject({ name: null, email: null, phone: null });
        expect([...view.unreadable].sort()).toEqual(['email', 'name']); // her phone is an identity only
        const bobView = await getContact(restored.db, people.bob.contactId);
        expect(bobView.identities.map((i) => i.address).sort()).toEqual([bob.email, bob.phone].sort());
        expect(bobView).toMatchObject({ name: bob.name, email: bob.email, unreadable: [] });
        expect(evidenceOf(people.bob.contactId)).toEqual([
          { recordedBy: 'agent', statement: `agreed on the phone, reference ${bob.marker}-consent` },
        ]);
        // The contacts' own name, email and phone: Ada's row in the old dump holds them in no readable form (no
        // plain column, sealed values that no longer open), Bob's open.
        const oldContacts = await restored.db
          .select()
          .from(contacts)
          .where(inArray(contacts.id, [people.ada.contactId, people.bob.contactId]));
        const oldAda = oldContacts.find((c) => c.id === people.ada.contactId)!;
        for (const value of [ada.name, ...ada.name.split(' '), ada.email, ada.phone, ada.phone.slice(2)])
          expect(JSON.stringify(oldAda)).not.toContain(value);
        expect(oldAda.sealedName).toMatch(/^pdk:v1:/);
        expect(await openContact(deps.dataKeys, oldAda)).toMatchObject({
          name: null,
          email: null,
          phone: null,
          fieldsUnreadable: ['name', 'email'],
        });
        const oldBob = oldContacts.find((c) => c.id === people.bob.contactId)!;
        for (const value of [bob.name, bob.email]) expect(JSON.stringify(oldBob)).not.toContain(value);
        expect(await openContact(deps.dataKeys, oldBob)).toMatchObject({ name: bob.name, email: bob.email });
        await expect(
          deps.dataKeys.decrypt(
            (events.find((e) => e.contactId === people.ada.contactId)!.evidence as Evidence).encrypted!,
            `consent_events.evidence/${events.find((e) => e.contactId === people.ada.contactId)!.id}`,
          ),
        ).rejects.toThrow(PersonalDataUnreadableError);

        // The bot's decisions: both people's rows are there, only Bob's scores open; Ada's read as unreadable.
        const oldDecisions = await restored.db.select().from(botDecisions);
        expect(oldDecisions).toHaveLength(2);
        const decisionOf = (conversationId: string) => oldDecisions.filter((d) => d.conversationId === conversationId);
        expect(await openScores(deps.dataKeys, decisionOf(people.ada.emailConversationId))).toEqual([
          { confidence: null, candidates: [], unreadable: true },
        ]);
        expect(await openScores(deps.dataKeys, decisionOf(people.bob.emailConversationId))).toEqual([
          { confidence: 0.412, candidates: candidatesOf('bob'), unreadable: false },
        ]);
        // An agent's view over the restored database shows Ada's decision without scores instead of failing.
        const [adaView] = await conversationDecisions(
          { db: restored.db, dataKeys: deps.dataKeys },
          people.ada.emailConversationId,
        );
        expect(adaView).toMatchObject({
          action: 'handoff',
          reason: 'low_confidence',
          confidence: null,
          candidates: [],
        });

        // Message text (issue 22): the dump holds both people's messages, sealed, with a blinded index; with the
        // live keys only Bob's open, and no word or phone digit of either is readable in the dump.
        const oldMessages = await restored.db
          .select({ message: messages, contactId: schema.conversations.contactId })
          .from(messages)
          .innerJoin(schema.conversations, eq(schema.conversations.id, messages.conversationId));
        const textsOf = async (contactId: string) =>
          openMessageTexts(
            deps.dataKeys,
            oldMessages.filter((m) => m.contactId === contactId).map((m) => m.message),
          );
        const adaTexts = await textsOf(people.ada.contactId);
        expect(adaTexts.length).toBeGreaterThanOrEqual(2);
        expect(adaTexts.every((m) => m.textUnreadable === true && m.body === '')).toBe(true);
        const bobTexts = (await textsOf(people.bob.contactId)).map((m) => m.body);
        expect(bobTexts).toEqual(
          expect.arrayContaining([
            expect.stringContaining(`${bob.marker}-body-one`),
            `Voicemail: ${bob.marker}-body-two`,
          ]),
        );
        const storedText = rowsOf<{ t: string }>(
          await restored.db.execute(sql`select concat_ws(' ', body, html, search_vector::text, mention_tokens::text)
            as t from messages`),
        )
          .map((r) => r.t)
          .join('\n');
        for (const needle of [`${ada.marker}-body`, `${bob.marker}-body`, 'secret', 'voicemail', '5550107722'])
          expect(storedText.toLowerCase()).not.toContain(needle.toLowerCase());
        // Subjects (migration 0047): both mail conversations' subjects are in the dump, sealed with a blinded index;
        // with the live keys only Bob's opens.
        const oldSubjects = await restored.db
          .select({ id: conversations.id, subject: conversations.subject, v: sql<string>`subject_vector::text` })
          .from(conversations)
          .where(inArray(conversations.id, [people.ada.emailConversationId, people.bob.emailConversationId]));
        expect(oldSubjects).toHaveLength(2);
        for (const row of oldSubjects) expect(row.subject).toMatch(/^pdk:v1:/);
        const openedSubjects = new Map((await openSubjects(deps.dataKeys, oldSubjects)).map((c) => [c.id, c]));
        expect(openedSubjects.get(people.ada.emailConversationId)).toMatchObject({
          subject: null,
          subjectUnreadable: true,
        });
        expect(openedSubjects.get(people.bob.emailConversationId)!.subject).toBe(`Order question ${bob.marker}`);
        const subjectText = JSON.stringify(oldSubjects).toLowerCase();
        for (const needle of [ada.marker, bob.marker, 'order question']) expect(subjectText).not.toContain(needle);
        if (dump.pglite) {
          const bytes = Buffer.from(await dump.pglite.arrayBuffer());
          for (const needle of [`${ada.marker}-body`, `${bob.marker}-body`, `Order question ${ada.marker}`])
            expect(bytes.includes(needle)).toBe(false);
        }

        // The old files, through a store over the backup's copy of the file directory and the live keys.
        const oldFiles = createEncryptedBlobStore(
          createLocalBlobStore(join(backupDir, 'blobs')),
          deps.dataKeys,
          blobOwners(restored.db),
        );
        const [oldAttachment] = await restored.db
          .select()
          .from(attachments)
          .where(eq(attachments.blobId, people.ada.fileBlob));
        expect(oldAttachment).toBeDefined();
        const [oldRecording] = await restored.db
          .select()
          .from(recordings)
          .where(eq(recordings.blobId, people.ada.audioBlob));
        expect(oldRecording).toBeDefined();
        for (const blob of [people.ada.fileBlob, people.ada.audioBlob])
          await expect(oldFiles.get(blob)).rejects.toThrow(PersonalDataUnreadableError);
        expect((await buffer(await oldFiles.get(people.bob.fileBlob))).toString()).toBe(
          `invoice for ${bob.name} ${bob.marker}-file-content`,
        );
        expect((await buffer(await oldFiles.get(people.bob.audioBlob))).toString()).toContain(bob.marker);
        // And the backup's bytes hold no readable copy of anyone.
        expect(filesContaining(join(backupDir, 'blobs'), [ada.marker, bob.marker])).toEqual([]);
      } finally {
        await restored.close();
        rmSync(backupDir, { recursive: true, force: true });
      }
    },
  );

  it('a merge hands the other contact’s key over: erasing the kept contact shreds the merged files too', async () => {
    const { deps } = harness;
    const carol = await seedPerson(deps, { ...ada, email: 'c@example.org', phone: '+15550107733', marker: 'c1' });
    const dave = await seedPerson(deps, { ...bob, email: 'd@example.org', phone: '+15550107744', marker: 'd1' });
    await deps.dataKeys.adopt(carol.contactId, dave.contactId);
    expect((await buffer(await deps.blobs.get(dave.fileBlob))).toString()).toContain('d1-file-content');
    const shredded = await deps.dataKeys.shred(carol.contactId);
    expect(shredded).toHaveLength(2);
    await expect(deps.blobs.get(dave.fileBlob)).rejects.toThrow(PersonalDataUnreadableError);
  });
});

describe(`keys:rotate re-wraps the data keys, on ${dbMode}`, () => {
  it('every key of the key store is wrapped under the new master key and still opens what it encrypted', async () => {
    const harness = await privacyDeps();
    const dataDir = mkdtempSync(join(tmpdir(), 'rotate-'));
    try {
      const settings = { encryptionKey: undefined, decryptKeys: [], dataDir };
      const before = openKeyProvider(settings, new Set());
      const oldId = before.current().id;
      const dataKeys = createDataKeys(before, createFileKeyStore(keyStorePath(dataDir)));
      const contacts = [randomUUID(), randomUUID(), randomUUID()];
      const sealed = await Promise.all(contacts.map((c) => dataKeys.encrypt(c, `value of ${c}`, `test/${c}`)));

      const result = await rotateMasterKey(settings, harness.deps.db, secretSettingsOf());
      expect(result.rewrappedDataKeys).toBe(3);
      expect(result.currentKeyId).not.toBe(oldId);
      expect(result.retiredOldKeys).toBe(true);
      expect(readKeyFile(keyFilePath(dataDir)).map((k) => masterKey(k).id)).toEqual([result.currentKeyId]);
      // Only the new key is left: a fresh process opens every value with it.
      const after = createDataKeys(keyFileProvider(keyFilePath(dataDir)), createFileKeyStore(keyStorePath(dataDir)));
      for (const [i, c] of contacts.entries())
        expect(await after.decrypt(sealed[i]!, `test/${c}`)).toBe(`value of ${c}`);
      for (const c of contacts) {
        const file = readFileSync(join(keyStorePath(dataDir), c.slice(0, 2), `${c}.key`), 'utf8');
        expect(file).toContain(`sealed:v1:${result.currentKeyId}:`);
        expect(file).not.toContain(`sealed:v1:${oldId}:`);
      }
    } finally {
      await harness.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe(`privacy:encrypt-existing, on ${dbMode}`, () => {
  it('encrypts the files, evidence, bot decisions and message text stored before, with progress; resumes', async () => {
    const harness = await privacyDeps();
    const { deps, dir } = harness;
    try {
      const person = await seedPerson(deps, { ...ada, marker: 'old-4471' });
      // What an older version stored: plaintext files and plaintext evidence.
      const raw = createLocalBlobStore(join(dir, 'blobs'));
      const [message] = await deps.db
        .select({ id: attachments.messageId })
        .from(attachments)
        .where(eq(attachments.blobId, person.fileBlob));
      const plainIds: string[] = [];
      for (let i = 0; i < 5; i++) {
        const blob = await raw.put(Buffer.from(`old scan ${i} old-4471-plain`));
        plainIds.push(blob.id);
        await deps.db.insert(attachments).values({
          messageId: message!.id,
          blobId: blob.id,
          filename: `scan-${i}.txt`,
          contentType: 'text/plain',
          size: blob.size,
        });
      }
      await deps.db.insert(consentEvents).values(
        [1, 2, 3].map((i) => ({
          contactId: person.contactId,
          purpose: 'support' as const,
          granted: true,
          policyVersion: 'v0',
          textHash: 'b'.repeat(64),
          sourceChannel: 'email' as const,
          evidence: { statement: `old statement ${i} old-4471-plain` },
        })),
      );
      // Bot decisions with their scores in the plain columns; the last one (no scores at all) has nothing to seal.
      const oldArticle = randomUUID();
      await deps.db.insert(botDecisions).values([
        ...[1, 2, 3, 4].map((i) => ({
          conversationId: person.emailConversationId,
          action: 'answer',
          reason: 'confident',
          confidence: i / 8,
          candidates: [{ articleId: oldArticle, score: i / 8 }],
          createdAt: new Date(Date.now() - (5 - i) * 60_000),
        })),
        { conversationId: person.emailConversationId, action: 'handoff', reason: 'human_requested' },
      ]);
      // And an identity as it was stored before tokens, its plain address only, on a database as migration 0044
      // leaves it while such rows exist (identity-column-migration.test.ts): the plain column kept, nullable.
      await deps.db.execute(sql`alter table contact_identities add column address text`);
      await deps.db.execute(sql`alter table contact_identities alter column address_token drop not null`);
      await deps.db.execute(sql`alter table contact_identities alter column sealed_address drop not null`);
      await deps.db.execute(sql`insert into contact_identities (contact_id, kind, address)
        values (${person.contactId}, 'email', 'old-4471@example.org')`);
      expect(await plainAddressColumnExists(deps.db)).toBe(true);
      // And a contact as it was stored before its fields were sealed (0046), on a database as migration 0049 leaves
      // it while such rows exist (contact-columns-migration.test.ts): the plain columns kept.
      await deps.db.execute(sql`alter table contacts add column name text, add column email text,
        add column phone text`);
      const [oldPerson] = rowsOf<{ id: string }>(
        await deps.db.execute(sql`insert into contacts (name, email)
          values ('Olga Old-4471', 'olga.old-4471@example.org') returning id`),
      );
      expect(await plainContactColumnsExist(deps.db)).toBe(true);
      // A Slack identity sealed before member tokens (migration 0045): the request page could not find it by the
      // member id alone.
      const slackRow = await newIdentity(deps.db, person.contactId, 'slack', 'T0OLD00001:U0OLD04471');
      await deps.db.insert(contactIdentities).values({ ...slackRow, memberToken: null });
      const bySlackMember = async () =>
        (
          await deps.db
            .select({ id: contactIdentities.id })
            .from(contactIdentities)
            .where(eq(contactIdentities.memberToken, tokenOfSlackMember(deps.db, 'U0OLD04471')))
        ).map((r) => r.id);
      expect(await bySlackMember()).toEqual([]);
      // A call's conversation threaded, before thread keys of phone channels were tokens, by the pair of numbers.
      const oldThread = '+358404471000|+15005550006';
      await deps.db
        .update(conversations)
        .set({ threadKey: oldThread })
        .where(eq(conversations.id, person.callConversationId));
      // Message text as an older version stored it: plaintext, with the plain words in the index.
      const oldTexts = [1, 2, 3].map((i) => `Old question ${i} old-4471-text, call +49 154 9131 566${i}`);
      await deps.db.insert(messages).values(
        oldTexts.map((body, i) => ({
          conversationId: person.emailConversationId,
          channel: 'email' as const,
          direction: 'inbound' as const,
          authorKind: 'contact' as const,
          body,
          html: i === 0 ? `<p>${body}</p>` : null,
          language: 'en',
          deliveryState: 'received' as const,
        })),
      );
      // And a subject as an older version stored it: plaintext, without its blinded index (migration 0047).
      const oldSubject = 'Old parcel old-4471-subject';
      await deps.db
        .update(conversations)
        .set({ subject: oldSubject, subjectVector: null })
        .where(eq(conversations.id, person.emailConversationId));
      const blobs = deps.blobs as EncryptedBlobStore;
      expect(await plaintextRemaining({ db: deps.db, blobs })).toEqual({
        files: 5,
        evidence: 3,
        decisions: 4,
        identities: 1,
        messages: 3,
        subjects: 1,
        contacts: 1,
      });

      // The first run dies after two files (the owner look-up fails, as a database restart would make it).
      let calls = 0;
      const owners = blobOwners(deps.db);
      const failing = async (o: Parameters<typeof owners>[0]) => {
        if (++calls > 2) throw new Error('connection lost');
        return owners(o);
      };
      await expect(encryptExisting({ db: deps.db, blobs, dataKeys: deps.dataKeys, owners: failing })).rejects.toThrow(
        'connection lost',
      );
      expect(await plaintextRemaining({ db: deps.db, blobs })).toEqual({
        files: 3,
        evidence: 3,
        decisions: 4,
        identities: 1,
        messages: 3,
        subjects: 1,
        contacts: 1,
      });

      const progress: string[] = [];
      const result = await encryptExisting({ db: deps.db, blobs, dataKeys: deps.dataKeys, owners }, (s, d, t) =>
        progress.push(`${s} ${d}/${t}`),
      );
      expect(result.files.encrypted).toBe(3);
      expect(result.evidence.encrypted).toBe(3);
      expect(result.decisions.encrypted).toBe(4);
      expect(progress).toContain('evidence 3/3');
      expect(progress).toContain('decisions 4/4');
      expect(result.identities.encrypted).toBe(1);
      expect(progress).toContain('identities 1/1');
      expect(result.identities.memberTokens).toBe(1);
      expect(await bySlackMember()).toEqual([slackRow.id]);
      expect(result.phoneThreads.tokened).toBe(1);
      const [call] = await deps.db
        .select({ threadKey: conversations.threadKey })
        .from(conversations)
        .where(eq(conversations.id, person.callConversationId));
      expect(call!.threadKey).toBe(phoneThreadToken(identityKeysOf(deps.db).blindIndex, oldThread));
      // The old identity is found by its token now, and its sealed copy opens to the address.
      const [old] = await deps.db
        .select()
        .from(contactIdentities)
        .where(
          and(
            eq(contactIdentities.kind, 'email'),
            eq(contactIdentities.addressToken, tokenOfAddress(deps.db, 'email', 'old-4471@example.org')),
          ),
        );
      expect(old?.contactId).toBe(person.contactId);
      // With nothing left to seal, the plain column is gone, as on a database 0043 found sealed.
      expect(await plainAddressColumnExists(deps.db)).toBe(false);
      // The old contact: sealed, opened as it was, and the plain columns gone with nothing left to seal.
      expect(result.contacts.encrypted).toBe(1);
      expect(progress).toContain('contacts 1/1');
      expect(await plainContactColumnsExist(deps.db)).toBe(false);
      const [olga] = await deps.db.select().from(contacts).where(eq(contacts.id, oldPerson!.id));
      expect(JSON.stringify(olga).toLowerCase()).not.toContain('old-4471');
      expect(await openContact(deps.dataKeys, olga!)).toMatchObject({
        name: 'Olga Old-4471',
        email: 'olga.old-4471@example.org',
        phone: null,
      });
      expect(await deps.dataKeys.decrypt(old!.sealedAddress!, addressContext(old!.id))).toBe('old-4471@example.org');
      expect(progress).toContain('messages 3/3');
      expect(result.messages.encrypted).toBe(3);
      expect(progress.at(0)).toMatch(/^files 0\//);
      expect(await plaintextRemaining({ db: deps.db, blobs })).toEqual({
        files: 0,
        evidence: 0,
        decisions: 0,
        identities: 0,
        messages: 0,
        subjects: 0,
        contacts: 0,
      });
      // Once nothing is left, a marker spares the servers' start-up check the scan of every file.
      const marker = encryptedMarkerPath(dir);
      expect(await plaintextRemaining({ db: deps.db, blobs }, marker)).toEqual({
        files: 0,
        evidence: 0,
        decisions: 0,
        identities: 0,
        messages: 0,
        subjects: 0,
        contacts: 0,
      });
      expect(statSync(marker).mode & 0o777).toBe(0o600);
      expect(filesContaining(join(dir, 'blobs'), ['old-4471'])).toEqual([]);
      // Same ids, same content for the readers.
      for (const [i, id] of plainIds.entries())
        expect((await buffer(await blobs.get(id))).toString()).toBe(`old scan ${i} old-4471-plain`);
      const history = await consentHistory(deps, person.contactId);
      expect(history.filter((h) => h.evidence.statement?.startsWith('old statement'))).toHaveLength(3);
      const stored = await deps.db.select().from(botDecisions);
      expect(JSON.stringify(stored)).not.toContain(oldArticle);
      const views = await conversationDecisions(deps, person.emailConversationId);
      expect(views.map((v) => [v.action, v.confidence, v.candidates.map((c) => [c.articleId, c.score])])).toEqual([
        ...[1, 2, 3, 4].map((i) => ['answer', i / 8, [[oldArticle, i / 8]]]),
        ['handoff', null, []],
      ]);
      // The old messages: sealed, their index blinded, nothing of them readable; readers and search as before.
      const sealedRows = rowsOf<{ t: string }>(
        await deps.db.execute(sql`select concat_ws(' ', body, html, search_vector::text, mention_tokens::text) as t
          from messages where conversation_id = ${person.emailConversationId}::uuid`),
      );
      for (const needle of ['old-4471', 'question', '9131'])
        expect(
          sealedRows
            .map((r) => r.t)
            .join('\n')
            .toLowerCase(),
        ).not.toContain(needle);
      const opened = await openedMessages(
        deps.db,
        deps.dataKeys,
        eq(messages.conversationId, person.emailConversationId),
      );
      expect(opened.map((m) => m.body)).toEqual(expect.arrayContaining(oldTexts));
      expect(opened.find((m) => m.body === oldTexts[0])!.html).toBe(`<p>${oldTexts[0]}</p>`);
      const blinding = await blindingOf(deps.dataKeys);
      const found = rowsOf<{ body: string }>(
        await deps.db.execute(sql`select body from messages where search_vector @@
          ${blinding.query("'question' & 'old'")}::tsquery
          and mention_tokens @> array[${blinding.digitsToken('15491315662')}]::text[]`),
      );
      expect(found).toHaveLength(1);
      // The old subject: sealed with its contact's key, found by its words' tokens, opened as it was.
      expect(progress).toContain('subjects 1/1');
      expect(result.subjects.encrypted).toBe(1);
      const [subjectRow] = rowsOf<{ id: string; subject: string; v: string }>(
        await deps.db.execute(sql`select id, subject, subject_vector::text as v from conversations
          where id = ${person.emailConversationId}::uuid
            and subject_vector @@ ${blinding.query("'parcel' & 'subject'")}::tsquery`),
      );
      expect(subjectRow!.subject).toMatch(/^pdk:v1:/);
      expect(`${subjectRow!.subject} ${subjectRow!.v}`.toLowerCase()).not.toContain('parcel');
      const [openedSubject] = await openSubjects(deps.dataKeys, [subjectRow!]);
      expect(openedSubject!.subject).toBe(oldSubject);
      // A third run finds nothing to do.
      const again = await encryptExisting({ db: deps.db, blobs, dataKeys: deps.dataKeys, owners });
      expect(
        again.files.encrypted +
          again.evidence.encrypted +
          again.decisions.encrypted +
          again.identities.encrypted +
          again.messages.encrypted +
          again.subjects.encrypted +
          again.identities.memberTokens +
          again.phoneThreads.tokened +
          again.contacts.encrypted,
      ).toBe(0);
    } finally {
      await harness.close();
    }
  });
});

describe(`files through the API, encrypted at rest, on ${dbMode}`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it('a visitor’s photo is stored encrypted and downloads as it was sent; 25 MB streams through', async () => {
    const agent = await server.agentClient('agent');
    const visitor = await server.visitor();
    const photo = Buffer.concat([png(4, 4, [9, 9, 9]), Buffer.from('photo-marker-5590')]);
    const sent = await visitor.post('/api/widget/files', {
      clientId: 'client-crypto',
      text: 'a photo',
      files: [{ name: 'photo.png', data: base64(photo) }],
    });
    expect(sent.status).toBe(201);
    const id = sent.body.message.attachments[0].id as string;
    const [row] = await server.root.db.select().from(attachments).where(eq(attachments.id, id));
    expect(row!.size).toBe(photo.length);
    expect(filesContaining(join(server.root.config.dataDir, 'blobs'), ['photo-marker-5590'])).toEqual([]);
    const res = await fetch(`${server.url}/api/attachments/${id}`, { headers: { cookie: agent.cookie } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(photo)).toBe(true);

    // A large file goes through in chunks: the same bytes back, the plaintext size reported.
    const big = randomBytes(25 * 1024 * 1024);
    const stored = await server.root.blobs.put(Readable.from([big.subarray(0, 1 << 20), big.subarray(1 << 20)]), {
      conversationId: sent.body.conversation?.id ?? (await server.root.db.select().from(schema.conversations))[0]!.id,
    });
    expect(stored.size).toBe(big.length);
    expect(await server.root.blobs.size(stored.id)).toBe(big.length);
    expect((await buffer(await server.root.blobs.get(stored.id))).equals(big)).toBe(true);
  });
});

describe(`a server started on a database with unencrypted bot decisions, on ${dbMode}`, () => {
  it('says how many are left and what to run', { timeout: 120_000 }, async () => {
    // What an older version left: a decision with its scores in the plain columns.
    const database = await testDatabase();
    const { db } = database;
    const [inbox] = await db.insert(schema.inboxes).values({ name: 'Old chat', channel: 'chat' }).returning();
    const [contact] = await db.insert(schema.contacts).values({}).returning();
    const [conversation] = await db
      .insert(schema.conversations)
      .values({ inboxId: inbox!.id, contactId: contact!.id, channel: 'chat', threadKey: 'old-thread' })
      .returning();
    await db.insert(botDecisions).values({
      conversationId: conversation!.id,
      action: 'answer',
      reason: 'confident',
      confidence: 0.9,
      candidates: [{ articleId: randomUUID(), score: 0.9 }],
    });
    const server = await startTestServer({}, { database });
    try {
      const warning = await eventually(
        async () =>
          server
            .logs()
            .split('\n')
            .find((line) => line.includes('privacy:encrypt-existing')),
        60_000,
        'the start-up warning',
      );
      expect(JSON.parse(warning)).toMatchObject({
        botDecisions: 1,
        consentEvents: 0,
        files: 0,
        messages: 0,
        subjects: 0,
        msg:
          "files, consent evidence, bot decisions, identity addresses, message texts, subjects or contacts' fields " +
          'are stored unencrypted: run npm run privacy:encrypt-existing',
      });
    } finally {
      await server.stop();
    }
  });
});
