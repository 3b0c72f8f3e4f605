import { sql } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import { cohort, rangeOf, scopedQuery, type Filter } from '../scope.ts';
import { figure, type Figure } from '../cohort.ts';

/** ISO day of week (1 = Monday … 7 = Sunday) and hour (0–23) in the viewer's time zone. */
export type HeatCell = { weekday: number; hour: number; messages: Figure };

type Row = { weekday: number; hour: number; n: number; cohort: number };

/**
 * When customers write: their messages in the range per weekday and hour. Only cells with messages are listed.
 * A 15-minute bucket lies inside one local hour in every zone, so the cells' buckets give weekday and hour.
 */
export async function heatmap(db: Db, filter: Filter, k: number): Promise<HeatCell[]> {
  const { tz } = rangeOf(filter);
  const rows = await scopedQuery<Row>(
    db,
    filter,
    sql`select x.weekday, x.hour, sum(x.n)::int as n, ${cohort('x', k)} as cohort
      from (
        select date_part('isodow', timezone(${tz}, c.bucket))::int as weekday,
          date_part('hour', timezone(${tz}, c.bucket))::int as hour, c.n, c.distinct_contacts, c.contacts
        from scoped_cells c
        where c.measure = 'customer_messages'
      ) x
      group by x.weekday, x.hour`,
  );
  return rows
    .map((r) => ({ weekday: Number(r.weekday), hour: Number(r.hour), messages: figure(r.n, r.cohort, k) }))
    .sort((a, b) => a.weekday - b.weekday || a.hour - b.hour);
}
