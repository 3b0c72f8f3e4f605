import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { inboxes } from '../../drizzle/schema/index.ts';
import { processHolder, SecretUnreadableError, type IngestDeps, type InboxSecrets } from '../../server/channel-port.ts';
import type { ChannelAdapter } from '../types.ts';
import type { EmailPayload } from './adapter.ts';
import { commitMail, prepareMail } from './inbound.ts';
import { MailboxWorker, type MailboxWorkerOptions, type WorkerState } from './imap-poller.ts';
import { EMAIL_SECRET_PATHS, parseEmailSettings, type EmailSettings } from './settings.ts';

export type EmailChannelOptions = Omit<MailboxWorkerOptions, 'batchSize' | 'maxMessageBytes'> & {
  batchSize?: number;
  maxMessageBytes?: number;
  maxTextChars: number;
};

export type MailboxStatus = { state: WorkerState; lastError: string | null };

export type EmailReaders = {
  /** Starts, restarts or stops the mailbox readers to match the email inboxes in the database. */
  refresh(): Promise<void>;
  status(inboxId: string): MailboxStatus | null;
  stop(): Promise<void>;
};

/**
 * The inbound half of the email channel inside one server process: one MailboxWorker per email inbox
 * with valid settings. Every process runs this; the per-mailbox lease decides which one reads.
 */
export function createEmailReaders(
  deps: IngestDeps & { adapter: ChannelAdapter<EmailPayload>; log: FastifyBaseLogger; secrets: InboxSecrets },
  options: EmailChannelOptions,
): EmailReaders {
  // Unique per channel instance: two servers in one process (tests) must compete like two processes.
  const holder = `${processHolder}:email:${randomUUID().slice(0, 8)}`;
  const workers = new Map<string, { worker: MailboxWorker; key: string }>();
  let stopped = false;
  let refreshing: Promise<void> = Promise.resolve();

  const startWorker = (inboxId: string, settings: EmailSettings, key: string) => {
    const worker = new MailboxWorker(
      inboxId,
      settings,
      deps.db,
      async (raw, context) => {
        const mailDeps = { ...deps, maxTextChars: options.maxTextChars };
        const prepared = await prepareMail(mailDeps, settings, raw, { ...context, mailbox: settings.imap.mailbox });
        return async () => {
          await commitMail(mailDeps, inboxId, settings, prepared);
        };
      },
      deps.log,
      { batchSize: 10, maxMessageBytes: 50 * 1024 * 1024, ...options },
      holder,
    );
    workers.set(inboxId, { worker, key });
    worker.start();
  };

  const refreshOnce = async () => {
    if (stopped) return;
    const rows = await deps.db
      .select({ id: inboxes.id, settings: inboxes.settings })
      .from(inboxes)
      .where(eq(inboxes.channel, 'email'));
    const wanted = new Map<string, { settings: EmailSettings; key: string }>();
    for (const row of rows) {
      try {
        const settings = parseEmailSettings(deps.secrets.open(row.id, row.settings, EMAIL_SECRET_PATHS));
        wanted.set(row.id, { settings, key: JSON.stringify(settings) });
      } catch (err) {
        // An email inbox without (valid) IMAP settings is stored and readable, just not polled. A password that
        // does not open (another key, or copied from another inbox) is said, without the value.
        if (err instanceof SecretUnreadableError)
          deps.log.warn({ inboxId: row.id, reason: err.message }, 'email inbox password unreadable: not polled');
      }
    }
    for (const [inboxId, { worker, key }] of workers) {
      if (wanted.get(inboxId)?.key !== key) {
        workers.delete(inboxId);
        await worker.stop();
      }
    }
    for (const [inboxId, { settings, key }] of wanted) {
      if (!workers.has(inboxId) && !stopped) startWorker(inboxId, settings, key);
    }
  };

  return {
    refresh() {
      refreshing = refreshing.then(refreshOnce, refreshOnce);
      return refreshing;
    },
    status(inboxId) {
      const entry = workers.get(inboxId);
      return entry ? { state: entry.worker.state, lastError: entry.worker.lastError } : null;
    },
    async stop() {
      stopped = true;
      await refreshing.catch(() => {});
      await Promise.all([...workers.values()].map(({ worker }) => worker.stop()));
      workers.clear();
    },
  };
}
