import { sql, type SQL } from 'drizzle-orm';

/**
 * The bucket builder: part of the consent scope (it is the one piece of analytics/ that reads raw
 * tables, and it reads only rows of contacts in `analytics_scope`). It turns the raw rows whose time
 * falls in the given windows into rollup cells, one per 15-minute bucket, channel (the conversation's),
 * measure and dimension. The same SQL recomputes stored buckets (windows = dirty buckets), rebuilds
 * everything (one window from -infinity to infinity) and computes a request's partial edges on the fly
 * (windows = the parts of [from, to) not on a 15-minute boundary), so figures are exact for any range.
 *
 * Measures, each keyed by the time the metric ranges over:
 * - conversations (created_at), messages (created_at; dim = the message's channel), customer_messages
 * - first_response, resolution (the conversation's created_at; vals = seconds), bot_conversations,
 *   bot_deflected (created_at), backlog (created_at; dim = status; not a ranged figure: a backlog is now)
 * - handoffs (the decision's created_at; dim = reason), ratings (rated_at; dim = score, total = sum of scores)
 *
 * The definitions are those of analytics/README.md ("Metrics"); `lo` of a window plays the part of the
 * range's `from` (messages of a conversation count from it on). A conversation in the trash counts nowhere;
 * deleting and restoring one marks its buckets dirty (server/domain/trash.ts).
 */
export type Window = { lo: string; hi: string };

/** The bucket of a time: 15 minutes, aligned to UTC. Also in the migration (analytics_bucket), for triggers. */
export const BUCKET_MS = 15 * 60_000;

const pgArray = (values: string[]) => `{${values.map((v) => `"${v}"`).join(',')}}`;

/**
 * Cell rows (measure, bucket, channel, dim, n, total, vals, distinct_contacts, contacts) for the windows.
 * `bulk` (a rebuild) lets the planner hash-join whole tables; otherwise (a few buckets) every lookup is
 * kept an index probe per row (`offset 0` keeps the planner from flattening it into a join it would
 * misjudge: the windows are parameters, so it cannot see how few rows they hold). The result is the same.
 */
