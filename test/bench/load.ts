/**
 * Scale-out load benchmark: N widget sockets and M agent sockets spread over several server
 * processes (test/bench/chat-server.ts) that share one PostgreSQL database and one Redis, for a
 * fixed duration. Visitors and agents talk at the same time:
 *   - each visitor message (socket 'message:send') must reach every agent socket, half of which sit
 *     on the other server (the Redis adapter carries it);
 *   - each agent reply (HTTP POST on the agent's own server) must reach the visitor's socket.
 * Prints delivery latency p50/p95/p99/max both ways, messages lost, and the servers' memory at the
 * start and end of the measured window (growth). It asserts nothing.
 *
 *   npm run bench:load -- [--visitors 2000] [--agents 50] [--servers 2] [--seconds 60]
 *                         [--rate 40] [--replyRate 10] [--pool 10]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { widgetNotice } from '../helpers/notice.ts';
import { flags, freshDatabase, machineLine, ms, sleep, steadyRate, summarize, table } from './lib.ts';

const USAGE = `usage: npm run bench:load -- [options]
  --visitors N   widget sockets, spread over the servers (default 2000)
  --agents N     agent sockets, spread over the servers (default 50)
  --servers N    server processes on one database and one Redis (default 2)
  --seconds S    measured duration (default 60)
  --rate R       visitor messages per second, all visitors together (default 40)
  --replyRate R  agent replies per second, all agents together (default 10)
  --warmup S     unmeasured seconds first (default 5)
  --drain S      wait for late deliveries (default 10)
  --pool N       each server's PostgreSQL pool (default 10)`;
const opts = flags(
  { visitors: 2000, agents: 50, servers: 2, seconds: 60, rate: 40, replyRate: 10, warmup: 5, drain: 10, pool: 10 },
  USAGE,
);
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const here = dirname(fileURLToPath(import.meta.url));
const now = () => performance.now();

type Stats = { rssMb: number; heapUsedMb: number; cpuPercent: number; loopDelayP99Ms: number };

class Server {
  private waiting: Array<(line: Record<string, unknown>) => void> = [];
  readonly exited: Promise<unknown>;
  constructor(readonly child: ChildProcess) {
    this.exited = once(child, 'exit');
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        this.waiting.shift()?.(JSON.parse(line) as Record<string, unknown>);
      } catch {
        process.stderr.write(`[server] ${line}\n`);
      }
    });
  }
  static async start(database: string, env: Record<string, string>) {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(here, 'chat-server.ts'), '--pool', String(opts.pool), '--database', database],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
        env: { ...process.env, ...env },
      },
    );
    const server = new Server(child);
    const ready = await Promise.race([
      server.next(),
      server.exited.then(() => Promise.reject(new Error('server exited before ready'))),
    ]);
    return {
      server,
      ready: ready as { url: string; inboxId: string; adminEmail: string; adminPassword: string; pid: number },
    };
  }
  next() {
    return new Promise<Record<string, unknown>>((resolve) => this.waiting.push(resolve));
  }
  async stats(): Promise<Stats> {
    const reply = this.next();
    this.child.stdin!.write('stats\n');
    return (await reply) as unknown as Stats;
  }
  async stop() {
    if (this.child.exitCode !== null) return;
    this.child.stdin!.end('stop\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** POSTs JSON; the caller names the shape of the answer it reads (null for an empty body). */
async function post<T = unknown>(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { res, body: text ? (JSON.parse(text) as T) : null };
}

async function login(base: string, email: string, password: string) {
  const { res, body } = await post<{ csrfToken: string }>(`${base}/api/auth/login`, { email, password });
  if (res.status !== 200) throw new Error(`login failed with ${res.status}`);
  return {
    cookie: res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; '),
    csrfToken: body!.csrfToken,
  };
}

const addressOf = (i: number) => `198.${18 + ((i >> 16) & 1)}.${(i >> 8) & 255}.${i & 255}`;

async function inBatches<T>(count: number, concurrency: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await work(i);
      }
    }),
  );
  return out;
}

