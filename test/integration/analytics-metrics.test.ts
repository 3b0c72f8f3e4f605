import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMode, testDatabase } from '../helpers/db.ts';
import { channelInboxes, seedContacts, type SeedContact } from '../helpers/analytics-seed.ts';
import { dashboard } from '../../analytics/dashboard.ts';
import { dashboardCsv } from '../../analytics/csv.ts';
import type { Filter } from '../../analytics/scope.ts';
import type { Database } from '../../server/db/client.ts';

const at = (iso: string, plusSeconds = 0) => new Date(Date.parse(iso) + plusSeconds * 1000);
const filter: Filter = {
  from: at('2026-11-01T00:00:00Z'),
  to: at('2026-11-08T00:00:00Z'),
  channel: null,
  timeZone: 'UTC',
};
const granted = [{ granted: true, at: at('2026-10-01T00:00:00Z') }];

/**
 * Consenting contact i (0..3): one resolved chat answered after (i+1) minutes, resolved after (i+1) hours, and
 * one email conversation.
 */

function consenting(i: number, consent = granted): SeedContact {
  const start = at('2026-11-02T10:00:00Z', i * 3600);
  const second = at('2026-11-03T09:00:00Z', i * 600);
  const email = [
    // A: the bot answered and that was all (deflected); B: the bot answered, then handed off; C: handed off at once.
    {
      status: 'open' as const,
      messages: [
        { author: 'contact' as const, at: second },
        { author: 'bot' as const, at: at(second.toISOString(), 5) },
      ],
      decisions: [{ action: 'answer' as const, reason: 'confident', at: second }],
    },
    {
      status: 'open' as const,
      messages: [
        { author: 'contact' as const, at: second },
        { author: 'bot' as const, at: at(second.toISOString(), 5) },
      ],
      decisions: [
        { action: 'answer' as const, reason: 'confident', at: second },
        { action: 'handoff' as const, reason: 'low_confidence', at: at(second.toISOString(), 60) },
      ],
    },
    {
      status: 'pending' as const,
      messages: [{ author: 'contact' as const, at: second }],
      decisions: [{ action: 'handoff' as const, reason: 'human_requested', at: second }],
    },
  ][i];
  return {
    consent,
    conversations: [
      {
        channel: 'chat',
        status: 'resolved',
        createdAt: start,
        resolvedAt: at(start.toISOString(), (i + 1) * 3600),
        messages: [
          { author: 'contact', at: start },
          { author: 'agent', kind: 'note', at: at(start.toISOString(), 10) },
          { author: 'agent', at: at(start.toISOString(), (i + 1) * 60) },
          { author: 'agent', kind: 'event', at: at(start.toISOString(), (i + 1) * 3600) },
        ],
        rating: [
          { score: 5, at: at('2026-11-04T00:00:00Z') },
          { score: 4, at: at('2026-11-04T00:00:00Z') },
          { score: 2, at: at('2026-11-04T00:00:00Z') },
          null,
        ][i],
      },
      ...(email ? [{ channel: 'email' as const, createdAt: second, ...email }] : []),
    ],
  };
}

/** Someone outside the scope, with plenty of data in the range. */
const outsider = (consent: SeedContact['consent']): SeedContact => ({
  consent,
  conversations: [0, 1, 2].map((j) => ({
    channel: 'chat' as const,
    status: (['resolved', 'open', 'bot'] as const)[j]!,
    createdAt: at('2026-11-02T10:30:00Z', j * 60),
    resolvedAt: j === 0 ? at('2026-11-02T12:00:00Z') : null,
    messages: [
      { author: 'contact' as const, at: at('2026-11-02T10:30:00Z', j * 60) },
      { author: 'agent' as const, at: at('2026-11-02T10:31:00Z', j * 60) },
    ],
    decisions: [{ action: 'handoff' as const, reason: 'low_confidence', at: at('2026-11-02T10:30:00Z') }],
    rating: j === 0 ? { score: 1, at: at('2026-11-04T00:00:00Z') } : null,
  })),
});

