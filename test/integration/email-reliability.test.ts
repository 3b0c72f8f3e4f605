import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { loadConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/server.ts';
import { rowsOf } from '../../server/db/client.ts';
import { emailMailboxes, inboxes, leases, messages } from '../../drizzle/schema/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { eventually, rawMail } from '../helpers/email.ts';

/**
 * Acceptance 1: no message lost and none duplicated across dropped connections and restarts.
 * Servers here share one database, as two deployments of the product would.
 */
describe('IMAP reading survives dropped connections, restarts and dead servers', () => {
  let database: Awaited<ReturnType<typeof testDatabase>>;
  let dovecot: Dovecot;
  const dataDir = mkdtempSync(join(tmpdir(), 'email-reliability-'));
  const servers: RunningServer[] = [];
  let logs = '';

  beforeAll(async () => {
    [database, dovecot] = await Promise.all([testDatabase(), startDovecot()]);
  });
  afterAll(async () => {
    for (const s of servers) await s.close().catch(() => {});
    await database?.close();
    await dovecot?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<RunningServer> {
    const config = loadConfig({
      DATA_DIR: dataDir,
      SEED_DEMO: 'false',
      BOT_ENABLED: 'false',
      BOT_EMBEDDER: 'lexical',
      LOG_LEVEL: 'info',
      EMAIL_LEASE_SECONDS: '2',
      EMAIL_RECONNECT_MAX_SECONDS: '1',
    });
    const logStream = new Writable({ write: (chunk, _e, done) => ((logs += chunk.toString()), done()) });
    const server = await startServer(config, { database, listen: false, logStream });
    servers.push(server);
    return server;
  }

  async function emailInbox(name: string, mailbox = 'INBOX') {
    const [row] = await database.db
      .insert(inboxes)
      .values({
        name,
        channel: 'email',
        settings: {
          address: 'support@shop.example',
          imap: {
            host: dovecot.host,
            port: dovecot.port,
            secure: false,
            allowPlaintext: true, // the test's Dovecot speaks no TLS
            user: dovecot.user,
            password: dovecot.password,
            mailbox,
          },
          smtp: { host: '127.0.0.1', port: 1, secure: false },
        },
      })
      .returning();
    return row!.id;
  }

  const storedMessages = async () =>
    rowsOf<{ external_id: string; n: number }>(
      await database.db.execute(
        sql`select external_id, count(*)::int as n from ${messages} where channel = 'email' group by external_id`,
      ),
    );
  const checkpoint = async (inboxId: string) =>
    (await database.db.select().from(emailMailboxes).where(eq(emailMailboxes.inboxId, inboxId)))[0];

  it(
    'ingests every message exactly once while the connection is dropped ' + 'and the server restarted mid-stream',
    async () => {
      await dovecot.append(
        Array.from({ length: 40 }, (_, i) =>
          rawMail({ messageId: `<batch-${i}@customer.example>`, subject: `Mail ${i}` }),
        ),
      );
      const first = await start();
      const inboxId = await emailInbox('Reliability');
      let seen = 0;
      let closing: Promise<void> | undefined;
      first.root.events.subscribe('message.created', () => {
        seen++;
        if (seen === 5) void dovecot.kickAll(); // the network drops the IMAP connection mid-sync
        if (seen === 25) closing = first.close(); // and then the server goes down
      });
      await first.root.channels.email.refresh();
      await eventually(async () => closing !== undefined, 60_000, 'the first server to read 25 mails');
      await closing;
      const afterFirst = (await storedMessages()).length;
      expect(afterFirst).toBeGreaterThanOrEqual(25);
      expect(afterFirst).toBeLessThan(40);
      expect(logs).toContain('imap session ended'); // the dropped connection was noticed and survived

      // Mail keeps arriving while no server runs.
      await dovecot.append(
        Array.from({ length: 10 }, (_, i) =>
          rawMail({ messageId: `<late-${i}@customer.example>`, subject: `Late ${i}` }),
        ),
      );
      const second = await start();
      await second.root.channels.email.refresh();
      await eventually(
        async () => (await checkpoint(inboxId))?.lastUid === 50,
        30_000,
        'the restarted server to catch up',
      );
      const stored = await storedMessages();
      expect(stored).toHaveLength(50);
      expect(stored.every((r) => r.n === 1)).toBe(true);
      const ids = new Set(stored.map((r) => r.external_id.split('/')[1]));
      for (let i = 0; i < 40; i++) expect(ids.has(`<batch-${i}@customer.example>`)).toBe(true);
      for (let i = 0; i < 10; i++) expect(ids.has(`<late-${i}@customer.example>`)).toBe(true);

      // New mail while connected arrives through IDLE, within seconds.
      await dovecot.append(rawMail({ messageId: '<live@customer.example>', subject: 'Live' }));
      await eventually(async () => (await storedMessages()).length === 51, 10_000, 'the IDLE delivery');

      // A renumbered mailbox (new UIDVALIDITY) is read again from UID 1: replays, not duplicates.
      await database.db
        .update(emailMailboxes)
        .set({ uidValidity: 1, lastUid: 0 })
        .where(eq(emailMailboxes.inboxId, inboxId));
      await database.db.execute(
        sql`update ${inboxes} set settings = settings || '{"subjectThreadDays": 3}'::jsonb where id = ${inboxId}`,
      );
      await second.root.channels.email.refresh(); // changed settings restart the reader
      await eventually(
        async () => {
          const c = await checkpoint(inboxId);
          return c && c.uidValidity !== 1 && c.lastUid === 51;
        },
        30_000,
        'the re-read after the UIDVALIDITY change',
      );
      const reread = await storedMessages();
      expect(reread).toHaveLength(51);
      expect(reread.every((r) => r.n === 1)).toBe(true);
      await second.close();
    },
    150_000,
  );

  it('waits while another live server holds the mailbox and takes it over when that holder dies', async () => {
    const client = await dovecot.client();
    await client.mailboxCreate('Held');
    await client.logout();
    const server = await start();
    const inboxId = await emailInbox('Held mailbox', 'Held');
    // A server process that took the lease and then died: it will never renew or release it.
    const lease = `email:imap:${inboxId}:Held`;
    await database.db
      .insert(leases)
      .values({ name: lease, holder: 'a-server-that-died', expiresAt: new Date(Date.now() + 3_000) });
    await dovecot.append(rawMail({ messageId: '<held-1@customer.example>', subject: 'While held' }), 'Held');
    await server.root.channels.email.refresh();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(server.root.channels.email.status(inboxId)?.state).toBe('waiting_for_lease');
    const countHeld = async () =>
      (
        await database.db
          .select({ id: messages.id })
          .from(messages)
          .where(and(eq(messages.channel, 'email'), eq(messages.externalId, `${inboxId}/<held-1@customer.example>`)))
      ).length;
    expect(await countHeld()).toBe(0);
    await eventually(async () => (await countHeld()) === 1, 15_000, 'the takeover after the lease expired');
    const [row] = await database.db.select().from(leases).where(eq(leases.name, lease));
    expect(row!.holder).not.toBe('a-server-that-died');
    await server.close();
    // A clean shutdown hands the mailbox back at once.
    expect(await database.db.select().from(leases).where(eq(leases.name, lease))).toHaveLength(0);
  }, 60_000);
});
