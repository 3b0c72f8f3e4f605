import { sql } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import { rangeOf, scopedQuery, type Filter } from '../scope.ts';
import { figure, type Figure } from '../cohort.ts';

/** Durations in seconds. */
export type Durations = { median: Figure; p90: Figure; conversations: Figure };

type Row = { median: number | null; p90: number | null; n: number; cohort: number };

const durations = (row: Row | undefined, k: number): Durations => ({
  median: figure(row?.median, row?.cohort, k),
  p90: figure(row?.p90, row?.cohort, k),
  conversations: figure(row?.n ?? 0, row?.cohort ?? 0, k),
});

/**
 * First response time of conversations started in the range: from the customer's first message to the
 * first reply a person (an agent, not the bot) sent after it. Unanswered conversations are not counted.
 */
export async function firstResponse(db: Db, filter: Filter, k: number): Promise<Durations> {
  const { from, to } = rangeOf(filter);
  // One pass over the messages of the conversations in the range: each row learns its conversation's first
  // customer message (a window), then the first person's reply at or after it is taken. Messages are never
  // older than their conversation, so the message range starts at `from` too (the created_at index).
  const [row] = await scopedQuery<Row>(
    db,
    filter,
    sql`select percentile_cont(0.5) within group (order by w.seconds) as median,
        percentile_cont(0.9) within group (order by w.seconds) as p90,
        count(*)::int as n, count(distinct w.contact_id)::int as cohort
      from (
        select x.contact_id,
          date_part('epoch', min(x.created_at) filter (where x.is_reply and x.created_at >= x.asked) - min(x.asked)) as seconds
        from (
          select sm.conversation_id, sm.contact_id, sm.created_at,
            (sm.author_kind = 'agent' and sm.direction = 'outbound') as is_reply,
            min(sm.created_at) filter (where sm.author_kind = 'contact') over (partition by sm.conversation_id) as asked
          from scoped_messages sm
          where sm.kind = 'message' and sm.created_at >= ${from}
            and sm.conversation_created_at >= ${from} and sm.conversation_created_at < ${to}
        ) x
        group by x.conversation_id, x.contact_id
      ) w
      where w.seconds is not null`,
  );
  return durations(row, k);
}

/** Resolution time of conversations started in the range and resolved now: from start to the latest resolution. */
export async function resolution(db: Db, filter: Filter, k: number): Promise<Durations> {
  const { from, to } = rangeOf(filter);
  const [row] = await scopedQuery<Row>(
    db,
    filter,
    sql`select percentile_cont(0.5) within group (order by w.seconds) as median,
        percentile_cont(0.9) within group (order by w.seconds) as p90,
        count(*)::int as n, count(distinct w.contact_id)::int as cohort
      from (
        select sc.contact_id, date_part('epoch', sc.resolved_at - sc.created_at) as seconds
        from scoped_conversations sc
        where sc.status = 'resolved' and sc.resolved_at is not null
          and sc.created_at >= ${from} and sc.created_at < ${to}
      ) w`,
  );
  return durations(row, k);
}
