import { sql } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import { rangeOf, scopedQuery, type Filter } from '../scope.ts';
import { figure, type Figure } from '../cohort.ts';

export type Satisfaction = {
  /** Mean score, 1..5. */
  average: Figure;
  ratings: Figure;
  distribution: Array<{ score: number; ratings: Figure }>;
};

type Row = { score: number | null; n: number; cohort: number; average: number | null };

/** The ratings visitors gave after their conversation was resolved (the widget asks), rated in the range. */
export async function satisfaction(db: Db, filter: Filter, k: number): Promise<Satisfaction> {
  const { from, to } = rangeOf(filter);
  const rows = await scopedQuery<Row>(
    db,
    filter,
    sql`select sr.score, count(*)::int as n, count(distinct sr.contact_id)::int as cohort, avg(sr.score)::float8 as average
      from scoped_ratings sr
      where sr.rated_at >= ${from} and sr.rated_at < ${to}
      group by grouping sets ((sr.score), ())`,
  );
  const total = rows.find((r) => r.score === null);
  return {
    average: figure(total?.average ?? null, total?.cohort ?? 0, k),
    ratings: figure(total?.n ?? 0, total?.cohort ?? 0, k),
    distribution: [1, 2, 3, 4, 5].map((score) => {
      const row = rows.find((r) => r.score !== null && Number(r.score) === score);
      return { score, ratings: figure(row?.n ?? 0, row?.cohort ?? 0, k) };
    }),
  };
}
