/**
 * How fast Slack gets its answer: signed Events API requests through the real server (Bolt inside
 * Fastify, PostgreSQL), each answered only after its message is committed. Slack wants an answer
 * within 3 s; this prints the answer-time distribution, how many took longer than 3 s, and checks
 * that every message was stored exactly once (a share of the events is redelivered, as Slack's
 * retries are). Prints figures; asserts nothing.
 *
 *   npm run bench:slack -- [--events 1000] [--concurrency 8] [--threads 100] [--users 50] [--retries 0.1]
 */
import { tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { count, eq } from 'drizzle-orm';
import { loadConfig } from '../../server/config.ts';
import { openDatabase } from '../../server/db/client.ts';
import { startServer } from '../../server/server.ts';
import { messages } from '../../drizzle/schema/index.ts';
import { FakeSlack, deliverEvent } from '../helpers/fake-slack.ts';
import { messageEvent } from '../fixtures/channels/slack.ts';
import { flags, freshDatabase, machineLine, ms, prng, summarize, table } from './lib.ts';

const USAGE = `usage: npm run bench:slack -- [options]
  --events N        distinct message events (default 1000)
  --concurrency C   requests in flight at once (default 8)
  --threads N       channel threads the messages go to (default 100)
  --users N         distinct Slack users (default 50; each one's first message adds a users.info call)
  --retries F       share of events delivered a second time with X-Slack-Retry-Num (default 0.1)`;

const opts = flags({ events: 1000, concurrency: 8, threads: 100, users: 50, retries: 0.1 }, USAGE);
const SECRET = 'bench-signing-secret-0123456789ab';
const CHANNEL = 'C0BENCH001';

const slack = await FakeSlack.start();
for (let u = 0; u < opts.users; u++) slack.addUser({ id: `U0BENCH${u}`, name: `user${u}`, realName: `User ${u}` });
const database = await freshDatabase('bench_slack');
const dataDir = mkdtempSync(join(tmpdir(), 'bench-slack-'));
const db = await openDatabase({ databaseUrl: database.url, poolSize: 10 });
const server = await startServer(
  loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    BOT_ENABLED: 'false',
    BOT_EMBEDDER: 'lexical',
    ADMIN_PASSWORD: 'bench-admin-password',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_CHANNELS: CHANNEL,
    SLACK_API_URL: slack.apiUrl,
    OUTBOUND_ALLOW_HOSTS: new URL(slack.apiUrl).host,
  }),
  { database: db, logStream: new Writable({ write: (_c, _e, done) => done() }) },
);
const url = `${server.url}/api/slack/events`;

const random = prng(6);
const roots: string[] = [];
const events = Array.from({ length: opts.events }, (_, i) => {
  const user = `U0BENCH${Math.floor(random() * opts.users)}`;
  // The first message of each thread opens it; later ones reply in a random open thread.
  const threadTs =
    roots.length >= opts.threads || (roots.length > 0 && random() < 0.8)
      ? roots[Math.floor(random() * roots.length)]
      : undefined;
  const event = messageEvent({ channel: CHANNEL, user, text: `question number ${i} about an invoice`, threadTs });
  if (!threadTs) roots.push(event.event.ts);
  return event;
});
const deliveries = [
  ...events.map((e) => ({ event: e, retry: false })),
  ...events.filter(() => random() < opts.retries).map((e) => ({ event: e, retry: true })),
];

const times: number[] = [];
const statuses = new Map<number, number>();
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: opts.concurrency }, async () => {
    while (next < deliveries.length) {
      const { event, retry } = deliveries[next++]!;
      const t0 = performance.now();
      const res = await deliverEvent(url, SECRET, event, retry ? { retryNum: 1 } : {});
      times.push(performance.now() - t0);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const stored = (await db.db.select({ n: count() }).from(messages).where(eq(messages.channel, 'slack')))[0]!.n;

const s = summarize(times);
console.log(
  `bench:slack: ${opts.events} events + ${deliveries.length - opts.events} redeliveries, ` +
    `concurrency ${opts.concurrency}, ${opts.threads} threads, ${opts.users} users`,
);
console.log(machineLine());
console.log(
  table(
    [
      'requests',
      'req/s',
      'answer p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'over 3 s',
      'statuses',
      'messages stored',
      'users.info calls',
    ],
    [
      [
        deliveries.length,
        (deliveries.length / seconds).toFixed(0),
        ms(s.p50),
        ms(s.p95),
        ms(s.p99),
        ms(s.max),
        times.filter((t) => t > 3000).length,
        [...statuses].map(([k, v]) => `${k}:${v}`).join(' '),
        `${stored} of ${opts.events}`,
        slack.callsOf('users.info').length,
      ],
    ],
  ),
);

await server.close();
await db.close();
await database.drop();
await slack.close();
rmSync(dataDir, { recursive: true, force: true });
