import { buffer } from 'node:stream/consumers';
import type { ChannelPort } from '../../server/channel-port.ts';
import type { Art30Inbox, Art30Part } from '../types.ts';
import type { Translate } from '../../web/i18n/index.ts';
import { processorPlace, type ChannelInstance, type ChannelModule, type Env, type ProcessorPlace } from '../module.ts';
import { createEmailAdapter, createEmailStore } from './adapter.ts';
import { emailInboxRoutes } from './admin-routes.ts';
import { createEmailReaders, type EmailReaders } from './channel.ts';
import { emailConfigFromEnv, type EmailConfig } from './config.ts';
import { applyEnvEmailInbox } from './env-inbox.ts';
import { createMailSender } from './smtp.ts';
import { EMAIL_SECRET_PATHS } from './settings.ts';
import { createStaffMailer } from './staff-mail.ts';

/** The running email channel; `refresh` and `status` are its mailbox readers' (no-ops when IMAP is off). */
export type EmailInstance = ChannelInstance<'email'> & {
  adapters: { email: ReturnType<typeof createEmailAdapter> };
} & Pick<EmailReaders, 'refresh' | 'status'> & {
    /** Mail to a colleague (an invitation) through the first inbox that can send; false when none can. */
    sendStaffMail: ReturnType<typeof createStaffMailer>;
  };

/**
 * Its settings, and the mailbox provider as the record names it: EMAIL_PROCESSOR_NAME (default: the IMAP/SMTP
 * hosts of the connected inboxes), EMAIL_PROCESSOR_COUNTRY and EMAIL_TRANSFER_BASIS.
 */
export type EmailModuleConfig = EmailConfig & { provider: { name: string | undefined; place: ProcessorPlace } };

function emailConfig(env: Env): EmailModuleConfig {
  return {
    ...emailConfigFromEnv(env),
    provider: {
      name: env.EMAIL_PROCESSOR_NAME?.trim() || undefined,
      place: processorPlace(env, 'EMAIL', {
        country: 'not stated',
        transferBasis: 'none needed if the provider processes in the EU/EEA; otherwise state it',
      }),
    },
  };
}

const hostOf = (v: unknown) =>
  typeof v === 'object' && v !== null && typeof (v as { host?: unknown }).host === 'string'
    ? (v as { host: string }).host
    : null;

/**
 * A mailbox provider is a processor while an email inbox really connects to one (IMAP or SMTP server set, by an
 * admin or by EMAIL_IMAP_URL); an email inbox without a server (a demo inbox) connects to nothing.
 */
function emailArt30(config: EmailModuleConfig, inboxes: Art30Inbox[], t: Translate): Art30Part {
  const serversOf = (settings: Record<string, unknown>) =>
    [hostOf(settings.imap), hostOf(settings.smtp)].filter((h): h is string => h !== null);
  const envServers = config.envInbox ? serversOf(config.envInbox.settings) : [];
  const connected = inboxes.filter((i) => serversOf(i.settings).length > 0);
  const hosts = [...new Set([...envServers, ...connected.flatMap((i) => serversOf(i.settings))])].sort();
  const reasons = [
    ...(config.envInbox ? [t('channels.email.envInbox')] : []),
    ...connected.map((i) => t('channels.email.inboxServer', { name: i.name })),
  ];
  const name = config.provider.name ?? t('channels.email.unnamed', { hosts: hosts.join(', ') });
  return {
    processors:
      hosts.length > 0
        ? [
            {
              name,
              role: t('channels.email.role'),
              channels: ['email'],
              ...config.provider.place,
              listedBecause: reasons.join('; '),
            },
          ]
        : [],
    activities: [],
    inboxes: Object.fromEntries(
      inboxes.map((i) => [
        i.id,
        serversOf(i.settings).length > 0 ? `${name} (${serversOf(i.settings).join(', ')})` : null,
      ]),
    ),
  };
}

function createEmail(port: ChannelPort, config: EmailConfig): EmailInstance {
  const mailSender = createMailSender();
  const adapter = createEmailAdapter({
    emailStore: createEmailStore(port.db, port.secrets),
    mailSender,
    readBlob: async (blobId) => buffer(await port.blobs.get(blobId)),
  });
  const readers = createEmailReaders(
    {
      db: port.db,
      events: port.events,
      inboxNames: port.inboxNames,
      dataKeys: port.dataKeys,
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
    sendStaffMail: createStaffMailer(port.db, port.secrets, mailSender),
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
  config: emailConfig,
  create: createEmail,
  secretSettings: { email: EMAIL_SECRET_PATHS },
  art30: emailArt30,
} satisfies ChannelModule<'email', EmailModuleConfig, EmailInstance>;
