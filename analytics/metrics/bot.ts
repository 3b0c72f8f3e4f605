import { sql } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import { rangeOf, scopedQuery, type Filter } from '../scope.ts';
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

export async function bot(db: Db, filter: Filter, k: number): Promise<BotMetrics> {
  const { from, to } = rangeOf(filter);
  const [totals] = await scopedQuery<Totals>(
    db,
    filter,
    sql`select count(*)::int as n, count(distinct b.contact_id)::int as cohort,
        (count(*) filter (where not b.handed))::int as deflected,
        (count(distinct b.contact_id) filter (where not b.handed))::int as deflected_cohort
      from (
        -- Per conversation started in the range: did the bot take part, did it hand off, did a person reply?
        select u.conversation_id, u.contact_id, bool_or(u.handoff) or bool_or(u.person_replied) as handed
        from (
          select d.conversation_id, d.contact_id, d.action = 'handoff' as handoff, false as person_replied, true as bot
          from scoped_bot_decisions d
          where d.action in ('answer', 'handoff') and d.conversation_created_at >= ${from} and d.conversation_created_at < ${to}
          union all
          select sm.conversation_id, sm.contact_id, false, true, false
          from scoped_messages sm
          where sm.author_kind = 'agent' and sm.kind = 'message' and sm.created_at >= ${from}
            and sm.conversation_created_at >= ${from} and sm.conversation_created_at < ${to}
        ) u
        group by u.conversation_id, u.contact_id
        having bool_or(u.bot)
      ) b`,
  );
  const reasons = await scopedQuery<Reason>(
    db,
    filter,
    sql`select d.reason, count(*)::int as n, count(distinct d.contact_id)::int as cohort
      from scoped_bot_decisions d
      where d.action = 'handoff' and d.created_at >= ${from} and d.created_at < ${to}
      group by d.reason
      order by count(*) desc, d.reason`,
  );
  const n = totals?.n ?? 0;
  const deflected = figure(totals?.deflected ?? 0, totals?.deflected_cohort ?? 0, k);
  const conversations = figure(n, totals?.cohort ?? 0, k);
  // Beside the number of conversations the rate gives the deflected count away: it is shown only when both are.
  const rate = n > 0 && !deflected.suppressed && !conversations.suppressed ? figure(totals!.deflected / n, totals!.cohort, k) : figure(null, totals?.cohort ?? 0, k);
  return {
    conversations,
    deflected,
    deflectionRate: deflected.suppressed ? { value: null, suppressed: true } : rate,
    handoffReasons: reasons.map((r) => ({ reason: r.reason, handoffs: figure(r.n, r.cohort, k) })),
  };
}
