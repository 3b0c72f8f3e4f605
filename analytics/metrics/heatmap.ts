import { sql } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import { rangeOf, scopedQuery, type Filter } from '../scope.ts';
import { figure, type Figure } from '../cohort.ts';

/** ISO day of week (1 = Monday … 7 = Sunday) and hour (0–23) in the viewer's time zone. */
export type HeatCell = { weekday: number; hour: number; messages: Figure };

type Row = { weekday: number; hour: number; n: number; cohort: number };

/**
 * When customers write: their messages in the range per weekday and hour. Only cells with messages are listed.
 * (last_message_at is never older than a conversation's messages: only conversations active since `from` count.)
 */
export async function heatmap(db: Db, filter: Filter, k: number): Promise<HeatCell[]> {
  const { from, to, tz } = rangeOf(filter);
  const rows = await scopedQuery<Row>(
    db,
    filter,
    sql`select x.weekday, x.hour, count(*)::int as n, count(distinct x.contact_id)::int as cohort
      from (
        select date_part('isodow', timezone(${tz}, sm.created_at))::int as weekday,
          date_part('hour', timezone(${tz}, sm.created_at))::int as hour, sm.contact_id
        from scoped_messages sm
        where sm.author_kind = 'contact' and sm.kind = 'message' and sm.created_at >= ${from} and sm.created_at < ${to}
          and sm.conversation_last_message_at >= ${from}
      ) x
      group by x.weekday, x.hour`,
  );
  return rows
    .map((r) => ({ weekday: Number(r.weekday), hour: Number(r.hour), messages: figure(r.n, r.cohort, k) }))
    .sort((a, b) => a.weekday - b.weekday || a.hour - b.hour);
}
