import { sql } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import { cohort, scopedQuery, type Filter } from '../scope.ts';
import { figure, protectSum, withheldIf, type Figure } from '../cohort.ts';

export type Satisfaction = {
  /** Mean score, 1..5. */
  average: Figure;
  ratings: Figure;
  distribution: Array<{ score: number; ratings: Figure }>;
};

type Row = { score: number | null; n: number; cohort: number; average: number | null };

/** The ratings visitors gave after their conversation was resolved (the widget asks), rated in the range. */
export async function satisfaction(db: Db, filter: Filter, k: number): Promise<Satisfaction> {
  const rows = await scopedQuery<Row>(
    db,
    filter,
    // The mean as avg() computes it: the exact sum over the count, in numeric, then to float8.
    sql`select x.score, coalesce(sum(x.n), 0)::int as n, ${cohort('x', k)} as cohort,
        (sum(x.total)::numeric / nullif(sum(x.n), 0)::numeric)::float8 as average
      from (select c.dim::int as score, c.n, c.total, c.distinct_contacts, c.contacts
        from scoped_cells c where c.measure = 'ratings') x

      group by grouping sets ((x.score), ())`,
  );
  const total = rows.find((r) => r.score === null);
  const scores = [1, 2, 3, 4, 5];
  // The count is the sum of the ratings per score: protected like the volume's totals (analytics/cohort.ts).
  const { total: ratings, parts } = protectSum(
    figure(total?.n ?? 0, total?.cohort ?? 0, k),
    scores.map((score) => {
      const row = rows.find((r) => r.score !== null && Number(r.score) === score);
      return figure(row?.n ?? 0, row?.cohort ?? 0, k);
    }),
  );
  // The mean is a second equation over the same parts: beside the count it would solve two hidden scores'
  // counts. So it is withheld whenever a score's count is.
  const average = withheldIf(
    parts.some((p) => p.suppressed),
    figure(total?.average ?? null, total?.cohort ?? 0, k),
  );
  return { average, ratings, distribution: scores.map((score, i) => ({ score, ratings: parts[i]! })) };
}
