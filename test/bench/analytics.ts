/**
 * Analytics benchmark on PostgreSQL: every query of the managers' dashboard over 100,000 contacts (half of
 * them consenting to analytics) and 1,000,000 messages. Issue target: p95 <= 150 ms per dashboard query.
 * Prints figures and the indexes each query's plan uses; asserts nothing.
 *
 * Data, seeded with bulk SQL (generate_series), spread over the last --days days (default 180):
 *   contacts        --contacts (default 100,000), each with a support consent; analytics: every contact was
 *                   asked once, even-numbered ones granted, odd ones declined, and a tenth of each group changed
 *                   its mind later (granted then withdrawn, or withdrawn then granted again), so the ledger has
 *                   several events per contact and exactly half the contacts are in the scope;
 *   conversations   2 per contact, over chat / email / sms / voice / slack; 85 % resolved (with resolved_at),
 *                   the rest bot / open / pending;
 *   messages        --messages (default 1,000,000) in all: customer message, reply (bot for a third of the chat
 *                   conversations, an agent otherwise), follow-ups, a note or a timeline event;
 *   bot decisions   for the bot's chat conversations (answer, and a hand-off with a reason for most);
 *   ratings         for a third of the resolved chat conversations.
 * The seed bypasses the analytics triggers (session_replication_role = replica, as a bulk load would),
 * then the rollups are rebuilt once (timed). VACUUM ANALYZE runs after seeding (autovacuum would have on a
 * live database).
 *
 * Measured: each metric as a dashboard request runs it, i.e. the refresh of the rollups every request does
 * first (refreshAnalytics, steady state: only the last minutes are recomputed) plus the metric's query
 * (default filter: the last 30 days, all channels, a European time zone), --reps times (default 40) after
 * 3 warm-up runs; then the same for channel = chat and for the last 90 days; then the whole dashboard
 * (dashboard(): one refresh, then all queries side by side on a pool of 8 connections), as the route calls it.
 *
 *   npm run bench:analytics -- [--contacts 100000] [--messages 1000000] [--days 180] [--reps 40] [--keep]
 */
import { sql, type SQL } from 'drizzle-orm';
import postgres from 'postgres';
import { openDatabase, type Database, type Db } from '../../server/db/client.ts';
import { coverage, rebuildAnalytics, refreshAnalytics } from '../../analytics/scope.ts';
import { paddedCellsOf } from '../../analytics/scope/cells.ts';
import type { Filter } from '../../analytics/scope.ts';
import { volume } from '../../analytics/metrics/volume.ts';
import { firstResponse, resolution } from '../../analytics/metrics/response.ts';
import { bot } from '../../analytics/metrics/bot.ts';
import { backlog } from '../../analytics/metrics/backlog.ts';
import { heatmap } from '../../analytics/metrics/heatmap.ts';
import { satisfaction } from '../../analytics/metrics/satisfaction.ts';
import { dashboard } from '../../analytics/dashboard.ts';
import { baseDatabaseUrl, flags, freshDatabase, machineLine, ms, summarize, table } from './lib.ts';

const USAGE = `usage: npm run bench:analytics -- [options]
  --contacts N   contacts, half of them consenting to analytics (default 100000)
  --messages N   messages in all, over 2 conversations per contact (default 1000000)
  --days N       how far back the data goes (default 180)
  --reps N       measured runs per query and filter (default 40)
  --keep         keep the database afterwards (its name is printed)
  --database X   measure on database X (kept from an earlier run with --keep) instead of seeding a new one`;

const opts = flags({ contacts: 100_000, messages: 1_000_000, days: 180, reps: 40, keep: false, database: '' }, USAGE);
const K = 5;

type Metric = { name: string; run: (db: Db, f: Filter) => Promise<unknown> };
const metrics: Metric[] = [
  { name: 'coverage', run: (db) => coverage(db) },
  { name: 'volume per channel and day', run: (db, f) => volume(db, f, K) },
  { name: 'first response time', run: (db, f) => firstResponse(db, f, K) },
  { name: 'resolution time', run: (db, f) => resolution(db, f, K) },
  { name: 'bot deflection + hand-off reasons', run: (db, f) => bot(db, f, K) },
  { name: 'backlog by status', run: (db, f) => backlog(db, f, K) },
  { name: 'busiest-hours heatmap', run: (db, f) => heatmap(db, f, K) },
  { name: 'satisfaction', run: (db, f) => satisfaction(db, f, K) },
];

