/**
 * Ingest throughput benchmark on PostgreSQL: messages per second through ingest() beside the raw
 * single-row INSERT rate of the same PostgreSQL, measured in the same run with the same number of
 * concurrent callers and the same pool size. Issue target: ingest >= 50 % of the raw rate. Prints
 * figures; asserts nothing.
 *
 * Two levels by default, both over a pool of 8 connections: 8 callers (as many as connections: every
 * raw INSERT has a connection to itself, the strictest case for ingest, whose batches can only gather
 * the few messages in flight), and 32 (a server has many more callers than connections: sockets,
 * webhooks, mailboxes; there ingest's group commit gathers what raw single-row INSERTs cannot).
 *
 * Raw:    autocommit `insert into bench_raw (...) values (...)`, one row per statement (postgres.js).
 * Ingest: ingest() with InboundMessages built by the chat adapter, from `--senders` visitors per round
 *         (fresh ones each round), so most messages go to an existing contact and conversation and
 *         about senders/messages of them open a new one.
 * Ingest rounds include what the server runs for every message beside ingest(): the audit seal job (each
 * round ends once its staged entries are chained) and the webhook recorder.
 * Rounds run interleaved (raw, ingest, raw, ingest, ...) after an unmeasured warm-up of each and an ANALYZE.
 *
 * Since migration 0042 every message is stored sealed (AES-GCM under its contact's data key, in the server) with
 * its index entries as keyed tokens (the database computes them in the writing statement): ingest's figures
 * include both (server/domain/message-store.ts, ingest-text.ts).
 *
 *   npm run bench:ingest -- [--messages 8000] [--concurrency 8,32] [--pool 8] [--senders 1000] [--rounds 2]
 *     [--warmup 1000]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import postgres from 'postgres';
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../server/config.ts';
import { openDatabase, rowsOf, type Database } from '../../server/db/client.ts';
import { createRoot, type AppRoot } from '../../server/composition.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { every } from '../../server/jobs/runner.ts';
import { SEAL_INTERVAL_MS, sealStagedAudit } from '../../server/privacy/audit-staging.ts';
import { startWebhookDelivery } from '../../server/webhooks/index.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import type { InboundMessage } from '../../channels/types.ts';
import { flags, freshDatabase, machineLine, ms, prng, summarize, table } from './lib.ts';

const USAGE = `usage: npm run bench:ingest -- [options]
  --messages N      messages per measured round, for raw and for ingest (default 8000)
  --concurrency L   concurrent workers (callers of ingest(), or of the raw INSERT), a comma-separated list
                    of levels measured one after the other (default 8,32)
  --pool P          connections of each client, ingest's pool and the raw one (default 8)
  --senders N       distinct senders per ingest round (default 1000)
  --rounds N        measured raw+ingest pairs, interleaved (default 2)
  --warmup N        unmeasured messages of each kind first (default 1000)
  --history N       conversations already stored before the run, 5 messages each (default 20000)`;

const opts = flags(
  {
    messages: 8000,
    concurrency: '8,32',
    pool: 8,
    senders: 1000,
    rounds: 2,
    warmup: 1000,
    history: 20000,
  },
  USAGE,
);

// Neutral support-chat vocabulary: message bodies of realistic length without any personal data.
const WORDS = (
  'hello thanks order delivery invoice account password reset login error page payment refund ' +
  'subscription plan upgrade cancel help please when where how why status tracking number issue ' +
  'problem works again still cannot find the a to of and for with my your is it not today yesterday'
).split(' ');

function bodyOf(random: () => number): string {
  // Chat lines are short: 3 to 60 words, most around 10-20.
  const words = 3 + Math.floor(random() ** 2 * 57);
  return Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
}

type Plan = { bodies: string[]; senderIndex: number[] };

function plan(n: number, senders: number, seed: number): Plan {
  const random = prng(seed);
  const bodies: string[] = [];
  const senderIndex: number[] = [];
  for (let i = 0; i < n; i++) {
    bodies.push(bodyOf(random));
    senderIndex.push(Math.floor(random() * senders));
  }
  return { bodies, senderIndex };
}

type Result = {
  label: string;
  kind: 'raw' | 'ingest';
  level: number;
  n: number;
  seconds: number;
  callMs: number[];
  errors: number;
  cpuPercent: number;
  cpuMs: number;
  pgCpuMs: number;
};

/** C workers take the next index until n are done; each call is timed on its own. */
async function drive(
  n: number,
  concurrency: number,
  call: (i: number) => Promise<unknown>,
  finish: () => Promise<unknown> = async () => {},
) {
  const callMs: number[] = new Array(n);
  let next = 0;
  let errors = 0;
  let firstError: unknown;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const start = performance.now();
        try {
          await call(i);
        } catch (err) {
          errors++;
          firstError ??= err;
        }
        callMs[i] = performance.now() - start;
      }
    }),
  );
  await finish();
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  // CPU of this (the client) process: near 100 % means Node, not PostgreSQL, is the limit.
  const cpuPercent = ((used.user + used.system) / 1e6 / seconds) * 100;
  if (firstError) console.error(`  ${errors} calls failed; first error: ${(firstError as Error).message}`);
  return { seconds, callMs, errors, cpuPercent, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * CPU time (ms) the PostgreSQL backends serving this run's database have used so far, read from
 * /proc (the server runs on this machine). Unlike a rate, CPU per message hardly moves when other
 * work shares the machine, so it compares raw and ingest fairly on a busy machine too. null when
 * the backends' /proc entries cannot be read (a remote server).
 */
async function backendCpuMs(db: AppRoot['db']): Promise<number | null> {
  const rows = rowsOf<{ pid: number }>(
    await db.execute(sql`select pid from pg_stat_activity where datname = current_database()`),
  );
  const ticksPerSecond = 100; // USER_HZ on Linux
  let total = 0;
  for (const { pid } of rows) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000; // utime + stime
    } catch {
      return null;
    }
  }
  return total;
}

