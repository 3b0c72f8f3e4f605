import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { inArray, sql } from 'drizzle-orm';
import { dbMode, testDatabase } from '../helpers/db.ts';
import {
  channelInboxes,
  recordAnalyticsConsent,
  seedContacts,
  type SeedContact,
  type SeedConversation,
} from '../helpers/analytics-seed.ts';
import { dashboard, type Dashboard } from '../../analytics/dashboard.ts';
import type { Filter } from '../../analytics/scope.ts';
import type { Database } from '../../server/db/client.ts';
import type { ChannelKind } from '../../drizzle/schema/enums.ts';
import { contacts, conversations } from '../../drizzle/schema/index.ts';

/**
 * Acceptance 4, over 200 generated datasets on a real database:
 * - adding or removing any data of contacts outside the consent scope changes no figure;
 * - after a consent withdrawal and an erasure, those contacts' contributions are gone at the next query:
 *   the dashboard equals the one of a world in which they never existed.
 */
const T0 = Date.parse('2026-06-01T00:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.now();

const channels: ChannelKind[] = ['chat', 'email', 'sms'];
const message = fc.record({
  author: fc.constantFrom('contact', 'contact', 'agent', 'bot', 'system') as fc.Arbitrary<
    'contact' | 'agent' | 'bot' | 'system'
  >,
  kind: fc.constantFrom('message', 'message', 'message', 'note', 'event') as fc.Arbitrary<'message' | 'note' | 'event'>,
  afterMinutes: fc.integer({ min: 0, max: 48 * 60 }),
});
const conversation: fc.Arbitrary<SeedConversation> = fc
  .record({
    channel: fc.constantFrom(...channels),
    status: fc.constantFrom('bot', 'open', 'pending', 'resolved', 'resolved') as fc.Arbitrary<
      SeedConversation['status']
    >,
    // Some start before or after the range.
    startMinutes: fc.integer({ min: -24 * 60, max: 8 * 24 * 60 }),
    resolvedAfterMinutes: fc.option(fc.integer({ min: 1, max: 72 * 60 }), { nil: null }),
    messages: fc.array(message, { maxLength: 5 }),
    decisions: fc.array(
      fc.record({
        action: fc.constantFrom('answer', 'handoff', 'silent') as fc.Arbitrary<'answer' | 'handoff' | 'silent'>,
        reason: fc.constantFrom('confident', 'low_confidence', 'human_requested', 'agent_active'),
        afterMinutes: fc.integer({ min: 0, max: 120 }),
      }),
      { maxLength: 2 },
    ),
    rating: fc.option(
      fc.record({ score: fc.integer({ min: 1, max: 5 }), afterMinutes: fc.integer({ min: 0, max: 72 * 60 }) }),
      { nil: null },
    ),
  })
  .map((c) => {
    const start = T0 + c.startMinutes * 60_000;
    const at = (minutes: number) => new Date(start + minutes * 60_000);
    return {
      channel: c.channel,
      status: c.status,
      createdAt: new Date(start),
      resolvedAt: c.status === 'resolved' && c.resolvedAfterMinutes !== null ? at(c.resolvedAfterMinutes) : null,
      messages: c.messages.map((m) => ({ author: m.author, kind: m.kind, at: at(m.afterMinutes) })),
      decisions: c.decisions.map((d) => ({ action: d.action, reason: d.reason, at: at(d.afterMinutes) })),
      rating: c.rating ? { score: c.rating.score, at: at(c.rating.afterMinutes) } : null,
    };
  });

const past = (days: number) => new Date(T0 - days * DAY);
/** Ledgers whose current analytics state (latest event as of now) is granted. */
type Ledger = SeedContact['consent'];
const consentingLedger = fc.constantFrom<Ledger>(
  [{ granted: true, at: past(30) }],
  [
    { granted: false, at: past(60) },
    { granted: true, at: past(30) },
  ],
  [
    { granted: true, at: past(90) },
    { granted: false, at: past(60) },
    { granted: true, at: past(2) },
  ],
);
/** Ledgers outside the scope: nothing recorded, withdrawn, declined, or a grant dated in the future. */
const outsideLedger = fc.constantFrom<Ledger>(
  [],
  [{ granted: false, at: past(30) }],
  [
    { granted: true, at: past(60) },
    { granted: false, at: past(30) },
  ],
  [
    { granted: false, at: past(30) },
    { granted: true, at: new Date(NOW + 10 * DAY) },
  ],
);
const person = (ledger: fc.Arbitrary<SeedContact['consent']>) =>
  fc.record({ consent: ledger, conversations: fc.array(conversation, { minLength: 0, maxLength: 3 }) });
const consentingWithData = fc.record({
  consent: consentingLedger,
  conversations: fc.array(conversation, { minLength: 1, maxLength: 3 }),
});

const dataset = fc.record({
  consenting: fc.array(person(consentingLedger), { maxLength: 5 }),
  outsiders: fc.array(person(outsideLedger), { minLength: 1, maxLength: 4 }),
  withdrawing: consentingWithData,
  erased: consentingWithData,
  k: fc.constantFrom(1, 1, 2, 3),
  channel: fc.constantFrom(null, null, 'chat', 'email') as fc.Arbitrary<ChannelKind | null>,
  timeZone: fc.constantFrom('UTC', 'America/New_York', 'Asia/Kolkata'),
});

/** Every figure (the generation time and the coverage line are not figures about the data). */
const figures = ({ generatedAt: _g, coverage: _c, ...rest }: Dashboard) => rest;

describe(`analytics property: only consenting contacts count (${dbMode})`, () => {
  let database: Database;
  let inboxes: Awaited<ReturnType<typeof channelInboxes>>;

  beforeAll(async () => {
    database = await testDatabase();
    inboxes = await channelInboxes(database.db);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('holds for 200 generated datasets', async () => {
    let sensitive = 0;
    await fc.assert(
      fc.asyncProperty(dataset, async (d) => {
        const { db } = database;
        const filter: Filter = {
          from: new Date(T0),
          to: new Date(T0 + 7 * DAY),
          channel: d.channel,
          timeZone: d.timeZone,
        };
        const view = () => dashboard(db, filter, d.k);
        await db.execute(sql`delete from ${contacts}`);

        // The world without the two who will leave and without any outsider.
        await seedContacts(db, inboxes, d.consenting);
        const reference = await view();
        expect(reference.coverage.consenting).toBe(d.consenting.length);

        // Adding everything about non-consenting contacts changes no figure.
        const outsiderIds = await seedContacts(db, inboxes, d.outsiders);
        expect(figures(await view())).toEqual(figures(reference));

        // Two more consenting contacts with data in the range: they count.
        const [withdrawing, erased] = await seedContacts(db, inboxes, [d.withdrawing, d.erased]);
        const full = await view();
        expect(full.coverage.consenting).toBe(d.consenting.length + 2);
        if (d.k === 1 && JSON.stringify(figures(full)) !== JSON.stringify(figures(reference))) sensitive++;

        // One withdraws analytics consent, the other is erased: at the next query both are gone.
        await recordAnalyticsConsent(db, withdrawing!, false);
        await db.delete(contacts).where(inArray(contacts.id, [erased!]));
        const after = await view();
        expect(figures(after)).toEqual(figures(reference));
        expect(after.coverage.consenting).toBe(d.consenting.length);

        // Removing the outsiders' data changes nothing either.
        await db.delete(conversations).where(inArray(conversations.contactId, outsiderIds));
        expect(figures(await view())).toEqual(figures(reference));
      }),
      { numRuns: 200 },
    );
    // The property is not vacuous: most datasets' figures moved when the two consenting contacts came in.
    expect(sensitive).toBeGreaterThan(50);
  }, 900_000);
});
