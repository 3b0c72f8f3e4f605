import { sql } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import { cohort, scopedQuery, type Filter } from '../scope.ts';
import { figure, type Figure } from '../cohort.ts';

export type BotMetrics = {
  /** Conversations started in the range in which the bot answered or handed off. */
  conversations: Figure;
  /** Of those: no hand-off and no reply by a person, i.e. the bot's answers were all it took. */
  deflected: Figure;
  /** deflected / conversations, 0..1 */
  deflectionRate: Figure;
  handoffReasons: Array<{ reason: string; handoffs: Figure }>;
};

type Totals = { n: number; cohort: number; deflected: number; deflected_cohort: number };
type Reason = { reason: string; n: number; cohort: number };

/**
 * Conversations started in the range in which the bot answered or handed off, those of them deflected (no
 * hand-off, no reply by a person), and the hand-offs made in the range by reason.
 */
export async function bot(db: Db, filter: Filter, k: number): Promise<BotMetrics> {
  const [totals] = await scopedQuery<Totals>(
    db,
    filter,
    sql`select t.n, t.cohort, d.n as deflected, d.cohort as deflected_cohort
      from (select coalesce(sum(c.n), 0)::int as n, ${cohort('c', k)} as cohort
        from scoped_cells c where c.measure = 'bot_conversations') t
      cross join (select coalesce(sum(c.n), 0)::int as n, ${cohort('c', k)} as cohort
        from scoped_cells c where c.measure = 'bot_deflected') d`,
  );
  const reasons = await scopedQuery<Reason>(
    db,
    filter,
    sql`select c.dim as reason, sum(c.n)::int as n, ${cohort('c', k)} as cohort
      from scoped_cells c
      where c.measure = 'handoffs'
      group by c.dim
      order by sum(c.n) desc, c.dim`,
  );
  const n = totals?.n ?? 0;
  const deflected = figure(totals?.deflected ?? 0, totals?.deflected_cohort ?? 0, k);
  const conversations = figure(n, totals?.cohort ?? 0, k);
  // Beside the number of conversations the rate gives the deflected count away: it is shown only when both are.
  const rate =
    n > 0 && !deflected.suppressed && !conversations.suppressed
      ? figure(totals!.deflected / n, totals!.cohort, k)
      : figure(null, totals?.cohort ?? 0, k);
  return {
    conversations,
    deflected,
    deflectionRate: deflected.suppressed ? { value: null, suppressed: true } : rate,
    handoffReasons: reasons.map((r) => ({ reason: r.reason, handoffs: figure(r.n, r.cohort, k) })),
  };
}
