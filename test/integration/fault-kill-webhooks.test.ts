import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import twilio from 'twilio';
import { openDatabase, type Database } from '../../server/db/client.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import { dbMode } from '../helpers/db.ts';
import { LOOPBACK_PROXY, ServerProcess, scratchDatabase } from '../helpers/processes.ts';
import { storedOnce, streamThroughACrash, twilioSmsSender } from '../helpers/fault-harness.ts';

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
  // One DATA_DIR for every server, as deployed servers share it (README "Scaling out"): its key store holds the
  // data keys that seal every message's text (issue 22). PGlite keeps its database in it too.
  const dataDir = mkdtempSync(join(tmpdir(), 'fault-sms-'));

  beforeAll(async () => {
    const env = { PUBLIC_URL, TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, ...LOOPBACK_PROXY };
    if (dbMode === 'postgres') {
      scratch = await scratchDatabase('t_kill_sms');
      open = () => openDatabase({ databaseUrl: scratch!.url, poolSize: 2 });
      servers.push(
        await ServerProcess.create({ ...env, DATA_DIR: dataDir, DATABASE_URL: scratch.url }),
        await ServerProcess.create({ ...env, DATA_DIR: dataDir, DATABASE_URL: scratch.url }),
      );
    } else {
      open = () => openDatabase({ pgliteDir: join(dataDir, 'pglite') });
      servers.push(await ServerProcess.create({ ...env, DATA_DIR: dataDir }));
    }
    // The number is connected before the servers start (a PGlite directory is one process's at a time).
    const database = await open();
    try {
      const [inbox] = await database.db
        .insert(inboxes)
        .values({ name: 'Fault SMS', channel: 'sms', settings: { phoneNumber: OUR_NUMBER } })
        .returning();
      inboxId = inbox!.id;
    } finally {
      await database.close();
    }
    for (const server of servers) await server.start();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.dispose()));
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores every webhook message exactly once after the crash, the restart and the retries', async () => {
    const victim = servers[0]!;
    const send = twilioSmsSender({
      backends: servers.map((s) => s.url),
      publicUrl: PUBLIC_URL,
      inboxId,
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      to: OUR_NUMBER,
      senders: SENDERS,
      sign: (token, url, params) => twilio.getExpectedTwilioSignature(token, url, params),
    });
    const result = await streamThroughACrash(MESSAGES, send, victim);
    expect(result.killedAt).toBeGreaterThan(0);
    expect(result.unacknowledged).toEqual([]);
    expect(result.acked.size).toBe(MESSAGES);
    expect(result.failedAttempts).toBeGreaterThan(0);
    expect(result.redelivered).toBeGreaterThan(0);

    if (dbMode === 'pglite') await victim.stop();
    const database = await open();
    try {
      const { missing, distinctBodies, conversations } = await storedOnce(database.db, dataDir, 'sms', MESSAGES);
      expect(missing).toEqual([]);
      expect(distinctBodies).toBe(MESSAGES);
      expect(conversations).toBe(SENDERS);
    } finally {
      await database.close();
    }
  }, 300_000);
});