describe(`analytics metrics over the consent scope (${dbMode})`, () => {
  let database: Database;

  beforeAll(async () => {
    database = await testDatabase();
    const inboxes = await channelInboxes(database.db);
    await seedContacts(database.db, inboxes, [
      consenting(0),
      consenting(1),
      consenting(2),
      // Withdrew once, agreed again later: in the scope.
      consenting(3, [
        { granted: false, at: at('2026-09-01T00:00:00Z') },
        { granted: true, at: at('2026-10-01T00:00:00Z') },
      ]),
      // Agreed, then withdrew: out. Never asked: out.
      outsider([
        { granted: true, at: at('2026-09-01T00:00:00Z') },
        { granted: false, at: at('2026-10-01T00:00:00Z') },
      ]),
      outsider([]),
    ]);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('computes every metric from the consenting contacts only (k = 1 shows every number)', async () => {
    const d = await dashboard(database.db, filter, 1);
    expect(d.coverage).toEqual({ consenting: 4, contacts: 6, percent: 67 });
    expect(d.volume.conversations).toEqual({ value: 7, suppressed: false });
    expect(d.volume.messages).toEqual({ value: 13, suppressed: false });
    expect(d.volume.days).toEqual([
      {
        day: '2026-11-02',
        channel: 'chat',
        conversations: { value: 4, suppressed: false },
        messages: { value: 8, suppressed: false },
      },
      {
        day: '2026-11-03',
        channel: 'email',
        conversations: { value: 3, suppressed: false },
        messages: { value: 5, suppressed: false },
      },
    ]);
    expect(d.firstResponse).toEqual({
      median: { value: 150, suppressed: false },
      p90: { value: 222, suppressed: false },
      conversations: { value: 4, suppressed: false },
    });
    expect(d.resolution).toEqual({
      median: { value: 9000, suppressed: false },
      p90: { value: 13320, suppressed: false },
      conversations: { value: 4, suppressed: false },
    });
    expect(d.bot.conversations).toEqual({ value: 3, suppressed: false });
    expect(d.bot.deflected).toEqual({ value: 1, suppressed: false });
    expect(d.bot.deflectionRate.value).toBeCloseTo(1 / 3);
    expect(d.bot.handoffReasons).toEqual([
      { reason: 'human_requested', handoffs: { value: 1, suppressed: false } },
      { reason: 'low_confidence', handoffs: { value: 1, suppressed: false } },
    ]);
    expect(d.backlog).toEqual([
      { status: 'bot', conversations: { value: 0, suppressed: false } },
      { status: 'open', conversations: { value: 2, suppressed: false } },
      { status: 'pending', conversations: { value: 1, suppressed: false } },
    ]);
    // 2026-11-02 is a Monday (ISO weekday 1), 2026-11-03 a Tuesday.
    expect(d.heatmap.map((c) => [c.weekday, c.hour, c.messages.value])).toEqual([
      [1, 10, 1],
      [1, 11, 1],
      [1, 12, 1],
      [1, 13, 1],
      [2, 9, 3],
    ]);
    expect(d.satisfaction.average.value).toBeCloseTo(11 / 3);
    expect(d.satisfaction.ratings).toEqual({ value: 3, suppressed: false });
    expect(d.satisfaction.distribution.map((s) => s.ratings.value)).toEqual([0, 1, 0, 1, 1]);
  });

  it('suppresses every figure built from fewer than k distinct contacts', async () => {
    const d = await dashboard(database.db, filter, 2);
    // Four contacts behind the totals; one behind each heatmap cell of Monday, three behind Tuesday 9:00.
    expect(d.volume.conversations).toEqual({ value: 7, suppressed: false });
    expect(d.heatmap.map((c) => c.messages)).toEqual([
      ...Array(4).fill({ value: null, suppressed: true }),
      { value: 3, suppressed: false },
    ]);
    expect(d.bot.deflected).toEqual({ value: null, suppressed: true });
    // Beside the count of bot conversations the rate would give the suppressed deflected count away.
    expect(d.bot.deflectionRate).toEqual({ value: null, suppressed: true });
    expect(d.backlog.find((b) => b.status === 'pending')!.conversations).toEqual({ value: null, suppressed: true });
    expect(d.satisfaction.distribution.find((s) => s.score === 5)!.ratings).toEqual({ value: null, suppressed: true });

    const five = await dashboard(database.db, filter, 5);
    expect(five.volume.conversations).toEqual({ value: null, suppressed: true });
    expect(five.firstResponse.median).toEqual({ value: null, suppressed: true });
    expect(five.satisfaction.average).toEqual({ value: null, suppressed: true });
    // Nothing in the bot column counts as "nobody": zero stays zero.
    expect(five.backlog.find((b) => b.status === 'bot')!.conversations).toEqual({ value: 0, suppressed: false });
    const csv = dashboardCsv(five);
    expect(csv).toContain('conversations,total,fewer than 5,conversations\r\n');
    expect(csv).not.toMatch(/conversations,total,\d/);
  });

  it('filters by channel and by time range', async () => {
    const chat = await dashboard(database.db, { ...filter, channel: 'chat' }, 1);
    expect(chat.volume.conversations.value).toBe(4);
    expect(chat.volume.messages.value).toBe(8);
    expect(chat.backlog.map((b) => b.conversations.value)).toEqual([0, 0, 0]);
    expect(chat.bot.conversations.value).toBe(0);
    const tuesday = await dashboard(database.db, { ...filter, from: at('2026-11-03T00:00:00Z') }, 1);
    expect(tuesday.volume.conversations.value).toBe(3);
    expect(tuesday.firstResponse.conversations.value).toBe(0);
    expect(tuesday.firstResponse.median).toEqual({ value: null, suppressed: false });
    // Days and hours in the viewer's zone: 10:00 UTC on Monday is 19:00 in Tokyo.
    const tokyo = await dashboard(database.db, { ...filter, timeZone: 'Asia/Tokyo' }, 1);
    expect(tokyo.heatmap[0]).toMatchObject({ weekday: 1, hour: 19 });
  });
});
