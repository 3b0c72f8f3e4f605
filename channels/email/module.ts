import type { ChannelPort } from '../../server/channel-port.ts';
import type { ChannelInstance, ChannelModule } from '../module.ts';
import { createEmailAdapter, createEmailStore } from './adapter.ts';
import { emailInboxRoutes } from './admin-routes.ts';
import { createEmailReaders, type EmailReaders } from './channel.ts';
import { emailConfigFromEnv, type EmailConfig } from './config.ts';
import { applyEnvEmailInbox } from './env-inbox.ts';
import { createMailSender } from './smtp.ts';
import { EMAIL_SECRET_PATHS } from './settings.ts';

/** The running email channel; `refresh` and `status` are its mailbox readers' (no-ops when IMAP is off). */
export type EmailInstance = ChannelInstance<'email'> & {
  adapters: { email: ReturnType<typeof createEmailAdapter> };
} & Pick<EmailReaders, 'refresh' | 'status'>;

function createEmail(port: ChannelPort, config: EmailConfig): EmailInstance {
  const mailSender = createMailSender();
  const adapter = createEmailAdapter({ emailStore: createEmailStore(port.db, port.secrets), mailSender });
  const readers = createEmailReaders(
    {
      db: port.db,
      events: port.events,
      inboxNames: port.inboxNames,
      blobs: port.blobs,
      adapter,
      log: port.log,
      secrets: port.secrets,
    },
    {
      leaseTtlMs: config.leaseSeconds * 1000,
      backoffMs: { initial: 1000, max: config.reconnectMaxSeconds * 1000 },
      pollMs: 5 * 60_000,
      maxTextChars: port.messageMaxChars,
    },
  );
  // With EMAIL_IMAP_ENABLED=false this process reads no mailbox: the readers are never refreshed.
  const active: Pick<EmailReaders, 'refresh' | 'status'> = config.imapEnabled
    ? readers
    : { refresh: async () => {}, status: () => null };
  let stopJob = () => {};
  return {
    adapters: { email: adapter },
    routes: {
      prefix: '/inboxes',
      plugin: emailInboxRoutes({ db: port.db, inboxNames: port.inboxNames, secrets: port.secrets, readers: active }),
    },
    refresh: () => active.refresh(),
    status: (inboxId) => active.status(inboxId),
    async start() {
      if (config.envInbox) await applyEnvEmailInbox(port.db, port.secrets, config.envInbox);
      await active.refresh();
      // Inboxes added or changed by another server process are picked up here; this process's own API calls
      // refresh at once.
      stopJob = port.every('email-inboxes', 30_000, () => active.refresh());
    },
    async stop() {
      stopJob();
      await readers.stop();
      mailSender.close();
    },
  };
}

/** Email: IMAP in (one reader per mailbox, a lease picks the process), SMTP out; admins configure inboxes. */
export const emailChannel = {
  kinds: ['email'],
  config: emailConfigFromEnv,
  create: createEmail,
  secretSettings: { email: EMAIL_SECRET_PATHS },
  art30: {
    processors: [
      {
        name: 'The mailbox provider of the configured IMAP/SMTP account',
        role: 'Email transport and storage',
        channels: ['email'],
        location: 'as configured',
      },
    ],
    activities: [],
  },
} satisfies ChannelModule<'email', EmailConfig, EmailInstance>;
