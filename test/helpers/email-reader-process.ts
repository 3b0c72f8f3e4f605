import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { loadConfig } from '../../server/config.ts';
import { openDatabase } from '../../server/db/client.ts';
import { createRoot } from '../../server/composition.ts';
import { createEmailReaders } from '../../channels/email/channel.ts';

/**
 * A separate server process that only reads the email inboxes of DATABASE_URL, as every server does:
 * the test kills one of these with SIGKILL to show that another takes the mailbox over.
 * Prints "ready <pid>" once its readers run; what it ingests is visible in the database.
 */
const config = loadConfig({ ...process.env, SEED_DEMO: 'false' });
const database = await openDatabase({ databaseUrl: config.databaseUrl, poolSize: 4 });
const log = pino({ level: 'warn' }, pino.destination(2)) as unknown as FastifyBaseLogger;
const root = await createRoot(config, database, log);
const channel = createEmailReaders(
  {
    db: root.db,
    events: root.events,
    inboxNames: root.inboxNames,
    dataKeys: root.dataKeys,
    blobs: root.blobs,
    adapter: root.adapters.email,
    log,
    secrets: root.secrets,
  },
  {
    leaseTtlMs: config.channels.email.leaseSeconds * 1000,
    backoffMs: { initial: 200, max: 1000 },
    pollMs: 60_000,
    maxTextChars: config.messageMaxChars,
  },
);
await channel.refresh();
process.stdout.write(`ready ${process.pid}\n`);
process.once('SIGTERM', () => {
  void channel
    .stop()
    .then(() => database.close())
    .then(() => process.exit(0));
});
