/**
 * Email ingest throughput: a real Dovecot mailbox holding the 1,500 real messages of
 * ../shared/data/email/spamassassin-easy-ham, read by the email channel (IMAP FETCH, mailparser,
 * sanitize-html, threading, ingest(), checkpoint) into committed conversations on PostgreSQL.
 * The clock starts when the reader is started and stops when the checkpoint reaches the last UID,
 * i.e. when every message is committed. Parse-only throughput (no IMAP, no database) is printed
 * beside it to show where the time goes. Prints figures; asserts nothing.
 *
 *   npm run bench:email -- [--limit 1500] [--pglite]
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { eq, sql } from 'drizzle-orm';
import { loadConfig } from '../../server/config.ts';
import { openDatabase, rowsOf, type Database } from '../../server/db/client.ts';
import { createRoot } from '../../server/composition.ts';
import { createEmailReaders } from '../../channels/email/channel.ts';
import { parseEmail } from '../../channels/email/parse.ts';
import { emailMailboxes, inboxes } from '../../drizzle/schema/index.ts';
import { startDovecot } from '../helpers/dovecot.ts';
import { flags, freshDatabase, machineLine, sleep, table } from './lib.ts';

const USAGE = `usage: npm run bench:email -- [options]
  --limit N    how many of the spamassassin-easy-ham messages to load (default 1500, all)
  --pglite     embedded PGlite instead of PostgreSQL (DATABASE_URL or ${'postgres://postgres@127.0.0.1:5432/test'})`;
const opts = flags({ limit: 1500, pglite: false }, USAGE);

const DATA = join(import.meta.dirname, '../../../shared/data/email/spamassassin-easy-ham');

async function main() {
  const files = readdirSync(DATA)
    .filter((f) => !/^(LICENSE|SOURCE)/.test(f))
    .sort()
    .slice(0, opts.limit);
  const raws = files.map((f) => readFileSync(join(DATA, f)));
  console.log(`machine: ${machineLine()}`);
  console.log(`data: ${raws.length} messages, ${(raws.reduce((n, r) => n + r.length, 0) / 1024 / 1024).toFixed(1)} MB`);

  const parseStart = performance.now();
  for (const raw of raws) await parseEmail(raw, { maxAttachmentBytes: 25 * 1024 * 1024, maxTextChars: 10_000 });
  const parseSeconds = (performance.now() - parseStart) / 1000;

  const dovecot = await startDovecot();
  const fresh = opts.pglite ? null : await freshDatabase('bench_email');
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-email-'));
  let database: Database | undefined;
  try {
    const appendStart = performance.now();
    const client = await dovecot.client();
    for (const raw of raws) await client.append('INBOX', raw);
    await client.logout();
    const appendSeconds = (performance.now() - appendStart) / 1000;

    database = await openDatabase(fresh ? { databaseUrl: fresh.url, poolSize: 4 } : {});
    const config = loadConfig({
      ...(fresh ? { DATABASE_URL: fresh.url } : {}),
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      PORT: '0',
      DATA_DIR: dataDir,
    });
    const log = pino({ level: 'warn' }, pino.destination(2)) as unknown as FastifyBaseLogger;
    const root = await createRoot(config, database, log);
    const [inbox] = await root.db
      .insert(inboxes)
      .values({
        name: 'Bench mail',
        channel: 'email',
        settings: {
          address: 'support@bench.example',
          imap: {
            host: dovecot.host,
            port: dovecot.port,
            secure: false,
            allowPlaintext: true, // the test's Dovecot speaks no TLS
            user: dovecot.user,
            password: dovecot.password,
          },
          smtp: { host: '127.0.0.1', port: 25, secure: false },
        },
      })
      .returning();
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
        leaseTtlMs: 30_000,
        backoffMs: { initial: 1000, max: 5000 },
        pollMs: 60_000,
        maxTextChars: config.messageMaxChars,
      },
    );
    const start = performance.now();
    await channel.refresh();
    for (;;) {
      const [row] = await root.db
        .select({ lastUid: emailMailboxes.lastUid })
        .from(emailMailboxes)
        .where(eq(emailMailboxes.inboxId, inbox!.id));
      if (row && row.lastUid >= raws.length) break;
      await sleep(20);
    }
    const seconds = (performance.now() - start) / 1000;
    await channel.stop();
    const [counts] = rowsOf<{ conversations: number; messages: number; attachments: number; marked: number }>(
      await root.db.execute(sql`select
        (select count(*)::int from conversations where inbox_id = ${inbox!.id}) as conversations,
        (select count(*)::int from messages where channel = 'email') as messages,
        (select count(*)::int from attachments) as attachments,
        (select count(*)::int from messages
          where jsonb_array_length(coalesce(metadata->'markers', '[]'::jsonb)) > 0) as marked`),
    );
    console.log(
      `database: ${fresh ? 'PostgreSQL' : 'PGlite (embedded)'}; ` +
        `APPEND of the mailbox took ${appendSeconds.toFixed(1)} s (not measured below)`,
    );
    console.log(
      table(
        ['stage', 'messages', 'seconds', 'msg/s'],
        [
          [
            'Dovecot mailbox -> committed conversations',
            raws.length,
            seconds.toFixed(2),
            (raws.length / seconds).toFixed(1),
          ],
          [
            'parse only (mailparser + sanitize, no IMAP, no DB)',
            raws.length,
            parseSeconds.toFixed(2),
            (raws.length / parseSeconds).toFixed(1),
          ],
        ],
      ),
    );
    console.log(
      `stored: ${counts!.messages} messages in ${counts!.conversations} conversations ` +
        `(threading by References/In-Reply-To), ${counts!.attachments} attachments, ` +
        `${counts!.marked} messages with a marker (mailing-list mail is marked automated)`,
    );
    console.log(`machine after: ${machineLine()}`);
  } finally {
    await database?.close();
    await fresh?.drop();
    await dovecot.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