export function cellsOf(windows: Window[], k: number | SQL, withBacklog: boolean, bulk = false): SQL {
  const fence = bulk ? sql`` : sql`offset 0`;
  const los = pgArray(windows.map((w) => w.lo));
  const his = pgArray(windows.map((w) => w.hi));
  const backlog = withBacklog
    ? sql`union all
      select cv.bucket, 'backlog', cv.channel, cv.status::text, cv.key, null from cv where cv.status <> 'resolved'`
    : sql``;
  return sql`select f.measure, f.bucket, f.channel, f.dim, count(*)::int as n,
      case when f.measure = 'ratings' then sum(f.value)::bigint end as total,
      case when f.measure in ('first_response', 'resolution') then array_agg(f.value order by f.value) end as vals,
      count(distinct f.key)::int as distinct_contacts,
      (array_agg(distinct f.key order by f.key))[1:${k}::int] as keys
    from (
      with w as materialized (select * from unnest(${los}::timestamptz[], ${his}::timestamptz[]) as w(lo, hi)),
      cv as materialized (
        select c.id, x.key, c.channel, c.status, c.created_at, c.resolved_at, w.lo,
          analytics_bucket(c.created_at) as bucket
        from w join conversations c on c.created_at >= w.lo and c.created_at < w.hi and c.deleted_at is null
        cross join lateral (select s.key from analytics_scope s where s.contact_id = c.contact_id ${fence}) x
      ),
      msg as materialized (
        select analytics_bucket(m.created_at) as bucket, x.channel, m.channel as message_channel, m.author_kind, x.key
        from w join messages m on m.created_at >= w.lo and m.created_at < w.hi
        cross join lateral (select c.channel, s.key from conversations c
          join analytics_scope s on s.contact_id = c.contact_id
          where c.id = m.conversation_id and c.deleted_at is null ${fence}) x
        where m.kind = 'message'
      ),
      bc as (
        -- Conversations the bot answered or handed off in; handed = a hand-off or a reply by a person.
        -- (Scalar subqueries with limit 1, not exists(): the planner would hash whole tables for those.)
        select b.bucket, b.channel, b.key, b.handed from (
          select cv.bucket, cv.channel, cv.key,
            (select true from bot_decisions d
              where d.conversation_id = cv.id and d.action in ('answer', 'handoff') limit 1) as bot,
            coalesce((select true from bot_decisions d
              where d.conversation_id = cv.id and d.action = 'handoff' limit 1), false)
              or coalesce((select true from messages m where m.conversation_id = cv.id and m.author_kind = 'agent'
                and m.kind = 'message' and m.created_at >= cv.lo limit 1), false) as handed
          from cv offset 0
        ) b
        where b.bot
      )
      select cv.bucket, 'conversations' as measure, cv.channel, '' as dim, cv.key, null::float8 as value from cv
      union all
      select msg.bucket, 'messages', msg.channel, msg.message_channel::text, msg.key, null from msg
      union all
      select msg.bucket, 'customer_messages', msg.channel, '', msg.key, null from msg where msg.author_kind = 'contact'
      union all
      -- From the customer's first message to the first reply a person (not the bot) sent at or after it.
      select cv.bucket, 'first_response', cv.channel, '', cv.key, date_part('epoch', r.replied - a.asked)
      from cv
      cross join lateral (select min(m.created_at) as asked from messages m
        where m.conversation_id = cv.id and m.kind = 'message' and m.author_kind = 'contact'
          and m.created_at >= cv.lo) a

      cross join lateral (select min(m.created_at) as replied from messages m
        where m.conversation_id = cv.id and m.kind = 'message' and m.author_kind = 'agent' and m.direction = 'outbound'
          and m.created_at >= a.asked) r
      where r.replied is not null
      union all
      select cv.bucket, 'resolution', cv.channel, '', cv.key, date_part('epoch', cv.resolved_at - cv.created_at)
      from cv where cv.status = 'resolved' and cv.resolved_at is not null
      union all
      select bc.bucket, 'bot_conversations', bc.channel, '', bc.key, null from bc
      union all
      select bc.bucket, 'bot_deflected', bc.channel, '', bc.key, null from bc where not bc.handed
      union all
      select analytics_bucket(d.created_at), 'handoffs', x.channel, d.reason, x.key, null
      from w join bot_decisions d on d.created_at >= w.lo and d.created_at < w.hi
      cross join lateral (select c.channel, s.key from conversations c
        join analytics_scope s on s.contact_id = c.contact_id
        where c.id = d.conversation_id and c.deleted_at is null ${fence}) x
      where d.action = 'handoff'
      union all
      select analytics_bucket(r.rated_at), 'ratings', x.channel, r.score::text, x.key, r.score
      from w join satisfaction_ratings r on r.rated_at >= w.lo and r.rated_at < w.hi
      cross join lateral (select c.channel, s.key from conversations c
        join analytics_scope s on s.contact_id = c.contact_id
        where c.id = r.conversation_id and c.deleted_at is null ${fence}) x
      ${backlog}
    ) f
    group by f.measure, f.bucket, f.channel, f.dim`;
}

/** The same cells with the key arrays padded to K with nulls: arrays of equal length aggregate into one (array_agg). */
export function paddedCellsOf(windows: Window[], k: number | SQL, withBacklog: boolean, bulk = false): SQL {
  return sql`select x.measure, x.bucket, x.channel, x.dim, x.n, x.total, x.vals, x.distinct_contacts,
      array_cat(x.keys, array_fill(null::bigint, array[${k}::int - cardinality(x.keys)])) as contacts
    from (${cellsOf(windows, k, withBacklog, bulk)}) x`;
}
