import { openedMessages } from '../helpers/opened-messages.ts';
import { openMessageTexts, openSubjects } from '../../server/domain/message-text.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { testDatabase, dbMode } from '../helpers/db.ts';
import type { Database } from '../../server/db/client.ts';
import {
  contacts,
  contactIdentities,
  conversationParticipants,
  conversations,
  inboxes,
  messages,
} from '../../drizzle/schema/index.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { DomainEventBus } from '../../server/domain/events.ts';
import { createInboxNameCache } from '../../server/domain/inbox-names.ts';
import type { InboundMessage } from '../../channels/types.ts';
import { testDataKeys } from '../helpers/data-keys.ts';
import { addressOf, identityIs } from '../helpers/identities.ts';

describe(`ingest() on ${dbMode}`, () => {
  let database: Database;
  let deps: Parameters<typeof ingest>[0];
  let inboxId: string;
  const published: string[] = [];
  const dataKeys = testDataKeys();

  beforeAll(async () => {
    database = await testDatabase();
    const events = new DomainEventBus();
    deps = { db: database.db, events, inboxNames: createInboxNameCache(database.db), dataKeys };
    const [inbox] = await database.db.insert(inboxes).values({ name: 'Mail', channel: 'email' }).returning();
    inboxId = inbox!.id;
    // The subscriber reads the message back: it must already be committed when the event arrives.
    events.subscribe('message.created', async ({ message }) => {
      const [row] = await database.db.select({ id: messages.id }).from(messages).where(eq(messages.id, message.id));
      published.push(row ? `committed:${message.id}` : `missing:${message.id}`);
    });
  });
  afterAll(() => database.close());

  const mail = (over: Partial<InboundMessage> = {}): InboundMessage => ({
    channel: 'email',
    inboxId,
    sender: { kind: 'email', address: 'ada@example.org', name: 'Ada' },
    threadKey: '<thread-1@example.org>',
    externalId: `<m-${Math.random()}@example.org>`,
    text: 'Hello',
    occurredAt: new Date(),
    ...over,
  });

  const counts = async () => ({
    contacts: (await database.db.select({ n: count() }).from(contacts))[0]!.n,
    conversations: (await database.db.select({ n: count() }).from(conversations))[0]!.n,
    messages: (await database.db.select({ n: count() }).from(messages))[0]!.n,
  });

  it('resolves a new sender to a new contact, opens a conversation and stores the message', async () => {
    const result = await ingest(deps, mail({ externalId: '<first@example.org>', subject: 'Help' }));
    expect(result.created).toBe(true);
    const [identity] = await database.db
      .select()
      .from(contactIdentities)
      .where(identityIs(database.db, 'email', 'ada@example.org'));
    expect(identity!.contactId).toBe(result.contactId);
    expect(result.conversation).toMatchObject({
      channel: 'email',
      status: 'open',
      subject: 'Help',
      contact: { name: 'Ada' },
    });
    expect(await counts()).toEqual({ contacts: 1, conversations: 1, messages: 1 });
  });

  it('a replay of the same external id is a no-op and returns the stored message', async () => {
    const before = await counts();
    const again = await ingest(deps, mail({ externalId: '<first@example.org>', text: 'a different body' }));
    expect(again.created).toBe(false);
    expect(again.message.body).toBe('Hello');
    expect(await counts()).toEqual(before);
  });

  it('one Message-ID saved by two senders, each with a Cc: the second mail records its people too', async () => {
    // As in public mail fixtures: one Message-ID, another From. The second is a replay (its message is the first's),
    // yet its sender was never stored by it: it must be found or created like any other participant.
    const shared = { externalId: '<saved-twice@example.org>', threadKey: '<saved-twice@example.org>' };
    const cc = (address: string) => [{ kind: 'email' as const, address, role: 'cc' as const }];
    const first = await ingest(deps, mail({ ...shared, participants: cc('cc-one@example.org') }));
    const again = await ingest(
      deps,
      mail({
        ...shared,
        sender: { kind: 'email', address: 'other-sender@example.org', name: 'Other' },
        participants: cc('cc-two@example.org'),
      }),
    );
    expect(again.created).toBe(false);
    expect(again.message.id).toBe(first.message.id);
    const people = await database.db
      .select({
        id: contactIdentities.id,
        sealedAddress: contactIdentities.sealedAddress,
        role: conversationParticipants.role,
      })
      .from(conversationParticipants)
      .innerJoin(contactIdentities, eq(contactIdentities.id, conversationParticipants.identityId))
      .where(eq(conversationParticipants.conversationId, first.conversation.id));
    const opened = await Promise.all(people.map(async (p) => `${p.role} ${await addressOf(database.db, p)}`));
    expect(opened.sort()).toEqual([
      'cc cc-one@example.org',
      'cc cc-two@example.org',
      'from ada@example.org',
      'from other-sender@example.org',
    ]);
  });

  it('the same sender and thread land in the same conversation; another thread opens another', async () => {
    const a = await ingest(deps, mail());
    const b = await ingest(deps, mail({ threadKey: '<thread-2@example.org>' }));
    const [first] = await database.db
      .select()
      .from(conversations)
      .where(eq(conversations.threadKey, '<thread-1@example.org>'));
    expect(a.conversation.id).toBe(first!.id);
    expect(b.conversation.id).not.toBe(first!.id);
    expect(b.contactId).toBe(a.contactId);
  });

  it('publishes message.created only after commit', async () => {
    const result = await ingest(deps, mail());
    await new Promise((r) => setTimeout(r, 50));
    expect(published).toContain(`committed:${result.message.id}`);
    expect(published.filter((p) => p.startsWith('missing:'))).toEqual([]);
  });

  it('concurrent first messages of one new sender create exactly one contact', async () => {
    const sender = { kind: 'email' as const, address: 'race@example.org' };
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => ingest(deps, mail({ sender, threadKey: `<race-${i}@example.org>` }))),
    );
    expect(new Set(results.map((r) => r.contactId)).size).toBe(1);
    const rows = await database.db
      .select()
      .from(contactIdentities)
      .where(identityIs(database.db, 'email', 'race@example.org'));
    expect(rows).toHaveLength(1);
  });

  it('concurrent replays of one external id store it once', async () => {
    const before = (await counts()).messages;
    const results = await Promise.all(
      Array.from({ length: 5 }, () => ingest(deps, mail({ externalId: '<dup@example.org>' }))),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect((await counts()).messages).toBe(before + 1);
  });

  it('reopens a resolved conversation when the customer writes again', async () => {
    const first = await ingest(deps, mail({ threadKey: '<reopen@example.org>' }));
    await database.db
      .update(conversations)
      .set({ status: 'resolved' })
      .where(eq(conversations.id, first.conversation.id));
    const next = await ingest(deps, mail({ threadKey: '<reopen@example.org>' }));
    expect(next.conversation.id).toBe(first.conversation.id);
    expect(next.conversation.status).toBe('open');
  });

  it(
    'messages arriving together (one batched statement) keep their order, ' + 'and one bad message costs no other',
    async () => {
      const threads = Array.from({ length: 12 }, (_, i) => `<batch-${i}@example.org>`);
      for (const threadKey of threads) await ingest(deps, mail({ threadKey }));
      const before = (await counts()).messages;
      // Issued in one tick: they queue behind each other and share statements. Message 7 names an inbox that does
      // not exist, so the database refuses it (unstorable text no longer fails: ingest cleans it).
      const noSuchInbox = '00000000-0000-4000-8000-000000000000';
      const sends = Array.from({ length: 24 }, (_, i) =>
        ingest(deps, {
          ...mail({ threadKey: threads[i % 12]!, text: `line ${i}` }),
          ...(i === 7 ? { inboxId: noSuchInbox } : {}),
        }).then(
          (r) => r,
          (err: unknown) => err,
        ),
      );
      const results = await Promise.all(sends);
      expect(results[7]).toBeInstanceOf(Error);
      const stored = results.filter((r): r is Awaited<ReturnType<typeof ingest>> => !(r instanceof Error));
      expect(stored).toHaveLength(23);
      expect(stored.every((r) => r.created)).toBe(true);
      expect((await counts()).messages).toBe(before + 23);
      for (const [t, threadKey] of threads.entries()) {
        const [conversation] = await database.db
          .select()
          .from(conversations)
          .where(eq(conversations.threadKey, threadKey));
        // Stored sealed: opened as every reader opens it.
        const timeline = await openMessageTexts(
          deps.dataKeys,
          await database.db
            .select({ id: messages.id, body: messages.body, createdAt: messages.createdAt })
            .from(messages)
            .where(eq(messages.conversationId, conversation!.id))
            .orderBy(messages.createdAt),
        );
        const expected = Array.from({ length: 24 }, (_, i) => i)
          .filter((i) => i % 12 === t && i !== 7)
          .map((i) => `line ${i}`);
        expect(timeline.slice(1).map((m) => m.body)).toEqual(expected);
        // The conversation's last activity is its latest message.
        expect(conversation!.lastMessageAt.getTime()).toBe(timeline.at(-1)!.createdAt.getTime());
      }
    },
  );

  it("a thread whose contact changed behind this server's back: the text is sealed for the new contact", async () => {
    // This server stores a message in a thread, so it knows the thread's contact (its key seals the next text).
    const first = await ingest(deps, mail({ threadKey: '<moved@example.org>', text: 'first' }));
    const other = await ingest(
      deps,
      mail({ sender: { kind: 'email', address: 'kept@example.org' }, threadKey: '<kept@example.org>' }),
    );
    // Another server moves the conversation to another contact (as a merge there would) without telling this one.
    await database.db
      .update(conversations)
      .set({ contactId: other.contactId })
      .where(eq(conversations.id, first.conversation.id));
    // Alone, and then among others in one batch: both must find the conversation's new contact.
    const alone = await ingest(deps, mail({ threadKey: '<moved@example.org>', text: 'after the move' }));
    const together = await Promise.all([
      ingest(deps, mail({ threadKey: '<moved@example.org>', text: 'after the move, batched' })),
      ...Array.from({ length: 4 }, (_, i) =>
        ingest(deps, mail({ sender: { kind: 'email', address: `by-${i}@example.org` }, threadKey: `<by-${i}@x>` })),
      ),
    ]);
    expect(alone.conversation.id).toBe(first.conversation.id);
    expect(together[0]!.conversation.id).toBe(first.conversation.id);
    // Erasing that contact destroys its keys: the texts stored after the move must go with it.
    await dataKeys.shred(other.contactId);
    const stored = await openMessageTexts(
      deps.dataKeys,
      await database.db
        .select({ id: messages.id, body: messages.body })
        .from(messages)
        .where(eq(messages.conversationId, first.conversation.id)),
    );
    const byId = new Map(stored.map((m) => [m.id, m]));
    expect(byId.get(alone.message.id)).toMatchObject({ body: '', textUnreadable: true });
    expect(byId.get(together[0]!.message.id)).toMatchObject({ body: '', textUnreadable: true });
    // The message from before the move was sealed for the contact the thread had then, which still holds its key.
    expect(byId.get(first.message.id)).toMatchObject({ body: 'first' });
  });

  it('new senders, known threads and a replay arriving together each end up as they would alone', async () => {
    const known = await ingest(
      deps,
      mail({ threadKey: '<mixed-known@example.org>', externalId: '<mixed-known-1@example.org>' }),
    );
    const before = await counts();
    // Issued in one tick, so they share batched statements: eight first messages of new senders (each
    // opening a contact, an identity and a conversation), a message in a known thread, and a replay.
    const fresh = Array.from({ length: 8 }, (_, i) =>
      mail({
        sender: { kind: 'email', address: `new-${i}@example.org`, name: `New ${i}` },
        threadKey: `<mixed-${i}@example.org>`,
        subject: `Subject ${i}`,
        text: `first ${i}`,
      }),
    );
    const results = await Promise.all([
      ...fresh.map((m) => ingest(deps, m)),
      ingest(deps, mail({ threadKey: '<mixed-known@example.org>', text: 'again' })),
      ingest(deps, mail({ threadKey: '<mixed-known@example.org>', externalId: '<mixed-known-1@example.org>' })),
    ]);
    expect(await counts()).toEqual({
      contacts: before.contacts + 8,
      conversations: before.conversations + 8,
      messages: before.messages + 9,
    });
    for (const [i, result] of results.slice(0, 8).entries()) {
      expect(result.created).toBe(true);
      expect(result.conversation).toMatchObject({
        channel: 'email',
        status: 'open',
        subject: `Subject ${i}`,
        contact: { name: `New ${i}` },
      });
      const [identity] = await database.db
        .select()
        .from(contactIdentities)
        .where(identityIs(database.db, 'email', `new-${i}@example.org`));
      expect(identity!.contactId).toBe(result.contactId);
      const [conversation] = await database.db
        .select()
        .from(conversations)
        .where(eq(conversations.id, result.conversation.id));
      expect(conversation).toMatchObject({
        contactId: result.contactId,
        threadKey: `<mixed-${i}@example.org>`,
        subject: expect.stringMatching(/^pdk:v1:/),
      });
      // Sealed in the context of the conversation's own id (planned in ingest-text.ts, stored by the statement).
      expect((await openSubjects(deps.dataKeys, [conversation!]))[0]!.subject).toBe(`Subject ${i}`);
      const [stored] = await openedMessages(database.db, deps.dataKeys, eq(messages.id, result.message.id));
      expect(stored).toMatchObject({
        conversationId: result.conversation.id,
        body: `first ${i}`,
        direction: 'inbound',
        authorKind: 'contact',
      });
    }
    expect(new Set(results.slice(0, 8).map((r) => r.contactId)).size).toBe(8);
    const [again, replay] = results.slice(8);
    expect(again).toMatchObject({
      created: true,
      contactId: known.contactId,
      conversation: { id: known.conversation.id },
    });
    expect(replay).toMatchObject({ created: false, message: { id: known.message.id } });
  });

  it('an unknown inbox is refused and nothing is stored', async () => {
    const before = await counts();
    await expect(ingest(deps, mail({ inboxId: '00000000-0000-4000-8000-000000000000' }))).rejects.toMatchObject({
      statusCode: 404,
    });
    expect(await counts()).toEqual(before);
  });
});
