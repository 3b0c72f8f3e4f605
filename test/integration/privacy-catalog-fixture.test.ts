import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openedMessages } from '../helpers/opened-messages.ts';
import { randomUUID } from 'node:crypto';
import { type Readable } from 'node:stream';
import { eq, sql } from 'drizzle-orm';
import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { dbMode } from '../helpers/db.ts';
import { privacyDeps } from '../helpers/privacy-deps.ts';
import { recordingProviderSpy, seedPerson } from '../helpers/fixtures.ts';
import { readZip } from '../helpers/zip.ts';
import { catalogTagProblems } from '../helpers/catalog-rules.ts';
import { catalog, entry, tags } from '../../drizzle/catalog.ts';
import { conversations, inboxes, messages } from '../../drizzle/schema/index.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { eraseContact } from '../../server/privacy/erase.ts';
import { exportContact } from '../../server/privacy/export.ts';
import { redactMessage } from '../../server/privacy/redact.ts';
import { previewRetention, setPolicy, sweepRetention } from '../../server/privacy/retention.ts';
import { createAgent } from '../../server/domain/agents.ts';

/**
 * A table the schema does not have: call transcripts of a message, with the transcript's text (a copy of
 * what the person said), an attached document (a file in the blob store) and its name. Described once by
 * a drizzle table and a catalog entry, and passed through the operations' declared deps, it is reached by
 * export, erasure, retention, redaction and mention search without any of them being told about it.
 */