function connect(socket: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const TEXT = /^load (\w+) #(\d+) t=([\d.]+)$/;
type Tally = {
  sent: number;
  acked: number;
  failed: number;
  received: Map<number, number>;
  latency: number[];
  expected: number;
};
const tally = (expected: number): Tally => ({
  sent: 0,
  acked: 0,
  failed: 0,
  received: new Map(),
  latency: [],
  expected,
});
const tallies = new Map<string, Tally>();
function delivered(body: string) {
  const m = TEXT.exec(body);
  const t = m && tallies.get(m[1]!);
  if (!t) return;
  const seq = Number(m[2]);
  t.latency.push(now() - Number(m[3]));
  t.received.set(seq, (t.received.get(seq) ?? 0) + 1);
}
const lost = (t: Tally) => {
  let n = 0;
  for (let seq = 0; seq < t.sent; seq++) if ((t.received.get(seq) ?? 0) < t.expected) n++;
  return n;
};

async function main() {
  const prefix = `bench-load-${randomBytes(4).toString('hex')}`;
  const db = await freshDatabase('bench_load');
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  const cleanup = async () => {
    for (const s of sockets) s.disconnect();
    await Promise.all(servers.map((s) => s.stop()));
    await db.drop().catch(() => {});
  };
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    const env = { REDIS_URL, REDIS_PREFIX: prefix, ADMIN_PASSWORD: randomBytes(12).toString('hex') };
    // The first server migrates the database; the others join it.
    const first = await Server.start(db.url, env);
    servers.push(first.server);
    const rest = await Promise.all(Array.from({ length: opts.servers - 1 }, () => Server.start(db.url, env)));
    servers.push(...rest.map((r) => r.server));
    const urls = [first.ready.url, ...rest.map((r) => r.ready.url)];
    const inboxId = first.ready.inboxId;
    console.log(`machine: ${machineLine()}`);
    console.log(
      `load benchmark: ${opts.servers} servers (${urls.join(', ')}) on one PostgreSQL database ` +
        `and Redis (${REDIS_URL}), ${opts.visitors} widget sockets, ${opts.agents} agent sockets`,
    );

    const admin = await login(urls[0]!, first.ready.adminEmail, first.ready.adminPassword);
    const password = randomBytes(12).toString('hex');
    const agents = await inBatches(opts.agents, 4, async (i) => {
      const email = `load-agent-${i}@bench.example.com`;
      const { res } = await post(
        `${urls[0]}/api/agents`,
        { email, name: `Load agent ${i}`, role: 'agent', password },
        { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken },
      );
      if (res.status !== 201) throw new Error(`creating an agent failed with ${res.status}`);
      const base = urls[i % urls.length]!;
      return { base, ...(await login(base, email, password)) };
    });
    const t0 = now();
    const visitors = await inBatches(opts.visitors, 50, async (i) => {
      const base = urls[i % urls.length]!;
      const { res, body } = await post<{ token: string; visitorId: string }>(
        `${base}/api/widget/sessions`,
        {
          inboxId,
          ...(await widgetNotice(base, inboxId)),
          consents: { support: true, analytics: false },
        },
        { 'x-forwarded-for': addressOf(i) },
      );
      if (res.status !== 201) throw new Error(`visitor session failed with ${res.status}`);
      return {
        base,
        token: body!.token,
        visitorId: body!.visitorId,
        socket: undefined as Socket | undefined,
        conversationId: undefined as string | undefined,
      };
    });
    let disconnects = 0;
    const conversationOf = new Map<string, string>();
    for (const agent of agents) {
      const socket = await connect(
        io(`${agent.base}/agent`, {
          transports: ['websocket'],
          extraHeaders: { cookie: agent.cookie },
          reconnection: false,
          forceNew: true,
        }),
      );
      sockets.push(socket);
      socket.on('disconnect', () => disconnects++);
      socket.on(
        'message:created',
        ({ message }: { message: { authorKind: string; body: string; conversationId: string } }) => {
          if (message.authorKind !== 'contact') return;
          delivered(message.body);
          conversationOf.set(message.body.split(' ')[1]! + message.body.split(' ')[2]!, message.conversationId);
        },
      );
    }
    await inBatches(visitors.length, 50, async (i) => {
      const v = visitors[i]!;
      v.socket = await connect(
        io(`${v.base}/widget`, {
          transports: ['websocket'],
          auth: { token: v.token },
          reconnection: false,
          forceNew: true,
        }),
      );
      sockets.push(v.socket);
      v.socket.on('disconnect', () => disconnects++);
      v.socket.on(
        'message:created',
        ({ message }: { message: { from: string; body: string; conversationId?: string } }) => {
          if (message.from === 'agent') delivered(message.body);
        },
      );
    });
    console.log(
      `setup: ${visitors.length} sessions and ${sockets.length} sockets in ${((now() - t0) / 1000).toFixed(1)} s`,
    );

    // Every visitor says hello once first (not measured): it opens their conversation, so replies have a target.
    const hello = tally(agents.length);
    tallies.set('hello', hello);
    await inBatches(visitors.length, 100, async (i) => {
      const res = (await visitors[i]!.socket!.timeout(30_000).emitWithAck('message:send', {
        clientId: `hello_${i}_${randomBytes(3).toString('hex')}`,
        text: `load hello #${i} t=${now().toFixed(3)}`,
      })) as { ok: boolean; value?: { message: { conversationId?: string } } };
      hello.sent++;
      if (res.ok) hello.acked++;
    });
    await sleep(2_000);

    const run = async (tag: string, seconds: number) => {
      const a = tally(agents.length);
      const b = tally(1);
      tallies.set(`${tag}a`, a);
      tallies.set(`${tag}b`, b);
      const replyTargets = visitors
        .map((v, i) => ({ v, conversation: conversationOf.get(`hello#${i}`) }))
        .filter((t) => t.conversation);
      await Promise.all([
        steadyRate(opts.rate, seconds, (seq) => {
          const v = visitors[seq % visitors.length]!;
          a.sent = seq + 1;
          v.socket!.timeout(15_000).emit(
            'message:send',
            {
              clientId: `${tag}_${seq}_${randomBytes(3).toString('hex')}`,
              text: `load ${tag}a #${seq} t=${now().toFixed(3)}`,
            },
            (err: Error | null, res?: { ok: boolean }) => {
              if (err || !res?.ok) a.failed++;
              else a.acked++;
            },
          );
        }),
        steadyRate(opts.replyRate, seconds, (seq) => {
          const target = replyTargets[seq % replyTargets.length]!;
          const agent = agents.find((x) => x.base === target.v.base) ?? agents[seq % agents.length]!;
          b.sent = seq + 1;
          fetch(`${agent.base}/api/conversations/${target.conversation}/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', cookie: agent.cookie, 'x-csrf-token': agent.csrfToken },
            body: JSON.stringify({ text: `load ${tag}b #${seq} t=${now().toFixed(3)}` }),
          })
            .then(async (res) => {
              await res.arrayBuffer();
              if (res.status === 201) b.acked++;
              else b.failed++;
            })
            .catch(() => b.failed++);
        }),
      ]);
      const deadline = now() + opts.drain * 1000;
      while (now() < deadline && (lost(a) > 0 || lost(b) > 0)) await sleep(100);
      return { a, b, replyTargets: replyTargets.length };
    };

    if (opts.warmup > 0) await run('w', opts.warmup);
    await Promise.all(servers.map((s) => s.stats()));
    const before = await Promise.all(servers.map((s) => s.stats()));
    console.log(
      `measuring ${opts.seconds} s: ${opts.rate} visitor msg/s to ${agents.length} agents each, ` +
        `${opts.replyRate} agent replies/s ...`,
    );
    const { a, b, replyTargets } = await run('m', opts.seconds);
    const after = await Promise.all(servers.map((s) => s.stats()));

    const sa = summarize(a.latency);
    const sb = summarize(b.latency);
    console.log(
      `\n${opts.servers} servers, ${opts.visitors} widget sockets, ${opts.agents} agent sockets, ${opts.seconds} s; ` +
        `socket disconnects: ${disconnects}; reply targets: ${replyTargets}`,
    );
    console.log(
      table(
        ['direction', 'messages', 'acked', 'failed', 'deliveries', 'lost', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
        [
          [
            `widget -> all ${agents.length} agents`,
            a.sent,
            a.acked,
            a.failed,
            a.latency.length,
            lost(a),
            ms(sa.p50),
            ms(sa.p95),
            ms(sa.p99),
            ms(sa.max),
          ],
          [
            'agent -> widget',
            b.sent,
            b.acked,
            b.failed,
            b.latency.length,
            lost(b),
            ms(sb.p50),
            ms(sb.p95),
            ms(sb.p99),
            ms(sb.max),
          ],
        ],
      ),
    );
    console.log('\nserver processes during the measured window');
    console.log(
      table(
        [
          'server',
          'RSS start MB',
          'RSS end MB',
          'growth MB',
          'heap start MB',
          'heap end MB',
          'CPU %',
          'loop delay p99 ms',
        ],
        servers.map((_, i) => [
          `#${i + 1}`,
          ms(before[i]!.rssMb, 0),
          ms(after[i]!.rssMb, 0),
          ms(after[i]!.rssMb - before[i]!.rssMb, 0),
          ms(before[i]!.heapUsedMb, 0),
          ms(after[i]!.heapUsedMb, 0),
          ms(after[i]!.cpuPercent, 0),
          ms(after[i]!.loopDelayP99Ms),
        ]),
      ),
    );
    console.log(`\nmessages lost: ${lost(a) + lost(b)} (target 0)`);
    console.log(`machine at the end: ${machineLine()}`);
    await cleanup();
  } catch (err) {
    console.error('load benchmark failed:', (err as Error).message);
    await cleanup().catch(() => {});
    process.exit(1);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
