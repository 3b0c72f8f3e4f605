import { sql } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import type { ChannelKind } from '../../drizzle/schema/enums.ts';
import { cohort, rangeOf, scopedQuery, type Filter } from '../scope.ts';
import { figure, protectSum, type Figure } from '../cohort.ts';

export type VolumeDay = { day: string; channel: ChannelKind; conversations: Figure; messages: Figure };
export type Volume = { conversations: Figure; messages: Figure; days: VolumeDay[] };

type Row = {
  measure: 'conversations' | 'messages';
  day: string | null;
  channel: ChannelKind | null;
  n: number;
  cohort: number;
};

/**
 * Conversations started and customer-visible messages (both directions, bot included; notes and timeline
 * events are not messages) per channel per day in the viewer's time zone, with totals for the range.
 * A 15-minute bucket lies inside one local day in every zone, so the cells' buckets give the day.
 */
export async function volume(db: Db, filter: Filter, k: number): Promise<Volume> {
  const { tz } = rangeOf(filter);
  const rows = await scopedQuery<Row>(
    db,
    filter,
    // Messages are counted per their own channel (the cell's dim), conversations per theirs.
    // (Grouped by the local date, formatted once per group: cheaper than formatting every cell.)
    sql`select 'conversations' as measure, to_char(x.day, 'YYYY-MM-DD') as day, x.channel,
        coalesce(sum(x.n), 0)::int as n, ${cohort('x', k)} as cohort
      from (select timezone(${tz}, c.bucket)::date as day, c.channel::text as channel,
          c.n, c.distinct_contacts, c.contacts
        from scoped_cells c

        where c.measure = 'conversations') x
      group by grouping sets ((x.day, x.channel), ())
    union all
    select 'messages', to_char(y.day, 'YYYY-MM-DD'), y.channel, coalesce(sum(y.n), 0)::int, ${cohort('y', k)}
      from (select timezone(${tz}, c.bucket)::date as day, c.dim as channel, c.n, c.distinct_contacts, c.contacts
        from scoped_cells c
        where c.measure = 'messages') y
      group by grouping sets ((y.day, y.channel), ())`,
  );
  const total = (measure: Row['measure']) => rows.find((r) => r.measure === measure && r.day === null);
  const cells = new Map<string, VolumeDay>();
  for (const r of rows) {
    if (r.day === null || r.channel === null) continue;
    const key = `${r.day}|${r.channel}`;
    const cell = cells.get(key) ?? {
      day: r.day,
      channel: r.channel,
      conversations: figure(0, 0, k),
      messages: figure(0, 0, k),
    };
    cell[r.measure === 'conversations' ? 'conversations' : 'messages'] = figure(r.n, r.cohort, k);
    cells.set(key, cell);
  }
  const days = [...cells.values()].sort((a, b) => a.day.localeCompare(b.day) || a.channel.localeCompare(b.channel));
  // The totals are the sums of the cells: a suppressed cell must not be the total less the cells shown.
  const protect = (measure: Row['measure']) => {
    const row = total(measure);
    const { total: sum, parts } = protectSum(
      figure(row?.n ?? 0, row?.cohort ?? 0, k),
      days.map((d) => d[measure]),
    );
    parts.forEach((f, i) => (days[i]![measure] = f));
    return sum;
  };
  return { conversations: protect('conversations'), messages: protect('messages'), days };
}