async function seed(client: postgres.Sql): Promise<void> {
  const perConversation = Math.max(1, Math.round(opts.messages / (opts.contacts * 2)));
  const days = opts.days;
  const t = performance.now();
  await client.unsafe(`
    set session_replication_role = replica;
    insert into inboxes (id, name, channel)
    select gen_random_uuid(), 'Bench ' || c::text, c from unnest(enum_range(null::channel)) c;

    create temp table bench_contacts as
      select n, gen_random_uuid() as id from generate_series(1, ${opts.contacts}) n;
    insert into contacts (id, created_at)
    select id, now() - interval '${days + 30} days' from bench_contacts;

    -- The ledger: support for everyone; analytics asked of everyone, a tenth changed their mind later.
    insert into consent_events (contact_id, purpose, granted, policy_version, text_hash, source_channel, occurred_at)
    select id, 'support'::consent_purpose, true, 'bench', 'bench', 'chat'::channel, now() - interval '${days + 30} days'
    from bench_contacts
    union all
    select id, 'analytics'::consent_purpose, n % 2 = 0, 'bench', 'bench', 'chat'::channel,
      now() - interval '${days + 30} days'
    from bench_contacts
    union all
    select id, 'analytics', n % 2 = 1, 'bench', 'bench', 'chat', now() - interval '${days} days'
    from bench_contacts where n % 10 < 2
    union all
    select id, 'analytics', n % 2 = 0, 'bench', 'bench', 'chat', now() - interval '${Math.round(days / 2)} days'
    from bench_contacts where n % 10 < 2;

    create temp table bench_conversations as
      select gen_random_uuid() as id, c.id as contact_id, c.n, k,
        (enum_range(null::channel))[
          1 + ((c.n * 7 + k * 3) % 10) / 3 + case when (c.n + k) % 10 = 9 then 1 else 0 end
        ] as channel,
        now() - (random() * interval '${days} days') as created_at,
        random() as r
      from bench_contacts c, generate_series(1, 2) k;
    insert into conversations
      (id, inbox_id, contact_id, channel, status, thread_key, created_at, updated_at, last_message_at, resolved_at)
    select bc.id, i.id, bc.contact_id, bc.channel,
      (case when bc.r < 0.85 then 'resolved' when bc.r < 0.90 then 'bot' when bc.r < 0.96 then 'open'
        else 'pending' end)::conversation_status,

      bc.id::text, bc.created_at, bc.created_at, bc.created_at,
      case when bc.r < 0.85 then bc.created_at + (interval '10 minutes' + random() * interval '30 hours') end
    from bench_conversations bc join inboxes i on i.channel = bc.channel
    -- Rows arrive in time order on a live system; so they are stored here.
    order by bc.created_at;

    -- Messages: the customer first, then a reply (the bot's for a third of chats), then alternating;
    -- the last may be a note.
    insert into messages
      (conversation_id, channel, direction, kind, author_kind, body, delivery_state, occurred_at, created_at)
    select conversation_id, channel, direction, kind, author_kind, body, delivery_state, at, at from (
    select bc.id as conversation_id, bc.channel,
      (case when m = ${perConversation} and m > 2 then 'internal' when m % 2 = 1 then 'inbound' else 'outbound' end)
        ::message_direction as direction,
      (case when m = ${perConversation} and m > 2 then (case when bc.n % 2 = 0 then 'note' else 'event' end)
        else 'message' end)::message_kind as kind,
      (case when m % 2 = 1 and not (m = ${perConversation} and m > 2) then 'contact'
            when m = 2 and bc.channel = 'chat' and bc.n % 3 = 0 then 'bot' else 'agent' end)
        ::author_kind as author_kind,
      'bench message' as body, (case when m % 2 = 1 then 'received' else 'sent' end)::delivery_state as delivery_state,
      bc.created_at + (m - 1) * (interval '1 minute' + random() * interval '40 minutes') as at
    from bench_conversations bc, generate_series(1, ${perConversation}) m
    ) x order by at;

    -- As ingest and replies keep it: the time of the latest customer-visible message.
    update conversations c set last_message_at = m.at, updated_at = m.at
    from (select conversation_id, max(created_at) as at from messages where kind = 'message' group by conversation_id) m
    where m.conversation_id = c.id;

    insert into bot_decisions (conversation_id, action, reason, confidence, created_at)
    select bc.id, 'answer'::text, 'confident'::text, 0.8::real, bc.created_at + interval '3 seconds'
    from bench_conversations bc where bc.channel = 'chat' and bc.n % 3 = 0
    union all
    select bc.id, 'handoff', (array['low_confidence', 'human_requested', 'unresolved_turns'])[1 + bc.n % 3], 0.3,
      bc.created_at + interval '2 minutes'
    from bench_conversations bc where bc.channel = 'chat' and bc.n % 3 = 0 and bc.r > 0.4;

    insert into satisfaction_ratings (conversation_id, score, rated_at)
    select bc.id, 1 + (bc.n * 13 + bc.k) % 5, bc.created_at + interval '2 days'
    from bench_conversations bc where bc.channel = 'chat' and bc.r < 0.85 and bc.n % 3 = 1;
    set session_replication_role = origin;
  `);
  console.log(`seeded in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  const t2 = performance.now();
  await client.unsafe('vacuum analyze');
  console.log(`vacuum analyze in ${((performance.now() - t2) / 1000).toFixed(0)} s`);
  const counts = await client.unsafe(`select
      (select count(*) from contacts)::int as contacts,
      (select count(*) from conversations)::int as conversations,
      (select count(*) from messages)::int as messages,
      (select count(*) from consent_events)::int as consent_events,
      (select count(*) from bot_decisions)::int as bot_decisions,
      (select count(*) from satisfaction_ratings)::int as ratings`);
  console.log(
    `rows: ${Object.entries(counts[0]!)
      .map(([k, v]) => `${k} ${Number(v).toLocaleString('en')}`)
      .join(', ')}`,
  );
}

/** A Db whose execute() returns the plan instead of running the query: which indexes each metric uses. */
function explainingDb(db: Db, plans: unknown[]): Db {
  const proxy: Db = new Proxy(db, {
    get(target, prop, receiver) {
      // A transaction (scopedQuery runs each metric in one, for `set local jit = off`) explains alike.
      if (prop === 'transaction') return async (fn: (tx: Db) => Promise<unknown>) => fn(proxy);
      if (prop !== 'execute') return Reflect.get(target, prop, receiver);
      return async (query: SQL) => {
        if (
          /^\s*set /i.test(
            (target as unknown as { dialect: { sqlToQuery(q: SQL): { sql: string } } }).dialect.sqlToQuery(query).sql,
          )
        )
          return [];
        const result = await target.execute(sql`explain (format json) ${query}`);
        const rows = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
        plans.push((rows[0] as Record<string, unknown>)['QUERY PLAN']);
        return [];
      };
    },
  });
  return proxy;
}

function indexesIn(plan: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(plan)) plan.forEach((p) => indexesIn(p, out));
  else if (plan && typeof plan === 'object') {
    const node = plan as Record<string, unknown>;
    if (typeof node['Index Name'] === 'string')
      out.add(`${node['Index Name']}${node['Node Type'] === 'Index Only Scan' ? ' (index only)' : ''}`);
    if (node['Node Type'] === 'Seq Scan' && typeof node['Relation Name'] === 'string')
      out.add(`seq scan ${node['Relation Name']}`);
    for (const v of Object.values(node)) if (v && typeof v === 'object') indexesIn(v, out);
  }
  return out;
}

function existing(name: string) {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`--database must be a database name, got "${name}"`);
  const url = new URL(baseDatabaseUrl());
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: async () => {} };
}

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function main() {
  console.log(`machine: ${machineLine()}`);
  const reuse = opts.database !== '';
  const fresh = reuse ? existing(opts.database) : await freshDatabase('bench_analytics');
  let database: Database | undefined;
  const client = postgres(fresh.url, { max: 1, onnotice: () => {} });
  try {
    database = await openDatabase({ databaseUrl: fresh.url, poolSize: 8 });
    if (!reuse) await seed(client);
    else console.log(`measuring on the kept database ${fresh.name}`);
    const db = database.db;
    const now = Date.now();
    const base: Filter = {
      from: new Date(now - 30 * 86_400_000),
      to: new Date(now),
      channel: null,
      timeZone: 'Europe/Berlin',
    };
    const filters: Array<[string, Filter]> = [
      ['last 30 days, all channels', base],
      ['last 30 days, chat', { ...base, channel: 'chat' }],
      ['last 90 days, all channels', { ...base, from: new Date(now - 90 * 86_400_000) }],
    ];

    if (!reuse) {
      const t = performance.now();
      await rebuildAnalytics(db, K);
      console.log(`rollups rebuilt in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      await client.unsafe('vacuum analyze analytics_cells');
    }
    const cells = await client.unsafe(
      "select count(*)::int as n, pg_size_pretty(pg_total_relation_size('analytics_cells')) as size " +
        'from analytics_cells',
    );
    console.log(`analytics_cells: ${Number(cells[0]!.n).toLocaleString('en')} rows, ${cells[0]!.size}`);

    const indexRows: Array<[string, string]> = [];
    for (const m of metrics) {
      const plans: unknown[] = [];
      await m.run(explainingDb(db, plans), base);
      indexRows.push([m.name, [...indexesIn(plans)].sort().join(', ')]);
    }
    {
      // The refresh's recompute of the current bucket (the steady-state work of every request).
      const bucket = Math.floor(now / 900_000) * 900_000;
      const window = [{ lo: new Date(bucket - 900_000).toISOString(), hi: new Date(bucket + 900_000).toISOString() }];
      const plans: unknown[] = [];
      await explainingDb(db, plans).execute(sql`select count(*) from (${paddedCellsOf(window, K, true)}) x`);
      indexRows.push(['refresh: recompute of the last buckets', [...indexesIn(plans)].sort().join(', ')]);
    }

    const refreshes: number[] = [];
    for (let i = 0; i < 3; i++) await refreshAnalytics(db, K);
    for (let i = 0; i < opts.reps; i++) refreshes.push(await timeIt(() => refreshAnalytics(db, K)));
    const r = summarize(refreshes);
    console.log(`steady-state refresh (nothing new): p50 ${ms(r.p50)} ms, p95 ${ms(r.p95)} ms, max ${ms(r.max)} ms`);

    const results: Array<Array<string | number>> = [];
    for (const [label, filter] of filters) {
      for (const m of metrics) {
        // As a request runs it: the refresh, then the metric's query.
        const request = async () => {
          await refreshAnalytics(db, K);
          await m.run(db, filter);
        };
        for (let i = 0; i < 3; i++) await request();
        const times: number[] = [];
        for (let i = 0; i < opts.reps; i++) times.push(await timeIt(request));
        const s = summarize(times);
        results.push([`${m.name} (${label})`, ms(s.p50), ms(s.p95), ms(s.max), s.p95 <= 150 ? 'yes' : 'NO']);
      }
    }
    const wholeRows: Array<Array<string | number>> = [];
    for (const [label, filter] of filters) {
      const whole: number[] = [];
      for (let i = 0; i < 3; i++) await dashboard(db, filter, K);
      for (let i = 0; i < Math.max(10, Math.round(opts.reps / 2)); i++)
        whole.push(await timeIt(() => dashboard(db, filter, K)));
      const w = summarize(whole);
      wholeRows.push([label, ms(w.p50), ms(w.p95), ms(w.max), w.n]);
    }

    console.log(`\nper-query latency in ms, refresh included, ${opts.reps} runs each (p95 target <= 150 ms):`);
    console.log(table(['query (filter)', 'p50', 'p95', 'max', '<= 150'], results));
    console.log('\nwhole dashboard as the route runs it (refresh, then every query side by side, pool of 8), ms:');
    console.log(table(['filter', 'p50', 'p95', 'max', 'n'], wholeRows));
    console.log('\nindexes (and sequential scans) in each query plan, last 30 days:');
    console.log(table(['query', 'plan uses'], indexRows));
    console.log(`\nmachine at the end: ${machineLine()}`);
    if (opts.keep || reuse) console.log(`database kept: ${fresh.name} (measure again with --database ${fresh.name})`);
  } finally {
    await client.end();
    await database?.close();
    if (!opts.keep && !reuse) await fresh.drop();
  }
}

await main();
