import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { dbMode, testDatabase } from '../helpers/db.ts';
import { channelInboxes, recordAnalyticsConsent, seedContacts, type SeedContact } from '../helpers/analytics-seed.ts';
import { dashboard } from '../../analytics/dashboard.ts';
import { rebuildAnalytics, type Filter } from '../../analytics/scope.ts';
import { rowsOf, type Database } from '../../server/db/client.ts';
import { botDecisions, conversations, messages, satisfactionRatings } from '../../drizzle/schema/index.ts';

/**
 * The rollups are kept by an incremental refresh (dirty buckets from triggers and from the time since the
 * last refresh). Whatever happens in between, after a refresh every cell must be what a full rebuild from
 * raw data computes, and so must every figure: live writes (created_at = now()), backdated writes, status
 * and resolution changes, deleted messages, a conversation moved to another contact, ratings given and
 * changed, withdrawals, and a grant dated a moment ahead that takes effect once due.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.now();
const ago = (ms: number) => new Date(NOW - ms);
const granted = [{ granted: true, at: ago(40 * 24 * HOUR) }];

const person = (consent: SeedContact['consent'], hoursAgo: number): SeedContact => ({
  consent,
  conversations: [
    {
      channel: 'chat',
      status: 'open',
      createdAt: ago(hoursAgo * HOUR),
      messages: [
        { author: 'contact', at: ago(hoursAgo * HOUR) },
        { author: 'bot', at: ago(hoursAgo * HOUR - 5_000) },
        { author: 'agent', at: ago(hoursAgo * HOUR - 7 * MINUTE) },
      ],
      decisions: [{ action: 'answer', reason: 'confident', at: ago(hoursAgo * HOUR - 4_000) }],
    },
    {
      channel: 'email',
      status: 'pending',
      createdAt: ago(hoursAgo * HOUR + 13 * MINUTE),
      messages: [{ author: 'contact', at: ago(hoursAgo * HOUR + 13 * MINUTE) }],
    },
  ],
});

describe(`analytics refresh: incremental equals a rebuild (${dbMode})`, () => {
  let database: Database;
  let ids: string[];
  // Edges off the quarter hours, reaching up to now: both stored buckets and on-the-fly edges are in play.
  const filter = (): Filter => ({
    from: new Date(NOW - 3 * 24 * HOUR - 7 * MINUTE),
    to: new Date(Date.now() + 11 * MINUTE),
    channel: null,
    timeZone: 'Asia/Kolkata',
  });

  beforeAll(async () => {
    database = await testDatabase();
    const inboxes = await channelInboxes(database.db);
    ids = await seedContacts(database.db, inboxes, [
      person(granted, 30),
      person(granted, 20),
      person(granted, 10),
      person([{ granted: false, at: ago(40 * 24 * HOUR) }], 5),
    ]);
    await dashboard(database.db, filter(), 1);
  });
  afterAll(async () => {
    await database?.close();
  });

  /** Cells without the keys (a rebuild numbers the scope afresh), in a fixed order. */
  const cells = async () =>
    rowsOf<Record<string, unknown>>(
      await database.db
        .execute(sql`select measure, bucket::text, channel::text, dim, n, total, vals::text, distinct_contacts
        from analytics_cells order by measure, bucket, channel, dim`),
    );
  const figures = async (k: number) => {
    const { generatedAt: _g, filter: _f, ...rest } = await dashboard(database.db, filter(), k);
    return rest;
  };

  async function expectSameAsRebuild() {
    const k1 = await figures(1); // refreshes first
    const incremental = { cells: await cells(), k1, k3: await figures(3) };
    await rebuildAnalytics(database.db, 5);
    const rebuilt = { cells: await cells(), k1: await figures(1), k3: await figures(3) };
    expect(incremental).toEqual(rebuilt);
    return incremental;
  }

  it('after live and backdated writes, status changes and deletions', async () => {
    const { db } = database;
    const [a, b, c] = ids as [string, string, string];
    const convOf = async (contactId: string) =>
      (await db.select().from(conversations).where(eq(conversations.contactId, contactId)))[0]!;
    const before = await figures(1);

    // Live: a new conversation with messages and a bot decision, stamped now() as every write path does.
    const aConv = await convOf(a);
    const [live] = await db
      .insert(conversations)
      .values({ inboxId: aConv.inboxId, contactId: a, channel: 'chat', status: 'bot', threadKey: `live-${a}` })
      .returning();
    await db.insert(messages).values([
      {
        conversationId: live!.id,
        channel: 'chat',
        direction: 'inbound',
        kind: 'message',
        authorKind: 'contact',
        body: 'x',
        deliveryState: 'received',
      },
      {
        conversationId: live!.id,
        channel: 'chat',
        direction: 'outbound',
        kind: 'message',
        authorKind: 'agent',
        body: 'y',
        deliveryState: 'sent',
      },
    ]);
    await db.insert(botDecisions).values({ conversationId: live!.id, action: 'handoff', reason: 'human_requested' });
    // A live first reply in an old conversation changes its first response (kept in its creation bucket).
    const [bEmail] = await db
      .select()
      .from(conversations)
      .where(and(eq(conversations.contactId, b), eq(conversations.channel, 'email')));
    await db.insert(messages).values({
      conversationId: bEmail!.id,
      channel: 'email',
      direction: 'outbound',
      kind: 'message',
      authorKind: 'agent',
      body: 'z',
      deliveryState: 'sent',
    });
    const live1 = await expectSameAsRebuild();
    expect(live1.k1).not.toEqual(before);
    // Resolved now; a backdated message; a deleted one; a rating given and changed.
    await db
      .update(conversations)
      .set({ status: 'resolved', resolvedAt: new Date() })
      .where(eq(conversations.id, aConv.id));
    const bConv = await convOf(b);
    const cConv = await convOf(c);
    await db.insert(messages).values({
      conversationId: cConv.id,
      channel: 'chat',
      direction: 'outbound',
      kind: 'message',
      authorKind: 'agent',
      body: 'w',
      deliveryState: 'sent',
      createdAt: ago(9 * HOUR),
    });
    const [first] = await db
      .select()
      .from(messages)
      .where(eq(messages.conversationId, bConv.id))
      .orderBy(messages.createdAt)
      .limit(1);
    await db.delete(messages).where(eq(messages.id, first!.id));
    const [rating] = await db.insert(satisfactionRatings).values({ conversationId: aConv.id, score: 4 }).returning();
    await db.update(satisfactionRatings).set({ score: 2 }).where(eq(satisfactionRatings.id, rating!.id));

    // Moved back in time, as the demo's history does: messages, the conversation, the rating.
    await db
      .update(messages)
      .set({ createdAt: sql`${messages.createdAt} - interval '26 hours'` })
      .where(eq(messages.conversationId, live!.id));
    await db
      .update(conversations)
      .set({ createdAt: sql`${conversations.createdAt} - interval '26 hours'` })
      .where(eq(conversations.id, live!.id));
    await db
      .update(satisfactionRatings)
      .set({ ratedAt: ago(25 * HOUR) })
      .where(eq(satisfactionRatings.id, rating!.id));

    const after = await expectSameAsRebuild();
    expect(after.k1).not.toEqual(live1.k1);
  });

  it('after a conversation moves to another contact, a withdrawal and a grant that becomes due', async () => {
    const { db } = database;
    const [, b, c, d] = ids as [string, string, string, string];
    const before = await figures(1);
    // A merge moves b's email conversation to the outsider d (outside the scope until their grant is due).
    const [bEmail] = await db
      .select()
      .from(conversations)
      .where(inArray(conversations.contactId, [b]))
      .orderBy(conversations.createdAt)
      .limit(1);
    await db.update(conversations).set({ contactId: d }).where(eq(conversations.id, bEmail!.id));
    await recordAnalyticsConsent(db, c, false);
    // Far enough ahead that the checks below finish before it is due even on a loaded machine.
    const dueAt = Date.now() + 15_000;
    await recordAnalyticsConsent(db, d, true, new Date(dueAt));
    const moved = await expectSameAsRebuild();
    expect(moved.k1).not.toEqual(before);
    expect(moved.k1.coverage.consenting).toBe(2);

    // Once the grant is due, the next refresh counts d (and the conversation that moved to them).
    expect(Date.now()).toBeLessThan(dueAt);
    await new Promise((resolve) => setTimeout(resolve, dueAt - Date.now() + 500));
    const due = await expectSameAsRebuild();
    expect(due.k1.coverage.consenting).toBe(3);
    expect(due.k1).not.toEqual(moved.k1);
  }, 90_000);
});
