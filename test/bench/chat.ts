/**
 * Chat delivery benchmark: N widget sockets and M agent sockets against a real server running in
 * its own process (test/bench/chat-server.ts), over real HTTP and socket.io (websocket transport).
 *
 *   Phase A  visitors emit 'message:send' at a steady total rate; every agent socket must receive
 *            'message:created'. Latency = receive time at the agent - send time (text carries it).
 *   Phase B  agents reply with POST /api/conversations/:id/messages (conversations from phase A) at a
 *            steady rate; latency = the visitor socket's 'message:created' - send time.
 *
 * Prints p50/p95/p99/max, counts and losses; it asserts nothing. Issue target: p99 <= 25 ms, 0 lost,
 * with 1,000 widget sockets and 20 agent sockets.
 *
 *   npm run bench:chat -- [--visitors 1000] [--agents 20] [--rateA 200] [--secondsA 15]
 *                         [--rateB 50] [--secondsB 15] [--warmup 3] [--pool 10] [--pglite] [--serverProf]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { AgentServerEvents, WidgetClientEvents, WidgetServerEvents } from '../../server/realtime/event-map.ts';
import { widgetNotice } from '../helpers/notice.ts';
import { flags, machineLine, ms, sleep, steadyRate, summarize, table, type Summary } from './lib.ts';

const USAGE = `usage: npm run bench:chat -- [options]
  --visitors N      widget sockets (default 1000)
  --agents N        agent sockets (default 20)
  --rateA R         visitor messages per second, all visitors together (default 200)
  --secondsA S      phase A duration (default 15)
  --rateB R         agent replies per second, all agents together (default 50)
  --secondsB S      phase B duration (default 15)
  --warmup S        warm-up seconds before each phase, not measured (default 3)
  --drain S         how long to wait for late deliveries after a phase (default 5)
  --pool N          server's PostgreSQL pool size (default 10)
  --connect N       sockets/sessions opened concurrently during setup (default 50)
  --pglite          run the server on in-memory PGlite instead of PostgreSQL
  --serverProf      write a V8 CPU profile of the server process to $TMPDIR/bench-profiles`;

const opts = flags(
  {
    visitors: 1000,
    agents: 20,
    rateA: 200,
    secondsA: 15,
    rateB: 50,
    secondsB: 15,
    warmup: 3,
    drain: 5,
    pool: 10,
    connect: 50,
    pglite: false,
    serverProf: false,
  },
  USAGE,
);

type WidgetSocket = Socket<WidgetServerEvents, WidgetClientEvents>;
type AgentSocket = Socket<AgentServerEvents, Record<string, never>>;
type ServerStats = {
  cpuPercent: number;
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  rssMb: number;
};

const here = dirname(fileURLToPath(import.meta.url));
const PROFILE_DIR = join(tmpdir(), 'bench-profiles');
const now = () => performance.now();

// ---------------------------------------------------------------- server process

class BenchServer {
  private waiting: Array<(line: Record<string, unknown>) => void> = [];
  readonly exited: Promise<unknown>;

  private constructor(readonly child: ChildProcess) {
    this.exited = once(child, 'exit');
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return process.stderr.write(`[server] ${line}\n`);
      }
      this.waiting.shift()?.(msg);
    });
  }

  static start(): { server: BenchServer; ready: Promise<Record<string, unknown>> } {
    const nodeArgs = ['--import', 'tsx'];
    if (opts.serverProf) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`);
    const args = [
      ...nodeArgs,
      join(here, 'chat-server.ts'),
      '--pool',
      String(opts.pool),
      ...(opts.pglite ? ['--pglite'] : []),
    ];
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'], env: process.env });
    const server = new BenchServer(child);
    const ready = Promise.race([
      server.next(),
      server.exited.then(() => {
        throw new Error('bench server exited before it was ready');
      }),
    ]);
    return { server, ready };
  }

  private next(): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async stats(): Promise<ServerStats> {
    const reply = this.next();
    this.child.stdin!.write('stats\n');
    return (await reply) as unknown as ServerStats;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.stdin!.end('stop\n');
    const timer = setTimeout(() => this.child.kill('SIGTERM'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------- HTTP clients

type Agent = { cookie: string; csrfToken: string; socket?: AgentSocket };
type Visitor = { token: string; visitorId: string; socket?: WidgetSocket; conversationId?: string };

/** POSTs JSON; the caller names the shape of the answer it reads (null for an empty body). */
async function postJson<T = unknown>(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { res, body: text ? (JSON.parse(text) as T) : null };
}

