import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { openDatabase, type Database } from '../../server/db/client.ts';
import { dbMode } from '../helpers/db.ts';
import { LOOPBACK_PROXY, ServerProcess, scratchDatabase } from '../helpers/processes.ts';
import {
  openVisitors,
  storedOnce,
  streamThroughACrash,
  visitorAddress,
  widgetSender,
} from '../helpers/fault-harness.ts';

// PostgreSQL: the scenario, two servers and 10,000 messages. PGlite is one process on its data
// directory (crash recovery of the embedded database); it ingests more slowly, so it gets fewer messages.
const MESSAGES = dbMode === 'postgres' ? 10_000 : 1_000;
const VISITORS = dbMode === 'postgres' ? 400 : 50;

/**
 * kill -9 of a server while 10,000 messages stream in with provider-style retries (and some
 * redeliveries of acknowledged ones). On PostgreSQL two servers share the database and the "load
 * balancer" routes retries to the survivor; on PGlite the one server is killed on its data directory
 * and restarted. Either way, every message must end up stored exactly once.
 */
describe(`kill -9 of a server under inbound traffic on ${dbMode}`, () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
  const servers: ServerProcess[] = [];
  let inboxId: string;
  let open: () => Promise<Database>;
  // One DATA_DIR for every server, as deployed servers share it (README "Scaling out"): its key store holds the
  // data keys that seal every message's text (issue 22).
  const dataDir = mkdtempSync(join(tmpdir(), 'fault-chat-'));

  beforeAll(async () => {
    // Visitors come from many addresses (X-Forwarded-For from the trusted loopback "load balancer").
    const env = { CHAT_INBOX: 'Fault chat', DATA_DIR: dataDir, ...LOOPBACK_PROXY };
    if (dbMode === 'postgres') {
      scratch = await scratchDatabase('t_kill');
      servers.push(
        await ServerProcess.create({ ...env, DATABASE_URL: scratch.url }),
        await ServerProcess.create({ ...env, DATABASE_URL: scratch.url }),
      );
      open = () => openDatabase({ databaseUrl: scratch!.url, poolSize: 2 });
    } else {
      const server = await ServerProcess.create(env);
      servers.push(server);
      open = () => openDatabase({ pgliteDir: join(server.dataDir, 'pglite') });
    }
    // One after the other: both would otherwise create the inbox of CHAT_INBOX.
    for (const server of servers) await server.start();
    inboxId = servers[0]!.inboxId!;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.dispose()));
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores every message exactly once after the crash, the restart and the retries', async () => {
    const victim = servers[0]!;
    const visitors = await openVisitors(servers.at(-1)!.url, inboxId, VISITORS);
    const result = await streamThroughACrash(
      MESSAGES,
      widgetSender(
        servers.map((s) => s.url),
        visitors,
        visitorAddress,
      ),
      victim,
    );
    expect(result.killedAt).toBeGreaterThan(0);
    expect(result.unacknowledged).toEqual([]);
    expect(result.acked.size).toBe(MESSAGES);
    // The crash really cost deliveries: some attempts failed and were retried.
    expect(result.failedAttempts).toBeGreaterThan(0);
    expect(result.redelivered).toBeGreaterThan(0);

    if (dbMode === 'pglite') await victim.stop();
    const database = await open();
    try {
      const { missing, distinctBodies, conversations } = await storedOnce(database.db, dataDir, 'chat', MESSAGES);
      expect(missing).toEqual([]);
      expect(distinctBodies).toBe(MESSAGES);
      expect(conversations).toBe(VISITORS);
    } finally {
      await database.close();
    }
  }, 300_000);
});