const fixtureTranscripts = pgTable('fixture_transcripts', {
  id: uuid('id').primaryKey().defaultRandom(),
  messageId: uuid('message_id')
    .notNull()
    .references(() => messages.id, { onDelete: 'cascade' }),
  transcript: text('transcript').notNull(),
  documentBlobId: text('document_blob_id'),
  documentName: text('document_name'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

const fixtureEntry = entry({
  table: fixtureTranscripts,
  purpose: 'Support: transcripts of what the customer said, with a document',
  reach: { subject: 'contact', via: 'join', column: 'messageId', through: 'messages' },
  columns: {
    id: tags.none('metadata'),
    messageId: tags.none('metadata'),
    transcript: tags.messageCopy('message_content', 'a transcript of the message'),
    documentBlobId: tags.file('message_content', { retention: 'attachments', nameColumn: 'documentName' }),
    documentName: tags.text('message_content'),
    createdAt: tags.personal('metadata'),
  },
});
const extended = { ...catalog, fixtureTranscripts: fixtureEntry };

const ada = { name: 'Ada Quillfeather', email: 'ada.quill@example.org', phone: '+15550107733', marker: 'zq-ada-9917' };
const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);
const stringOf = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

describe(`a fixture table in the catalog is reached by every privacy operation, on ${dbMode}`, () => {
  let harness: Awaited<ReturnType<typeof privacyDeps>>;
  let seeded: Awaited<ReturnType<typeof seedPerson>>;
  let adaMessageId: string;
  let adaTranscriptId: string;
  let adaDocument: string;
  let bobTranscriptId: string;
  let sam: { id: string; name: string };

  beforeAll(async () => {
    harness = await privacyDeps({
      catalog: extended,
      recordingProviders: new Map([['test-provider', recordingProviderSpy()]]),
    });
    const { deps } = harness;
    await deps.db.execute(sql`create table fixture_transcripts (
      id uuid primary key default gen_random_uuid(),
      message_id uuid not null references messages(id) on delete cascade,
      transcript text not null,
      document_blob_id text,
      document_name text,
      created_at timestamptz not null default now())`);
    sam = await createAgent(
      deps.db,
      { email: 'sam@example.org', name: 'Sam', role: 'admin', password: 'sam-password-1' },
      null,
    );
    seeded = await seedPerson(deps, ada);
    [{ id: adaMessageId }] = (await deps.db
      .select({ id: messages.id })
      .from(messages)
      .where(eq(messages.conversationId, seeded.emailConversationId))) as [{ id: string }];
    const document = await deps.blobs.put(Buffer.from(`statement of ${ada.name} ${ada.marker}-document`), {
      messageId: adaMessageId,
    });
    adaDocument = document.id;
    [{ id: adaTranscriptId }] = (await deps.db
      .insert(fixtureTranscripts)
      .values({
        messageId: adaMessageId,
        transcript: `Transcript: this is ${ada.name}, ${ada.marker}-body-one, please call back.`,
        documentBlobId: document.id,
        documentName: `statement-${ada.marker}.txt`,
      })
      .returning({ id: fixtureTranscripts.id })) as [{ id: string }];

    // Bob's own message, whose transcript mentions Ada: her identifiers must go from there on erasure.
    const [mail] = await deps.db.insert(inboxes).values({ name: 'Bob mail', channel: 'email' }).returning();
    const bob = await ingest(deps, {
      channel: 'email',
      inboxId: mail!.id,
      sender: { kind: 'email', address: 'bob.fixture@example.net', name: 'Bob Fixture' },
      threadKey: `<${randomUUID()}@example.net>`,
      externalId: `<${randomUUID()}@example.net>`,
      text: 'Please see the transcript.',
      occurredAt: new Date(),
    });
    [{ id: bobTranscriptId }] = (await deps.db
      .insert(fixtureTranscripts)
      .values({ messageId: bob.message.id, transcript: `Bob: I spoke to ${ada.email} about it.` })
      .returning({ id: fixtureTranscripts.id })) as [{ id: string }];
  });
  afterAll(() => harness?.close());

  it('the fixture entry keeps the catalog rules, and a blob column without a file tag would break them', () => {
    expect(catalogTagProblems(extended)).toEqual([]);
    const untagged = {
      ...fixtureEntry,
      columns: { ...fixtureEntry.columns, documentBlobId: tags.personal('message_content') },
    };
    expect(catalogTagProblems({ ...catalog, fixtureTranscripts: untagged })).toContain(
      'fixture_transcripts.document_blob_id: holds a blob id but is not tagged as a file',
    );
  });

  it('export: the rows are in data.json and the document is in the archive', async () => {
    const { stream } = await exportContact(harness.deps, seeded.contactId, { kind: 'agent', id: sam.id });
    const zip = await readZip(await stringOf(stream));
    const data = JSON.parse(zip.get('data.json')!.toString());
    expect(data.tables.fixture_transcripts).toEqual([
      expect.objectContaining({ id: adaTranscriptId, transcript: expect.stringContaining(`${ada.marker}-body-one`) }),
    ]);
    expect(data.catalog.fixture_transcripts.columns.transcript).toEqual({
      personal: true,
      category: 'message_content',
      note: 'a transcript of the message',
    });
    const path = `files/fixture_transcripts/${adaTranscriptId}-statement-${ada.marker}.txt`;
    expect(data.files).toContainEqual(
      expect.objectContaining({ path, table: 'fixture_transcripts', id: adaTranscriptId }),
    );
    expect(zip.get(path)!.toString()).toContain(`${ada.marker}-document`);
  });

  it('redaction: the span goes from the transcript, the message’s copy, too', async () => {
    // Opened: the text is stored sealed (issue 22).
    const [message] = await openedMessages(harness.deps.db, harness.deps.dataKeys, eq(messages.id, adaMessageId));
    const secret = `${ada.marker}-body-one`;
    const start = message!.body.indexOf(secret);
    expect(start).toBeGreaterThanOrEqual(0);
    await redactMessage(harness.deps, adaMessageId, { start, end: start + secret.length }, sam);
    const [row] = await harness.deps.db
      .select()
      .from(fixtureTranscripts)
      .where(eq(fixtureTranscripts.id, adaTranscriptId));
    expect(row!.transcript).toBe(`Transcript: this is ${ada.name}, [redacted], please call back.`);
    expect(harness.published.map((p) => p.name)).toEqual(
      expect.arrayContaining(['message.updated', 'message.created']),
    );
  });

  it('retention: an old document goes under the attachments policy, row and file, in the preview first', async () => {
    const { deps } = harness;
    const document = await deps.blobs.put(Buffer.from('an old document'), { messageId: adaMessageId });
    const [{ id }] = (await deps.db
      .insert(fixtureTranscripts)
      .values({
        messageId: adaMessageId,
        transcript: 'old',
        documentBlobId: document.id,
        documentName: 'old.txt',
        createdAt: daysAgo(40),
      })
      .returning({ id: fixtureTranscripts.id })) as [{ id: string }];

    await setPolicy(deps.db, 'attachments', { enabled: true, retainDays: 30 }, sam.id);
    const preview = await previewRetention(deps);
    expect(preview.classes.find((c) => c.dataClass === 'attachments')).toMatchObject({ count: 1, held: 0 });
    const swept = await sweepRetention(deps);
    expect(swept.removed.attachments).toBe(1);
    expect(await deps.db.select().from(fixtureTranscripts).where(eq(fixtureTranscripts.id, id))).toEqual([]);
    expect(await deps.blobs.size(document.id)).toBeNull();
    // The recent document stays.
    expect(await deps.blobs.size(adaDocument)).not.toBeNull();
    await setPolicy(deps.db, 'attachments', { enabled: false, retainDays: 30 }, sam.id);
  });

  it('retention: an expired conversation takes the documents under it along', async () => {
    const { deps } = harness;
    const [mail] = await deps.db.insert(inboxes).values({ name: 'Old mail', channel: 'email' }).returning();
    const old = await ingest(deps, {
      channel: 'email',
      inboxId: mail!.id,
      sender: { kind: 'email', address: 'old.customer@example.net' },
      threadKey: `<${randomUUID()}@example.net>`,
      externalId: `<${randomUUID()}@example.net>`,
      text: 'An old question.',
      occurredAt: daysAgo(50),
    });
    await deps.db
      .update(conversations)
      .set({ lastMessageAt: daysAgo(50) })
      .where(eq(conversations.id, old.conversation.id));
    const document = await deps.blobs.put(Buffer.from('a document of an old conversation'), {
      messageId: old.message.id,
    });
    await deps.db.insert(fixtureTranscripts).values({
      messageId: old.message.id,
      transcript: 'old question',
      documentBlobId: document.id,
      documentName: 'q.txt',
    });
    await setPolicy(deps.db, 'messages', { enabled: true, retainDays: 30 }, sam.id);
    const swept = await sweepRetention(deps);
    expect(swept.removed.messages).toBe(1);
    expect(await deps.blobs.size(document.id)).toBeNull();
    expect(
      await deps.db.select().from(fixtureTranscripts).where(eq(fixtureTranscripts.messageId, old.message.id)),
    ).toEqual([]);
    await setPolicy(deps.db, 'messages', { enabled: false, retainDays: 30 }, sam.id);
  });

  it('erasure: her rows and document go, counted in the receipt; mentions in Bob’s transcript go', async () => {
    const { deps } = harness;
    const receipt = await eraseContact(deps, seeded.contactId, { kind: 'system', id: null });
    expect(receipt.database.fixture_transcripts).toBe(1);
    expect(receipt.mentionsRedacted).toBeGreaterThanOrEqual(1);
    expect(await deps.db.select().from(fixtureTranscripts).where(eq(fixtureTranscripts.id, adaTranscriptId))).toEqual(
      [],
    );
    expect(await deps.blobs.size(adaDocument)).toBeNull();
    const [bobs] = await deps.db.select().from(fixtureTranscripts).where(eq(fixtureTranscripts.id, bobTranscriptId));
    expect(bobs!.transcript).toBe('Bob: I spoke to [erased] about it.');
    expect(harness.published.some((p) => p.name === 'contact.erased')).toBe(true);
  });
});
