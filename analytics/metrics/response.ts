import { sql } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import { cohort, scopedQuery, type Filter } from '../scope.ts';
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
 * Percentiles over the durations of the cells of one measure (each cell: the conversations started in its
 * bucket), with their number and the distinct contacts behind them.
 */
async function durationsOf(
  db: Db,
  filter: Filter,
  k: number,
  measure: 'first_response' | 'resolution',
): Promise<Durations> {
  const [row] = await scopedQuery<Row>(
    db,
    filter,
    sql`select p.median, p.p90, t.n, t.cohort
      from (select percentile_cont(0.5) within group (order by v.value) as median,
          percentile_cont(0.9) within group (order by v.value) as p90
        from scoped_values v where v.measure = ${measure}) p
      cross join (select coalesce(sum(c.n), 0)::int as n, ${cohort('c', k)} as cohort
        from scoped_cells c where c.measure = ${measure}) t`,
  );
  return durations(row, k);
}

/**
 * First response time of conversations started in the range: from the customer's first message to the
 * first reply a person (an agent, not the bot) sent after it. Unanswered conversations are not counted.
 */
export const firstResponse = (db: Db, filter: Filter, k: number) => durationsOf(db, filter, k, 'first_response');

/** Resolution time of conversations started in the range and resolved now: from start to the latest resolution. */
export const resolution = (db: Db, filter: Filter, k: number) => durationsOf(db, filter, k, 'resolution');
