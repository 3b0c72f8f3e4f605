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
  // Messages of a conversation are never older than it, so the message range starts at `from` too: that
  // lets the planner read messages through their created_at index instead of all of them.
  const [row] = await scopedQuery<Row>(
    db,
    filter,
    sql`select percentile_cont(0.5) within group (order by w.seconds) as median,
        percentile_cont(0.9) within group (order by w.seconds) as p90,
        count(*)::int as n, count(distinct w.contact_id)::int as cohort
      from (
        select asked.contact_id, date_part('epoch', min(reply.created_at) - asked.at) as seconds
        from (
          select sm.conversation_id, sm.contact_id, min(sm.created_at) as at
          from scoped_messages sm
          where sm.author_kind = 'contact' and sm.kind = 'message' and sm.created_at >= ${from}
            and sm.conversation_created_at >= ${from} and sm.conversation_created_at < ${to}
          group by sm.conversation_id, sm.contact_id
        ) asked
        join scoped_messages reply on reply.conversation_id = asked.conversation_id
          and reply.author_kind = 'agent' and reply.direction = 'outbound' and reply.kind = 'message'
          and reply.created_at >= asked.at
        group by asked.conversation_id, asked.contact_id, asked.at
      ) w`,
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
