import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/client.ts';
import { searchConversations, type SearchFilters } from '../../server/domain/search.ts';
import { dbMode, testDatabase } from '../helpers/db.ts';
import { emailInbox, seedConversation } from '../helpers/search-seed.ts';
import { testDataKeys } from '../helpers/data-keys.ts';

/**
 * The search box looks at the newest conversations itself before it asks its indexes (server/domain/search.ts):
 * what matches only in an older conversation, behind more than a thousand newer ones, is found all the same, with
 * the filters, and merged newest first with what matches among the newest.
 */
describe(`search beyond the newest conversations on ${dbMode}`, () => {
  let database: Database;
  let inbox: string;
  let old: Awaited<ReturnType<typeof seedConversation>>;
  let recent: Awaited<ReturnType<typeof seedConversation>>;
  const viewer = randomUUID();

  const search = (text: string, filters: SearchFilters = {}) =>
    searchConversations(database.db, testDataKeys(), {
      text,
      filters,
      inboxIds: null,
      viewerAgentId: viewer,
      limit: 20,
    });
  const ids = (hits: Awaited<ReturnType<typeof search>>) => hits.map((h) => h.conversation.id);

  beforeAll(async () => {
    database = await testDatabase();
    const db = database.db;
    inbox = await emailInbox(db, 'Support');
    old = await seedConversation(
      db,
      inbox,
      { name: 'Quentin Oldfield', email: 'q.oldfield@old.example', phone: '+4915112340001', locale: 'en' },
      {
        subject: 'Warranty claim',
        at: new Date('2025-01-15T12:00:00Z'),
        texts: ['My zanzibarite gadget broke after a week.'],
      },
    );
    recent = await seedConversation(
      db,
      inbox,
      { name: 'Rita Oldfield', email: 'rita@new.example', phone: '+4915112340002', locale: 'en' },
      { at: new Date('2026-06-30T12:00:00Z'), texts: ['Hello again'] },
    );
    // 1,100 newer conversations that match nothing above (more than any walk of the search looks at).
    // Their contacts have no name, email or phone (nothing to seal): the search has nothing to find in them.
    await db.execute(sql`with filler as (
        insert into contacts (locale) select 'en' from generate_series(1, 1100) returning id
      )
      insert into conversations (inbox_id, contact_id, channel, status, thread_key, subject,
        created_at, updated_at, last_message_at)
      select ${inbox}::uuid, ct.id, 'email', 'open', 'filler-' || ct.id, 'Filler subject',
        timestamptz '2026-02-01' + row_number() over (order by ct.id) * interval '1 hour', now(),
        timestamptz '2026-02-01' + row_number() over (order by ct.id) * interval '1 hour'
      from filler ct`);
    await db.execute(sql`insert into messages (conversation_id, channel, direction, kind, author_kind, body,
        delivery_state, created_at)
      select c.id, 'email', 'inbound', 'message', 'contact', 'Nothing to see here, thanks', 'received',
        c.last_message_at
      from conversations c where c.thread_key like 'filler-%'`);
  }, 120_000);

  afterAll(async () => {
    await database?.close();
  });

  it('finds a word, a phrase, a subject, a name and an address only an old conversation has', async () => {
    const word = await search('zanzibarite');
    expect(ids(word)).toEqual([old.conversationId]);
    expect(word[0]!.matchedIn).toBe('message');
    expect(word[0]!.snippet.filter((p) => p.match).map((p) => p.text)).toEqual(['zanzibarite']);

    expect(ids(await search('"gadget broke"'))).toEqual([old.conversationId]);
    expect(await search('"broke gadget"')).toEqual([]);

    const subject = await search('warranty');
    expect(ids(subject)).toEqual([old.conversationId]);
    expect(subject[0]!.matchedIn).toBe('subject');

    const address = await search('old.example');
    expect(ids(address)).toEqual([old.conversationId]);
    expect(address[0]!.matchedIn).toBe('email');
  });

  it('merges an old match with a recent one, newest first', async () => {
    const hits = await search('Oldfield');
    expect(ids(hits)).toEqual([recent.conversationId, old.conversationId]);
    expect(hits.map((h) => h.matchedIn)).toEqual(['name', 'name']);
  });

  it('applies the filters to the old matches too', async () => {
    expect(ids(await search('zanzibarite', { status: 'open' }))).toEqual([old.conversationId]);
    expect(await search('zanzibarite', { status: 'resolved' })).toEqual([]);
    expect(ids(await search('Oldfield', { from: '2025-01-01', to: '2025-12-31' }))).toEqual([old.conversationId]);
    expect(await search('warranty', { channel: 'chat' })).toEqual([]);
  });

  it('fills a page from the newest conversations for a word most of them have', async () => {
    const hits = await search('thanks');
    expect(hits).toHaveLength(20);
    // The newest twenty fillers, newest first.
    const times = hits.map((h) => h.conversation.lastMessageAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(times[0]).toBe(new Date(Date.parse('2026-02-01T00:00:00Z') + 1100 * 3_600_000).toISOString());
  });
});
