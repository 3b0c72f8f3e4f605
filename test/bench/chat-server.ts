/**
 * The server side of the chat benchmark, run as its own process so the load generator never shares
 * its event loop. It starts the real server (startServer, PORT=0) on a fresh PostgreSQL database
 * (or in-memory PGlite with --pglite), adds one chat inbox and prints one JSON line on stdout:
 *   {"type":"ready","url":...,"inboxId":...,"adminEmail":...,"adminPassword":...,"db":...}
 * Then it answers stdin commands, one per line: "stats" (CPU and event-loop delay since the last
 * "stats", as one JSON line) and "stop" (close everything, drop the database, exit). Closing stdin
 * also stops it, so an aborted benchmark leaves no server and no database behind.
 *
 * Logs go to stderr at LOG_LEVEL (default warn) so stdout stays a clean protocol channel.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../../server/config.ts';
import { openDatabase, type Database } from '../../server/db/client.ts';
import { startServer } from '../../server/server.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import { flags, freshDatabase } from './lib.ts';

// --database: an existing database shared with other server processes (bench:load); it is not dropped.
const opts = flags(
  { pglite: false, pool: 10, database: '' },
  'usage: tsx test/bench/chat-server.ts [--pglite] [--pool 10] [--database postgres://...]',
);

const out = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function main() {
  const fresh = opts.pglite || opts.database ? null : await freshDatabase('bench_chat');
  let database: Database;
  try {
    const databaseUrl = opts.database || fresh?.url;
    database = databaseUrl ? await openDatabase({ databaseUrl, poolSize: opts.pool }) : await openDatabase({});
  } catch (err) {
    await fresh?.drop();
    throw err;
  }
  const adminEmail = 'bench-admin@bench.example.com';
  const adminPassword = process.env.ADMIN_PASSWORD || randomBytes(12).toString('hex');
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    ADMIN_EMAIL: adminEmail,
    ADMIN_PASSWORD: adminPassword,
    SEED_DEMO: 'false',
    // bench:load runs several servers sharing rooms through Redis.
    REDIS_URL: process.env.REDIS_URL,
    REDIS_PREFIX: process.env.REDIS_PREFIX,
    // bench:chat measures delivery between people; the bot (bench:bot) would hand every first message off.
    BOT_ENABLED: process.env.BOT_ENABLED || 'false',
    // The benches play many visitors from one machine, told apart by X-Forwarded-For (trusted from loopback).
    TRUST_PROXY: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
    DATA_DIR: process.env.DATA_DIR || join(tmpdir(), 'bench-chat-data'),
  });
  const server = await startServer(config, { database, logStream: process.stderr });
  const [inbox] = await server.root.db.insert(inboxes).values({ name: 'Bench chat', channel: 'chat' }).returning();

  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  let cpuMark = process.cpuUsage();
  let wallMark = performance.now();

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      loopDelay.disable();
      await server.close().catch((err) => console.error('server close failed:', (err as Error).message));
      await database.close().catch(() => {});
      await fresh?.drop().catch((err) => console.error('drop database failed:', (err as Error).message));
      out({ type: 'stopped' });
    })());

  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const command = line.trim();
    if (command === 'stats') {
      const cpu = process.cpuUsage(cpuMark);
      const wall = performance.now() - wallMark;
      out({
        type: 'stats',
        cpuPercent: ((cpu.user + cpu.system) / 1000 / wall) * 100,
        loopDelayP50Ms: loopDelay.percentile(50) / 1e6,
        loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
        loopDelayMaxMs: loopDelay.max / 1e6,
        rssMb: process.memoryUsage().rss / 2 ** 20,
        heapUsedMb: process.memoryUsage().heapUsed / 2 ** 20,
      });
      loopDelay.reset();
      cpuMark = process.cpuUsage();
      wallMark = performance.now();
    } else if (command === 'stop') {
      void stop().then(() => process.exit(0));
    }
  });
  lines.on('close', () => void stop().then(() => process.exit(0)));
  process.on('SIGTERM', () => void stop().then(() => process.exit(0)));
  process.on('SIGINT', () => void stop().then(() => process.exit(0)));

  out({
    type: 'ready',
    url: server.url,
    inboxId: inbox!.id,
    adminEmail,
    adminPassword,
    db: database.driver,
    pool: opts.pglite ? 1 : opts.pool,
    pid: process.pid,
  });
}

main().catch((err) => {
  console.error('bench server failed to start:', err);
  process.exit(1);
});