async function login(base: string, email: string, password: string): Promise<Agent> {
  const { res, body } = await postJson<{ csrfToken: string }>(`${base}/api/auth/login`, { email, password });
  if (res.status !== 200) throw new Error(`login failed with ${res.status}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { cookie, csrfToken: body!.csrfToken };
}

/** A distinct client address per visitor from the benchmarking range 198.18.0.0/15 (RFC 2544). */
const visitorAddress = (i: number) => `198.${18 + ((i >> 16) & 1)}.${(i >> 8) & 255}.${i & 255}`;

async function startVisitor(base: string, inboxId: string, i: number): Promise<Visitor> {
  // The server trusts the proxy header (trustProxy), as behind a real load balancer: each visitor
  // is its own client address, so the per-address session rate limit applies per visitor.
  const { res, body } = await postJson<{ token: string; visitorId: string; code?: string }>(
    `${base}/api/widget/sessions`,
    {
      inboxId,
      ...(await widgetNotice(base, inboxId)),
      consents: { support: true, analytics: false },
    },
    { 'x-forwarded-for': visitorAddress(i) },
  );
  if (res.status !== 201) throw new Error(`visitor session failed with ${res.status} (${body?.code ?? ''})`);
  return { token: body!.token, visitorId: body!.visitorId };
}

function connect<S extends Socket>(socket: S): Promise<S> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(err));
  });
}

async function inBatches<T>(count: number, concurrency: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await work(i);
      }
    }),
  );
  return results;
}

// ---------------------------------------------------------------- measurement

/** Text of a benchmark message: run tag, sequence number and the send time on this process' clock. */
const benchText = (run: string, seq: number, sentAt: number) => `bench ${run} #${seq} t=${sentAt.toFixed(3)}`;
const BENCH_TEXT = /^bench (\w+) #(\d+) t=([\d.]+)$/;

type Run = {
  tag: string;
  rate: number;
  seconds: number;
  sent: number;
  ok: number; // acked (A) or HTTP 201 (B)
  acked: Set<number>; // seqs with ok
  failed: number;
  ackMs: number[];
  deliveryMs: number[]; // one entry per (message, receiving socket)
  allReceivedMs: number[]; // A: time until the last agent socket had it
  received: Map<number, number>; // seq -> sockets that received it
  visitorOf: Map<number, number>;
  expectedPerMessage: number;
  serverStats?: ServerStats;
  clientLoopP99Ms?: number;
  clientCpuPercent?: number;
};

const runs = new Map<string, Run>();
let runCounter = 0;
function newRun(prefix: string, rate: number, seconds: number, expectedPerMessage: number): Run {
  const run: Run = {
    tag: `${prefix}${runCounter++}`,
    rate,
    seconds,
    sent: 0,
    ok: 0,
    acked: new Set(),
    failed: 0,
    ackMs: [],
    deliveryMs: [],
    allReceivedMs: [],
    received: new Map(),
    visitorOf: new Map(),
    expectedPerMessage,
  };
  runs.set(run.tag, run);
  return run;
}

/** Called on every received 'message:created' carrying a benchmark text. */
function recordDelivery(body: string, at: number): { run: Run; seq: number } | undefined {
  const m = BENCH_TEXT.exec(body);
  if (!m) return undefined;
  const run = runs.get(m[1]!);
  if (!run) return undefined;
  const seq = Number(m[2]);
  const latency = at - Number(m[3]);
  run.deliveryMs.push(latency);
  const count = (run.received.get(seq) ?? 0) + 1;
  run.received.set(seq, count);
  if (count === run.expectedPerMessage) run.allReceivedMs.push(latency);
  return { run, seq };
}

function lostCount(run: Run): number {
  let lost = 0;
  // Lost: not received by every socket that should have it, or never confirmed to its sender.
  for (let seq = 0; seq < run.sent; seq++) {
    if ((run.received.get(seq) ?? 0) < run.expectedPerMessage || !run.acked.has(seq)) lost++;
  }
  return lost;
}

async function drain(run: Run, seconds: number): Promise<void> {
  const deadline = now() + seconds * 1000;
  while (now() < deadline) {
    if (run.ok + run.failed >= run.sent && lostCount(run) === 0) return;
    await sleep(50);
  }
}

async function measured(server: BenchServer, run: Run, body: () => Promise<void>): Promise<void> {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  await server.stats(); // resets the server's counters
  const cpu = process.cpuUsage();
  const t0 = now();
  loop.enable();
  await body();
  loop.disable();
  run.clientCpuPercent = (((u) => u.user + u.system)(process.cpuUsage(cpu)) / 1000 / (now() - t0)) * 100;
  run.clientLoopP99Ms = loop.percentile(99) / 1e6;
  run.serverStats = await server.stats();
}

// ---------------------------------------------------------------- phases

/** Visitors emit 'message:send' round-robin at the run's steady rate; every agent socket should get each one. */
async function phaseA(run: Run, visitors: Visitor[]): Promise<void> {
  await steadyRate(run.rate, run.seconds, (seq) => {
    const v = seq % visitors.length;
    const visitor = visitors[v]!;
    const sentAt = now();
    run.sent = seq + 1;
    run.visitorOf.set(seq, v);
    const clientId = `${run.tag}_${seq}_${randomBytes(3).toString('hex')}`;
    visitor
      .socket!.timeout(10_000)
      .emit(
        'message:send',
        { clientId, text: benchText(run.tag, seq, sentAt) },
        (err: Error | null, result?: { ok: boolean }) => {
          if (err || !result?.ok) run.failed++;
          else {
            run.ok++;
            run.acked.add(seq);
            run.ackMs.push(now() - sentAt);
          }
        },
      );
  });
  await drain(run, opts.drain);
}

/** Agents reply over HTTP, round-robin over agents and over the conversations phase A opened. */
async function phaseB(run: Run, base: string, agents: Agent[], visitors: Visitor[]): Promise<void> {
  const targets = visitors.map((v, i) => ({ v, i })).filter((t) => t.v.conversationId);
  if (targets.length === 0) throw new Error('phase A opened no conversations to reply to');
  await steadyRate(run.rate, run.seconds, (seq) => {
    const target = targets[seq % targets.length]!;
    const agent = agents[seq % agents.length]!;
    const sentAt = now();
    run.sent = seq + 1;
    run.visitorOf.set(seq, target.i);
    fetch(`${base}/api/conversations/${target.v.conversationId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: agent.cookie, 'x-csrf-token': agent.csrfToken },
      body: JSON.stringify({ text: benchText(run.tag, seq, sentAt) }),
    })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.status === 201) {
          run.ok++;
          run.acked.add(seq);
          run.ackMs.push(now() - sentAt);
        } else run.failed++;
      })
      .catch(() => run.failed++);
  });
  await drain(run, opts.drain);
}

// ---------------------------------------------------------------- main

async function main() {
  const started = now();
  const { server, ready } = BenchServer.start();
  let visitors: Visitor[] = [];
  let agents: Agent[] = [];
  const cleanup = async () => {
    for (const v of visitors) v.socket?.disconnect();
    for (const a of agents) a.socket?.disconnect();
    await server.stop();
  };
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

  try {
    const info = (await ready) as {
      url: string;
      inboxId: string;
      adminEmail: string;
      adminPassword: string;
      db: string;
      pool: number;
    };
    const base = info.url;
    console.log(`machine: ${machineLine()}`);
    console.log(
      `chat benchmark: server pid ${String((info as { pid?: number }).pid)} on ${info.db} (pool ${info.pool}), ` +
        `${opts.visitors} widget sockets, ${opts.agents} agent sockets`,
    );

    // Agents: created through the API by the admin, each signed in with its own session.
    const admin = await login(base, info.adminEmail, info.adminPassword);
    const agentPassword = randomBytes(12).toString('hex');
    agents = await inBatches(opts.agents, 4, async (i) => {
      const email = `bench-agent-${i}@bench.example.com`;
      const { res } = await postJson(
        `${base}/api/agents`,
        { email, name: `Bench agent ${i}`, role: 'agent', password: agentPassword },
        { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken },
      );
      if (res.status !== 201) throw new Error(`creating an agent failed with ${res.status}`);
      return login(base, email, agentPassword);
    });

    const t0 = now();
    visitors = await inBatches(opts.visitors, opts.connect, (i) => startVisitor(base, info.inboxId, i));
    const sessionsSeconds = (now() - t0) / 1000;

    const t1 = now();
    let disconnects = 0;
    for (const agent of agents) {
      agent.socket = await connect(
        io(`${base}/agent`, {
          transports: ['websocket'],
          extraHeaders: { cookie: agent.cookie },
          reconnection: false,
          forceNew: true,
        }) as AgentSocket,
      );
      agent.socket.on('disconnect', () => disconnects++);
      agent.socket.on('message:created', ({ message }) => {
        // Agents also see the replies of phase B: only visitors' messages are phase A deliveries.
        if (message.authorKind !== 'contact') return;
        const hit = recordDelivery(message.body, now());
        // Learn each visitor's conversation from what the agents see (used by phase B).
        if (hit) {
          const v = hit.run.visitorOf.get(hit.seq);
          if (v !== undefined) visitors[v]!.conversationId ??= message.conversationId;
        }
      });
    }
    await inBatches(visitors.length, opts.connect, async (i) => {
      const visitor = visitors[i]!;
      visitor.socket = await connect(
        io(`${base}/widget`, {
          transports: ['websocket'],
          auth: { token: visitor.token },
          reconnection: false,
          forceNew: true,
        }) as WidgetSocket,
      );
      visitor.socket.on('disconnect', () => disconnects++);
      visitor.socket.on('message:created', ({ message }) => {
        if (message.from === 'agent') recordDelivery(message.body, now());
      });
    });
    const socketsSeconds = (now() - t1) / 1000;
    console.log(
      `setup: ${visitors.length} visitor sessions in ${sessionsSeconds.toFixed(1)} s, ` +
        `${visitors.length + agents.length} sockets connected in ${socketsSeconds.toFixed(1)} s`,
    );

    // Warm-up (JIT, pools, prepared statements), then the measured phases.
    if (opts.warmup > 0) {
      console.log(`warm-up A: ${opts.warmup} s at ${opts.rateA} msg/s ...`);
      await phaseA(newRun('wa', opts.rateA, opts.warmup, agents.length), visitors);
    }
    console.log(`phase A: visitors -> agents, ${opts.secondsA} s at ${opts.rateA} msg/s ...`);
    const a = newRun('a', opts.rateA, opts.secondsA, agents.length);
    await measured(server, a, () => phaseA(a, visitors));

    if (opts.warmup > 0) {
      console.log(`warm-up B: ${opts.warmup} s at ${opts.rateB} replies/s ...`);
      await phaseB(newRun('wb', opts.rateB, opts.warmup, 1), base, agents, visitors);
    }
    console.log(`phase B: agents -> visitors, ${opts.secondsB} s at ${opts.rateB} replies/s ...`);
    const b = newRun('b', opts.rateB, opts.secondsB, 1);
    await measured(server, b, () => phaseB(b, base, agents, visitors));

    printReport(info.db, info.pool, a, b, disconnects);
    await cleanup();
    console.log(`\nmachine at the end: ${machineLine()}`);
    if (opts.serverProf) console.log(`server CPU profile written to ${PROFILE_DIR}`);
    console.log(`total wall time ${((now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    console.error('chat benchmark failed:', (err as Error).message);
    await cleanup().catch(() => {});
    process.exit(1);
  }
}

function printReport(db: string, pool: number, a: Run, b: Run, disconnects: number) {
  const row = (label: string, run: Run, s: Summary, sent: number, ok: number | string, lost: number | string) => [
    label,
    `${run.rate}/s x ${run.seconds}s`,
    sent,
    ok,
    lost,
    ms(s.p50),
    ms(s.p95),
    ms(s.p99),
    ms(s.max),
  ];
  const lostA = lostCount(a);
  const lostB = lostCount(b);
  console.log(
    `\nDB mode: ${db} (server pool ${pool}); ${opts.visitors} widget sockets, ${opts.agents} agent sockets; ` +
      `socket disconnects during the run: ${disconnects}`,
  );
  console.log('latencies in ms (client clock, same process as sender and receiver)\n');
  console.log(
    table(
      ['measure', 'rate', 'sent', 'ok', 'lost', 'p50', 'p95', 'p99', 'max'],
      [
        row(
          'A widget->agent, per delivery',
          a,
          summarize(a.deliveryMs),
          a.sent * a.expectedPerMessage,
          a.deliveryMs.length,
          a.sent * a.expectedPerMessage - a.deliveryMs.length,
        ),
        row(
          `A widget->all ${a.expectedPerMessage} agents`,
          a,
          summarize(a.allReceivedMs),
          a.sent,
          a.allReceivedMs.length,
          lostA,
        ),
        row('A send->ack (committed)', a, summarize(a.ackMs), a.sent, a.ok, a.failed),
        row('B agent->widget', b, summarize(b.deliveryMs), b.sent, b.deliveryMs.length, lostB),
        row('B POST reply -> 201', b, summarize(b.ackMs), b.sent, b.ok, b.failed),
      ],
    ),
  );
  console.log('\nload during each phase');
  const load = (label: string, r: Run) => [
    label,
    ms(r.serverStats?.cpuPercent ?? NaN, 0),
    ms(r.serverStats?.loopDelayP99Ms ?? NaN),
    ms(r.serverStats?.loopDelayMaxMs ?? NaN),
    ms(r.serverStats?.rssMb ?? NaN, 0),
    ms(r.clientCpuPercent ?? NaN, 0),
    ms(r.clientLoopP99Ms ?? NaN),
  ];
  console.log(
    table(
      [
        'phase',
        'server CPU %',
        'server loop delay p99 ms',
        'max ms',
        'server RSS MB',
        'client CPU %',
        'client loop delay p99 ms',
      ],
      [load('A', a), load('B', b)],
    ),
  );
  const verdict = (run: Run, p99: number, lost: number) =>
    `p99 ${ms(p99)} ms, lost ${lost} -> ${p99 <= 25 && lost === 0 ? 'within' : 'OUTSIDE'} target`;
  console.log(`\ntarget (issue): p99 <= 25 ms and 0 lost`);
  console.log(`  A widget->agent (per delivery): ${verdict(a, summarize(a.deliveryMs).p99, lostA)}`);
  console.log(`  B agent->widget:                ${verdict(b, summarize(b.deliveryMs).p99, lostB)}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
