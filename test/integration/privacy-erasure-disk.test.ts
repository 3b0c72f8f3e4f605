import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { dbMode } from '../helpers/db.ts';
import { privacyDeps } from '../helpers/privacy-deps.ts';
import { recordingProviderSpy, seedPerson } from '../helpers/fixtures.ts';
import { identityIs } from '../helpers/identities.ts';
import { findInFiles, relationFiles } from '../helpers/disk-scan.ts';
import { startTestServer } from '../helpers/server.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { eraseContact } from '../../server/privacy/erase.ts';
import { contactIdentities, erasedSubjects, inboxes } from '../../drizzle/schema/index.ts';
import { inScrubWindow, scrubErasedText } from '../../server/privacy/erased-subjects.ts';
import { rowsOf } from '../../server/db/client.ts';
import { eq, isNull, sql } from 'drizzle-orm';
import postgres from 'postgres';

const person = {
  name: 'Zebulon Quillfeather',
  email: 'zeb.quillfeather@example.org',
  phone: '+15550104477',
  marker: 'zx-quill-5521',
};
const needles = [person.name, person.email, person.phone, person.marker, 'Quillfeather'];

/** Finding 10 of issue 15: after an erasure and a CHECKPOINT, the data files still held the person's text. */
describe(`erased text leaves the disk on ${dbMode}`, () => {
  let harness: Awaited<ReturnType<typeof privacyDeps>>;
  const files = () => relationFiles(harness.database, join(harness.dir, 'pglite'));

  beforeAll(async () => {
    harness = await privacyDeps({
      pgliteOnDisk: true,
      recordingProviders: new Map([['test-provider', recordingProviderSpy()]]),
    });
    const { deps } = harness;
    // Other people's conversations around the person's, and one that mentions them (rewritten by the erasure).
    const [mail] = await deps.db.insert(inboxes).values({ name: 'Others', channel: 'email' }).returning();
    for (let i = 0; i < 40; i++)
      await ingest(deps, {
        channel: 'email',
        inboxId: mail!.id,
        sender: { kind: 'email', address: `other${i}@example.net`, name: `Other ${i}` },
        threadKey: `<other-${i}@example.net>`,
        externalId: `<other-${i}-1@example.net>`,
        subject: `Question ${i}`,
        text:
          i === 7
            ? `My colleague ${person.name} (${person.email}) asked me to write.`
            : `An unrelated question number ${i} about shipping.`,
        occurredAt: new Date(),
      });
    await seedPerson(deps, person);
  });
  afterAll(() => harness?.close());

  it(
    'after the erasure and its scrub, a CHECKPOINT and a scan of every relation file find nothing',
    { timeout: 150_000 },
    async () => {
      const { deps } = harness;
      expect(findInFiles(await files(), needles).length).toBeGreaterThan(0); // the scan sees what is stored
      // The contact's email is stored sealed: it is found by the identity's token, as the server finds it.
      const [identity] = await deps.db
        .select({ contactId: contactIdentities.contactId })
        .from(contactIdentities)
        .where(identityIs(deps.db, 'email', person.email));
      await eraseContact(deps, identity!.contactId, { kind: 'system', id: null });

      const [pending] = await deps.db.select().from(erasedSubjects);
      expect(pending).toMatchObject({ contactId: identity!.contactId, scrubbedAt: null });
      expect(pending!.tables).toEqual(expect.arrayContaining(['contacts', 'messages', 'conversations']));
      // No identifier in the list of erased subjects: keyed hashes only.
      expect(JSON.stringify(pending)).not.toMatch(/quillfeather|5550104477/i);

      // What the finding saw: committed and checkpointed, the old row versions and index entries still hold it.
      expect(findInFiles(await files(), needles).length).toBeGreaterThan(0);
      // The scrub waits while a transaction older than the erasure is open anywhere on the server (on a shared
      // PostgreSQL, another test's): it is asked again until it has run, as the server's job would.
      for (let i = 0; i < 20; i++) {
        await harness.scrub();
        const [row] = await deps.db.select().from(erasedSubjects);
        if (row?.scrubbedAt) break;
      }
      expect(findInFiles(await files(), needles)).toEqual([]);
      const [done] = await deps.db.select().from(erasedSubjects);
      expect(done!.scrubbedAt).toBeInstanceOf(Date);
    },
  );

  it('a table over ERASURE_SCRUB_NOW_MAX_MB waits for the nightly window; the small ones go at once', async () => {
    const { deps } = harness;
    const seeded = await seedPerson(deps, { ...person, email: 'zeb.window@example.org', marker: 'zx-window-7' });
    await eraseContact(deps, seeded.contactId, { kind: 'system', id: null });
    const [pending] = await deps.db.select().from(erasedSubjects).where(isNull(erasedSubjects.scrubbedAt));
    expect(pending!.tables).toContain('messages');
    const sizeOf = async (table: string) =>
      Number(
        rowsOf<{ bytes: string }>(
          await deps.db.execute(sql`select pg_total_relation_size(${table}::regclass) as bytes`),
        )[0]!.bytes,
      );
    // Messages and anything at least as large count as large here; 12:00 UTC is outside the 02:00-05:00 window.
    const nowMaxBytes = (await sizeOf('messages')) - 1;
    const large: string[] = [];
    for (const table of pending!.tables) if ((await sizeOf(table)) > nowMaxBytes) large.push(table);
    large.sort();
    expect(large.length).toBeLessThan(pending!.tables.length); // some tables are small
    const schedule = { nowMaxBytes, window: { startMinute: 2 * 60, endMinute: 5 * 60 } };
    const noon = new Date('2026-12-07T12:00:00Z');
    const atOnce = await scrubErasedText({ db: deps.db, schedule }, noon);
    expect(atOnce.length).toBeGreaterThan(0);
    expect(atOnce.filter((t) => large.includes(t))).toEqual([]);
    const [waiting] = await deps.db.select().from(erasedSubjects).where(eq(erasedSubjects.id, pending!.id));
    expect(waiting!.scrubbedAt).toBeNull();
    expect([...waiting!.tables].sort()).toEqual(large);
    // Until the window, later runs leave it be (and rewrite nothing again).
    expect(await scrubErasedText({ db: deps.db, schedule }, noon)).toEqual([]);
    const night = new Date('2026-12-08T03:10:00Z');
    expect(await scrubErasedText({ db: deps.db, schedule }, night)).toEqual(large);
    const [done] = await deps.db.select().from(erasedSubjects).where(eq(erasedSubjects.id, pending!.id));
    expect(done!.scrubbedAt).toBeInstanceOf(Date);
    expect(inScrubWindow({ startMinute: 23 * 60, endMinute: 2 * 60 }, new Date('2026-12-08T01:59:00Z'))).toBe(true);
    expect(inScrubWindow({ startMinute: 23 * 60, endMinute: 2 * 60 }, new Date('2026-12-08T02:00:00Z'))).toBe(false);
  });
});

