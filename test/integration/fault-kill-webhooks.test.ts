import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import twilio from 'twilio';
import { sql } from 'drizzle-orm';
import { openDatabase, rowsOf, type Database } from '../../server/db/client.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import { dbMode } from '../helpers/db.ts';
import { ServerProcess, scratchDatabase } from '../helpers/processes.ts';
import { faultMessage, streamWithRetries, twilioSmsSender } from '../helpers/fault-harness.ts';

// As fault-kill.test.ts, through a provider webhook: Twilio's signed inbound-SMS webhook.
const MESSAGES = dbMode === 'postgres' ? 10_000 : 1_000;
const SENDERS = dbMode === 'postgres' ? 400 : 50;
const PUBLIC_URL = 'https://support.fault.test';
const ACCOUNT_SID = `AC${'f'.repeat(32)}`;
const AUTH_TOKEN = 'fault-test-auth-token';
const OUR_NUMBER = '+15550100000';

/**
 * kill -9 of a server while 10,000 Twilio webhooks stream in with Twilio-style retries (and some
 * redeliveries of acknowledged ones): every message is stored exactly once, by MessageSid.
 */
describe(`kill -9 of a server under Twilio webhook traffic on ${dbMode}`, () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
  const servers: ServerProcess[] = [];
  let inboxId: string;
  let open: () => Promise<Database>;
  let pgliteDir: string | undefined;

  beforeAll(async () => {
    const env = { PUBLIC_URL, TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN };
    if (dbMode === 'postgres') {
      scratch = await scratchDatabase('t_kill_sms');
      open = () => openDatabase({ databaseUrl: scratch!.url, poolSize: 2 });
      servers.push(await ServerProcess.create({ ...env, DATABASE_URL: scratch.url }), await ServerProcess.create({ ...env, DATABASE_URL: scratch.url }));
    } else {
      const dataDir = (pgliteDir = mkdtempSync(join(tmpdir(), 'fault-sms-')));
      open = () => openDatabase({ pgliteDir: join(dataDir, 'pglite') });
      servers.push(await ServerProcess.create({ ...env, DATA_DIR: dataDir }));
    }
    // The number is connected before the servers start (a PGlite directory is one process's at a time).
    const database = await open();
    try {
      const [inbox] = await database.db.insert(inboxes).values({ name: 'Fault SMS', channel: 'sms', settings: { phoneNumber: OUR_NUMBER } }).returning();
      inboxId = inbox!.id;
    } finally {
      await database.close();
    }
    for (const server of servers) await server.start();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.dispose()));
    await scratch?.drop();
    if (pgliteDir) rmSync(pgliteDir, { recursive: true, force: true });
  });

  it('stores every webhook message exactly once after the crash, the restart and the retries', async () => {
    const victim = servers[0]!;
    let killedAt = -1;
    let restart: Promise<void> | undefined;
    const result = await streamWithRetries({
      count: MESSAGES,
      send: twilioSmsSender({
        backends: servers.map((s) => s.url),
        publicUrl: PUBLIC_URL,
        inboxId,
        accountSid: ACCOUNT_SID,
        authToken: AUTH_TOKEN,
        to: OUR_NUMBER,
        senders: SENDERS,
        sign: (token, url, params) => twilio.getExpectedTwilioSignature(token, url, params),
      }),
      concurrency: 48,
      redeliverShare: 0.03,
      deadlineMs: 200_000,
      onAck: (acked) => {
        if (killedAt < 0 && acked.size >= MESSAGES * 0.3) {
          killedAt = acked.size;
          restart = victim.kill('SIGKILL').then(() => new Promise((r) => setTimeout(r, 2_000))).then(() => victim.start());
        }
      },
    });
    await restart;
    expect(killedAt).toBeGreaterThan(0);
    expect(result.unacknowledged).toEqual([]);
    expect(result.acked.size).toBe(MESSAGES);
    expect(result.failedAttempts).toBeGreaterThan(0);
    expect(result.redelivered).toBeGreaterThan(0);

    if (dbMode === 'pglite') await victim.stop();
    const database = await open();
    try {
      const rows = rowsOf<{ body: string; n: number }>(
        await database.db.execute(sql`select body, count(*)::int as n from messages where channel = 'sms' and direction = 'inbound' group by body`),
      );
      const stored = new Map(rows.map((r) => [r.body, r.n]));
      const missing = [];
      for (let seq = 0; seq < MESSAGES; seq++) if (stored.get(faultMessage(seq).text) !== 1) missing.push(seq);
      expect(missing).toEqual([]);
      expect(rows.length).toBe(MESSAGES);
      const [{ n: conversations } = { n: 0 }] = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from conversations`));
      expect(conversations).toBe(SENDERS);
    } finally {
      await database.close();
    }
  }, 300_000);
});
