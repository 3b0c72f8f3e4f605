/**
 * How long `npm start` takes on a fresh DATA_DIR with the demo seeded (SEED_DEMO=true, embedded PGlite on disk,
 * the realtime layer and channels up as there, not listening) against the same start without the demo: the
 * difference is the seed's cost. Prints figures; asserts nothing. `npm run bench:demoseed -- --runs 2`.
 * PROF=file.cpuprofile writes a CPU profile of the seeded start (open it in Chrome's DevTools).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { count } from 'drizzle-orm';
import { loadConfig } from '../../server/config.ts';
import { startServer } from '../../server/server.ts';
import { conversations, messages } from '../../drizzle/schema/index.ts';
import { flags, machineLine } from './lib.ts';

const { runs } = flags({ runs: 1 }, 'usage: tsx test/bench/demo-seed.ts [--runs N]');

async function start(seed: boolean, profile?: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-demo-seed-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    SEED_DEMO: String(seed),
    ADMIN_PASSWORD: 'bench-admin-password',
    LOG_LEVEL: 'warn',
    PORT: '0',
    BOT_ENABLED: 'false',
  });
  const session = new Session();
  session.connect();
  if (profile) {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const server = await startServer(config, {
    logStream: new Writable({ write: (_c, _e, done) => done() }),
    listen: false,
  });
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  if (profile) writeFileSync(profile, JSON.stringify((await session.post('Profiler.stop')).profile));
  session.disconnect();
  const [c] = await server.root.db.select({ n: count() }).from(conversations);
  const [m] = await server.root.db.select({ n: count() }).from(messages);
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  return { seconds, cpu: (used.user + used.system) / 1e6, conversations: Number(c!.n), messages: Number(m!.n) };
}

console.log(`machine: ${machineLine()}`);
// Warm the module cache and the migrations' first compile, so both measured starts pay the same.
await start(false);
for (let i = 0; i < runs; i++) {
  const plain = await start(false);
  const seeded = await start(true, process.env.PROF);
  const seed = { seconds: seeded.seconds - plain.seconds, cpu: seeded.cpu - plain.cpu };
  console.log(
    `run ${i + 1}: start with demo ${seeded.seconds.toFixed(1)} s (${seeded.cpu.toFixed(1)} s CPU), without ` +
      `${plain.seconds.toFixed(1)} s (${plain.cpu.toFixed(1)} s CPU): the seed ${seed.seconds.toFixed(1)} s, ` +
      `${seed.cpu.toFixed(1)} s CPU (${seeded.conversations} conversations, ${seeded.messages} messages); ` +
      machineLine(),
  );
}
process.exit(0);