describe(`erasure through the API on ${dbMode}`, () => {
  it('asks for the scrub itself once the erasure committed', async () => {
    const server = await startTestServer();
    try {
      server.root.recordingProviders.set('test-provider', recordingProviderSpy());
      const admin = await server.agentClient('admin');
      const seeded = await seedPerson(server.root, { ...person, email: 'zeb.api@example.org' });
      expect((await admin.post(`/api/contacts/${seeded.contactId}/erase`, { confirm: true })).status).toBe(200);
      await vi.waitFor(
        async () => {
          const [row] = await server.root.db.select().from(erasedSubjects);
          expect(row?.scrubbedAt).toBeInstanceOf(Date);
        },
        { timeout: 60_000, interval: 100 },
      );
    } finally {
      await server.stop();
    }
  });
});

// PGlite has one connection: no transaction can be open beside the scrub there. On PostgreSQL a backup (pg_dump
// holds one snapshot for hours) or any long transaction, in any database of the server, keeps old row versions.
if (dbMode === 'postgres')
  describe('a transaction older than the erasure holds the scrub back, on postgres', () => {
    it('rewrites nothing while it is open (the rewrite would keep the rows), then rewrites', async () => {
      const harness = await privacyDeps({
        recordingProviders: new Map([['test-provider', recordingProviderSpy()]]),
      });
      const elsewhere = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
      const backup = await elsewhere.reserve();
      try {
        const { deps } = harness;
        await backup`begin isolation level repeatable read`;
        await backup`select txid_current()`;
        const seeded = await seedPerson(deps, { ...person, email: 'zeb.backup@example.org', marker: 'zx-backup-3' });
        await eraseContact(deps, seeded.contactId, { kind: 'system', id: null });
        expect(await scrubErasedText({ db: deps.db })).toEqual([]);
        const [waiting] = await deps.db.select().from(erasedSubjects);
        expect(waiting!.scrubbedAt).toBeNull();
        await backup`commit`;
        // Once it is closed the scrub runs (asked again while another test's transaction on this shared server
        // is older than the erasure, as the server's job would).
        const rewritten: string[] = [];
        for (let i = 0; i < 20 && !rewritten.includes('messages'); i++)
          rewritten.push(...(await scrubErasedText({ db: deps.db })));
        expect(rewritten).toContain('messages');
        const [done] = await deps.db.select().from(erasedSubjects);
        expect(done!.scrubbedAt).toBeInstanceOf(Date);
      } finally {
        // A reserved connection still held would make end() wait for ever.
        await backup`rollback`.catch(() => {});
        backup.release();
        await elsewhere.end({ timeout: 5 });
        await harness.close();
      }
    });
  });