async function main() {
  console.log(`machine: ${machineLine()}`);
  const fresh = await freshDatabase('bench_ingest');
  // A fresh key store beside the fresh database (DATA_DIR/keys: ingest creates a data key for every new contact):
  // one shared by every run grew by thousands of key files a run, each run's new keys landing in ever fuller
  // directories, and kept keys of contacts that no database held any more.
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-ingest-data-'));
  let database: Database | undefined;
  let raw: postgres.Sql | undefined;
  const stopJobs: Array<() => Promise<unknown>> = [];
  try {
    const pool = opts.pool;
    const levels = String(opts.concurrency)
      .split(',')
      .map((v) => Number(v.trim()));
    if (levels.some((c) => !Number.isInteger(c) || c < 1))
      throw new Error(`--concurrency must list positive integers, got "${opts.concurrency}"`);
    database = await openDatabase({ databaseUrl: fresh.url, poolSize: pool });
    const config = loadConfig({
      DATABASE_URL: fresh.url,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      PORT: '0',
      DATA_DIR: dataDir,
      // Chat conversations open as 'open', as they always did here: the bench measures ingest, not the bot gate.
      BOT_ENABLED: 'false',
    });
    const logger = pino({ level: 'warn' }, pino.destination(2)) as unknown as FastifyBaseLogger;
    const root = await createRoot(config, database, logger);
    // What the server runs beside ingest for every message (server/server.ts): the job that seals the audit
    // entries ingest stages, and the webhook recorder that looks at every event. Their cost is ingest's too.
    const webhooks = startWebhookDelivery(root.webhooks, root.events);
    stopJobs.push(() => webhooks.stop());
    const stopSeal = every('audit-seal', SEAL_INTERVAL_MS, logger, () => sealStagedAudit(root.db));
    stopJobs.push(async () => stopSeal());
    const [inbox] = await root.db.insert(inboxes).values({ name: 'Bench chat', channel: 'chat' }).returning();
    const inboxId = inbox!.id;

    raw = postgres(fresh.url, { max: pool, onnotice: () => {} });
    await raw`create table bench_raw (
      id uuid primary key default gen_random_uuid(),
      conversation_id uuid not null,
      body text not null,
      external_id text unique,
      created_at timestamptz not null default now())`;

    // A live database, not an empty one: earlier contacts, conversations and messages (and as many raw
    // rows), so both kinds of insert meet indexes of a realistic depth and the planner real statistics.
    if (opts.history > 0) {
      const t = performance.now();
      await raw.unsafe(`
        create temp table history as select n, gen_random_uuid() as contact_id, gen_random_uuid() as conversation_id
          from generate_series(1, ${opts.history}) n;
        insert into contacts (id) select contact_id from history;
        insert into contact_identities (contact_id, kind, address_token, sealed_address)
          select contact_id, 'visitor', 'bench:history-' || n, 'bench' from history;
        insert into conversations
            (id, inbox_id, contact_id, channel, status, thread_key, created_at, updated_at, last_message_at)
          select conversation_id, '${inboxId}', contact_id, 'chat', 'resolved', 'history-' || n,
            now() - interval '1 day', now() - interval '1 day', now() - interval '1 day' from history;
        insert into messages (conversation_id, channel, direction, kind, author_kind, body, external_id,
            delivery_state, created_at, occurred_at)
          select conversation_id, 'chat', 'inbound', 'message', 'contact', 'an earlier message',
            'history-' || n || '-' || k, 'received',
            now() - interval '1 day', now() - interval '1 day' from history, generate_series(1, 5) k;
        insert into bench_raw (conversation_id, body, external_id)
          select conversation_id, 'an earlier message', 'history-' || n || '-' || k
          from history, generate_series(1, 5) k;
        analyze;`);
      console.log(
        `history: ${opts.history} conversations with ${opts.history * 5} messages stored first ` +
          `(${((performance.now() - t) / 1000).toFixed(1)} s)`,
      );
    }

    const [settings] = rowsOf<{ version: string; sc: string; fsync: string; wal: string }>(
      await root.db
        .execute(sql`select current_setting('server_version') as version, current_setting('synchronous_commit') as sc,
        current_setting('fsync') as fsync, current_setting('wal_level') as wal`),
    );
    console.log(
      `PostgreSQL ${settings?.version} (synchronous_commit=${settings?.sc}, fsync=${settings?.fsync}), ` +
        'fresh database per run; ' +
        `${levels.join(' and ')} workers, pool size ${pool} for both clients; ${opts.messages} messages per round, ` +
        `${opts.senders} senders per ingest round`,
    );

    let round = 0;
    const rawRound = async (label: string, n: number, level: number): Promise<Result> => {
      const p = plan(n, opts.senders, 1000 + round++);
      // One conversation id per sender, like the rows ingest writes, so both tables see the same shape.
      const conversationIds = Array.from({ length: opts.senders }, () => randomUUID());
      const tag = randomUUID();
      const pg0 = await backendCpuMs(root.db);
      const r = await drive(
        n,
        level,
        (i) =>
          raw!`insert into bench_raw (conversation_id, body, external_id)
             values (${conversationIds[p.senderIndex[i]!]!}, ${p.bodies[i]!}, ${`${tag}:${i}`})`,
      );
      const pgCpuMs = pg0 === null ? NaN : ((await backendCpuMs(root.db)) ?? NaN) - pg0;
      return { label, kind: 'raw', level, n, ...r, pgCpuMs };
    };
    const ingestRound = async (label: string, n: number, level: number): Promise<Result> => {
      const p = plan(n, opts.senders, 1000 + round++);
      // Fresh visitors each round: their first message opens contact and conversation, later ones append.
      const visitorIds = Array.from({ length: opts.senders }, () => randomUUID());
      const runId = randomUUID().slice(0, 8);
      const messages: InboundMessage[] = p.bodies.map(
        (text, i) =>
          root.adapters.chat.parse(
            {
              visitorId: visitorIds[p.senderIndex[i]!]!,
              clientId: `${runId}-${i}`,
              text,
              receivedAt: new Date().toISOString(),
            },
            { inboxId },
          )[0]!,
      );
      const pg0 = await backendCpuMs(root.db);
      // The round ends when its last audit entry is sealed into the chain and its events are looked at.
      const r = await drive(
        n,
        level,
        (i) => ingest(root, messages[i]!),
        async () => {
          await webhooks.settled();
          while ((await sealStagedAudit(root.db)) > 0);
        },
      );
      const pgCpuMs = pg0 === null ? NaN : ((await backendCpuMs(root.db)) ?? NaN) - pg0;
      return { label, kind: 'ingest', level, n, ...r, pgCpuMs };
    };

    if (opts.warmup > 0) {
      console.log(`warm-up: ${opts.warmup} raw + ${opts.warmup} ingest (not measured) ...`);
      await rawRound('warm-up', opts.warmup, levels[0]!);
      await ingestRound('warm-up', opts.warmup, levels[0]!);
      // A live database has statistics (autovacuum analyzes a table within a minute of enough change);
      // without them the statements cached during the warm-up keep plans made for empty tables.
      await root.db.execute(sql`analyze`);
    }
    const results: Result[] = [];
    for (const level of levels) {
      for (let r = 1; r <= opts.rounds; r++) {
        console.log(`${level} workers, round ${r}/${opts.rounds}: raw, then ingest ...`);
        results.push(await rawRound(`raw ${level}w #${r}`, opts.messages, level));
        results.push(await ingestRound(`ingest ${level}w #${r}`, opts.messages, level));
      }
    }

    const counts = rowsOf<{ contacts: number; conversations: number; messages: number; raw: number }>(
      await root.db.execute(sql`select (select count(*)::int from contacts) as contacts,
        (select count(*)::int from conversations) as conversations, (select count(*)::int from messages) as messages,
        (select count(*)::int from bench_raw) as raw`),
    )[0]!;

    for (const level of levels)
      printReport(
        level,
        results.filter((r) => r.level === level),
      );
    printSummary(levels, results);
    console.log(
      `rows after the run (warm-up included): ${counts.messages} messages in ${counts.conversations} ` +
        `conversations of ${counts.contacts} contacts; ${counts.raw} raw rows`,
    );
    console.log(`\nmachine at the end: ${machineLine()}`);
  } finally {
    for (const stop of stopJobs) await stop().catch(() => {});
    await raw?.end().catch(() => {});
    await database?.close().catch(() => {});
    await fresh.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const rate = (r: Result) => (r.n - r.errors) / r.seconds;
const overall = (rs: Result[], kind: Result['kind']) => {
  const of = rs.filter((r) => r.kind === kind);
  return of.reduce((a, r) => a + r.n - r.errors, 0) / of.reduce((a, r) => a + r.seconds, 0);
};
const cpuPerMessage = (rs: Result[], kind: Result['kind']) => {
  const of = rs.filter((r) => r.kind === kind);
  const n = of.reduce((a, r) => a + r.n - r.errors, 0);
  const client = (of.reduce((a, r) => a + r.cpuMs, 0) / n) * 1000;
  const pg = (of.reduce((a, r) => a + r.pgCpuMs, 0) / n) * 1000;
  return { client, pg, total: client + pg };
};

function printReport(level: number, results: Result[]) {
  console.log(`\n=== ${level} concurrent workers ===`);
  console.log('\nper-call latency in ms; node CPU % = this process (the client side of the database)\n');
  console.log(
    table(
      ['run', 'messages', 'errors', 'seconds', 'msgs/s', 'p50', 'p95', 'p99', 'max', 'node CPU %'],
      results.map((r) => {
        const s = summarize(r.callMs);
        return [
          r.label,
          r.n,
          r.errors,
          r.seconds.toFixed(2),
          rate(r).toFixed(0),
          ms(s.p50, 2),
          ms(s.p95, 2),
          ms(s.p99, 2),
          ms(s.max, 1),
          r.cpuPercent.toFixed(0),
        ];
      }),
    ),
  );
  console.log('\ningest / raw (same round)\n');
  const pairs: Array<Array<string | number>> = [];
  for (let i = 0; i + 1 < results.length; i += 2) {
    const [raw, ing] = [results[i]!, results[i + 1]!];
    pairs.push([
      `round ${i / 2 + 1}`,
      rate(raw).toFixed(0),
      rate(ing).toFixed(0),
      `${((rate(ing) / rate(raw)) * 100).toFixed(1)} %`,
    ]);
  }
  const total = (kind: Result['kind']) => overall(results, kind);
  pairs.push([
    'all rounds',
    total('raw').toFixed(0),
    total('ingest').toFixed(0),
    `${((total('ingest') / total('raw')) * 100).toFixed(1)} %`,
  ]);
  console.log(table(['', 'raw msgs/s', 'ingest msgs/s', 'ingest/raw'], pairs));
  console.log('\nCPU per message in µs (client = this process, PostgreSQL = the backends serving this database)\n');
  const [rawCpu, ingestCpu] = [cpuPerMessage(results, 'raw'), cpuPerMessage(results, 'ingest')];
  console.log(
    table(
      ['', 'client µs/msg', 'PostgreSQL µs/msg', 'total µs/msg'],
      [
        ['raw', rawCpu.client.toFixed(0), rawCpu.pg.toFixed(0), rawCpu.total.toFixed(0)],
        ['ingest', ingestCpu.client.toFixed(0), ingestCpu.pg.toFixed(0), ingestCpu.total.toFixed(0)],
      ],
    ),
  );
  if (Number.isFinite(ingestCpu.total)) {
    console.log(
      "CPU-bound estimate (both limited by the machine's CPU, as on a busy host): " +
        `ingest/raw = raw CPU / ingest CPU = ${((rawCpu.total / ingestCpu.total) * 100).toFixed(1)} %`,
    );
  }
}

function printSummary(levels: number[], results: Result[]) {
  console.log('\n=== summary: ingest beside raw, at each number of concurrent workers ===\n');
  console.log(
    table(
      ['workers', 'raw msgs/s', 'ingest msgs/s', 'ingest/raw', 'raw CPU µs/msg', 'ingest CPU µs/msg', 'target >= 50 %'],
      levels.map((level) => {
        const rs = results.filter((r) => r.level === level);
        const ratio = overall(rs, 'ingest') / overall(rs, 'raw');
        return [
          level,
          overall(rs, 'raw').toFixed(0),
          overall(rs, 'ingest').toFixed(0),
          `${(ratio * 100).toFixed(1)} %`,
          cpuPerMessage(rs, 'raw').total.toFixed(0),
          cpuPerMessage(rs, 'ingest').total.toFixed(0),
          ratio >= 0.5 ? 'within' : 'OUTSIDE',
        ];
      }),
    ),
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error('ingest benchmark failed:', err);
    process.exit(1);
  },
);
