import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { openDatabase, rowsOf } from '../../server/db/client.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import { LOOPBACK_PROXY, ServerProcess } from '../helpers/processes.ts';
import { PrivatePostgres } from '../helpers/private-postgres.ts';
import {
  faultMessage,
  openVisitors,
  streamWithRetries,
  visitorAddress,
  widgetSender,
} from '../helpers/fault-harness.ts';

const MESSAGES = 2_000;
const VISITORS = 100;

/**
 * PostgreSQL crashes (immediate stop: every connection cut, crash recovery on start) and comes back
 * while two servers take traffic. The servers must reconnect by themselves (same processes, no
 * restart) and every message they acknowledged before, during or after the outage must be stored.
 * The database is a private PostgreSQL of this test: the machine's shared one is never touched.
 */
describe('PostgreSQL restarting under traffic', () => {
  let pg: PrivatePostgres;
  let url: string;
  const servers: ServerProcess[] = [];
  let inboxId: string;

  beforeAll(async () => {
    pg = await PrivatePostgres.create();
    await pg.start();
    const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
    await admin.unsafe('create database inbox');
    await admin.end();
    url = pg.url.replace(/\/postgres$/, '/inbox');
    // Visitors come from many addresses (X-Forwarded-For from the trusted loopback "load balancer").
    const env = { DATABASE_URL: url, ...LOOPBACK_PROXY };
    servers.push(await ServerProcess.create(env), await ServerProcess.create(env));
    await Promise.all(servers.map((s) => s.start()));
    const database = await openDatabase({ databaseUrl: url, poolSize: 1 });
    const [inbox] = await database.db.insert(inboxes).values({ name: 'Outage chat', channel: 'chat' }).returning();
    inboxId = inbox!.id;
    await database.close();
  }, 120_000);

  afterAll(async () => {
    // A server that died under the outage says why in its last log lines (they hold no personal data).
    for (const s of servers) if (!s.running) console.error(`server ${s.url} exited; its last log lines:\n${s.stderr}`);
    await Promise.all(servers.map((s) => s.dispose()));
    await pg?.destroy();
  });

  it('the servers reconnect and no acknowledged message is lost', async () => {
    const pids = servers.map((s) => s.pid);
    const visitors = await openVisitors(servers[0]!.url, inboxId, VISITORS);
    let ackedBeforeCrash: number[] = [];
    let duringOutage: { status: number; code?: string } | undefined;
    let outage: Promise<void> | undefined;
    const result = await streamWithRetries({
      count: MESSAGES,
      send: widgetSender(
        servers.map((s) => s.url),
        visitors,
        visitorAddress,
      ),
      concurrency: 32,
      deadlineMs: 200_000,
      onAck: (acked) => {
        if (!outage && acked.size >= MESSAGES / 3) {
          ackedBeforeCrash = [...acked];
          outage = pg
            .stop('immediate')
            .then(async () => {
              const res = await fetch(`${servers[0]!.url}/api/health`);
              duringOutage = { status: res.status, code: ((await res.json()) as { code?: string }).code };
              await new Promise((r) => setTimeout(r, 3_000));
            })
            .then(() => pg.start());
        }
      },
    });
    await outage;
    expect(ackedBeforeCrash.length).toBeGreaterThanOrEqual(MESSAGES / 3);
    expect(result.failedAttempts).toBeGreaterThan(0);
    expect(result.unacknowledged).toEqual([]);
    // The same processes served before and after: they reconnected instead of dying.
    expect(servers.map((s) => s.running)).toEqual([true, true]);
    expect(servers.map((s) => s.pid)).toEqual(pids);
    // The health check told a load balancer the truth meanwhile, and is green again.
    expect(duringOutage).toEqual({ status: 503, code: 'database_unavailable' });
    for (const server of servers) expect((await fetch(`${server.url}/api/health`)).status).toBe(200);

    const database = await openDatabase({ databaseUrl: url, poolSize: 1 });
    try {
      const rows = rowsOf<{ body: string; n: number }>(
        await database.db.execute(
          sql`select body, count(*)::int as n from messages where direction = 'inbound' group by body`,
        ),
      );
      const stored = new Map(rows.map((r) => [r.body, r.n]));
      expect(ackedBeforeCrash.filter((seq) => stored.get(faultMessage(seq).text) !== 1)).toEqual([]);
      expect([...result.acked].filter((seq) => stored.get(faultMessage(seq).text) !== 1)).toEqual([]);
      expect(rows.length).toBe(MESSAGES);
    } finally {
      await database.close();
    }
  }, 300_000);
});
