import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { openDatabase } from '../../server/db/client.ts';
import { inboxes, messages } from '../../drizzle/schema/index.ts';
import { openMessageTexts } from '../../server/domain/message-text.ts';
import { createDataKeys } from '../../server/security/data-keys.ts';
import { createFileKeyStore, keyStorePath } from '../../server/security/key-store.ts';
import { staticKeyProvider } from '../../server/security/keys.ts';
import { ENCRYPTION_KEY, LOOPBACK_PROXY, ServerProcess } from '../helpers/processes.ts';
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
  // One DATA_DIR for both servers, as servers share it (README "Scaling out"): its key store holds the contacts'
  // data keys, which seal every message's text (issue 22).
  const dataDir = mkdtempSync(join(tmpdir(), 'outage-data-'));

  beforeAll(async () => {
    pg = await PrivatePostgres.create();
    await pg.start();
    const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
    await admin.unsafe('create database inbox');
    await admin.end();
    url = pg.url.replace(/\/postgres$/, '/inbox');
    // Visitors come from many addresses (X-Forwarded-For from the trusted loopback "load balancer").
    const env = { DATABASE_URL: url, DATA_DIR: dataDir, ...LOOPBACK_PROXY };
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
    rmSync(dataDir, { recursive: true, force: true });
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
      // The stored text is sealed: opened with the servers' key store, as they open it.
      const keys = createDataKeys(
        staticKeyProvider([Buffer.from(ENCRYPTION_KEY, 'base64')], 'test key'),
        createFileKeyStore(keyStorePath(dataDir)),
      );
      const inbound = await database.db.select().from(messages).where(eq(messages.direction, 'inbound'));
      const stored = new Map<string, number>();
      for (const { body } of await openMessageTexts(keys, inbound)) stored.set(body, (stored.get(body) ?? 0) + 1);
      expect(ackedBeforeCrash.filter((seq) => stored.get(faultMessage(seq).text) !== 1)).toEqual([]);
      expect([...result.acked].filter((seq) => stored.get(faultMessage(seq).text) !== 1)).toEqual([]);
      expect(stored.size).toBe(MESSAGES);
    } finally {
      await database.close();
    }
  }, 300_000);
});
