import { eq } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.ts';
import type { Database, Db } from './db/client.ts';
import { instanceSettings } from '../drizzle/schema/index.ts';
import { createAdapters, type Adapters } from '../channels/registry.ts';
import { DomainEventBus } from './domain/events.ts';
import { createInboxNameCache, type InboxNameCache } from './domain/inbox-names.ts';
import { join } from 'node:path';
import { createLocalBlobStore, type BlobStore } from './blobs/store.ts';
import type { RecordingProviders } from './privacy/recording-providers.ts';
import { createVisitorTokens, randomToken, type VisitorTokens } from './security/tokens.ts';
import { createMailSender, type MailSender } from '../channels/email/smtp.ts';
import { createEmailStore } from '../channels/email/adapter.ts';
import type { EmailChannel } from '../channels/email/channel.ts';
import { createSlackClient, startSlackChannel, type SlackChannel } from '../channels/slack/channel.ts';
import { publishMessageUpdate } from './domain/message-updates.ts';
import { createTwilioAccounts, type TwilioAccounts } from '../channels/twilio/accounts.ts';
import { isOptedOut } from '../channels/twilio/opt-outs.ts';
import { TWILIO_PROVIDER, createTwilioRecordingProvider } from '../channels/twilio/recordings.ts';
import type { Art30Activity, Art30Processor } from '../channels/types.ts';

// What the channels add to the Art. 30 record (server/privacy/record.ts). Until the channel modules declare
// their own (issue 13, channel helper), their entries sit here.
const channelArt30: { processors: Art30Processor[]; activities: Art30Activity[] } = {
  processors: [
    {
      name: 'Twilio Inc.',
      role: 'SMS and voice delivery, call recording (deleted at Twilio on schedule)',
      channels: ['sms', 'voice'],
      location: 'USA (EU-US Data Privacy Framework / SCCs)',
    },
    {
      name: 'Slack Technologies, LLC',
      role: 'Messaging in shared Slack channels',
      channels: ['slack'],
      location: 'USA (EU-US Data Privacy Framework / SCCs)',
    },
    {
      name: 'The mailbox provider of the configured IMAP/SMTP account',
      role: 'Email transport and storage',
      channels: ['email'],
      location: 'as configured',
    },
  ],
  activities: [
    {
      name: 'Call recording',
      purpose: 'Recording voicemails and calls to handle the request',
      legalBasis:
        'Art. 6(1)(a) GDPR: consent announced at the start of each call and recorded with the call as evidence',
      dataSubjects: ['callers'],
      dataCategories: ['recording', 'identifier'],
      recipients: ['support agents', 'Twilio Inc.'],
      retentionClass: 'recordings',
      channels: ['voice'],
    },
  ],
};

/** Everything a route, socket handler or job needs, built once per server process. */
export type Services = {
  config: Config;
  database: Database;
  db: Db;
  events: DomainEventBus;
  adapters: Adapters;
  inboxNames: InboxNameCache;
  visitorTokens: VisitorTokens;
  blobs: BlobStore;
  /** Where provider-side copies (call recordings) are deleted; channels register theirs. */
  recordingProviders: RecordingProviders;
  /** The Twilio number (credentials, settings) of each sms/voice inbox. */
  twilioAccounts: TwilioAccounts;
  /** Set by the bot runner: new chat conversations start with the bot while it is enabled. */
  chatOpenStatus: () => 'bot' | 'open';
  /** SMTP transports of the email inboxes (closed with the server). */
  mailSender: MailSender;
  /** The IMAP readers of this process (channels/email/channel.ts); set by the server once they run. */
  emailReaders: Pick<EmailChannel, 'refresh' | 'status'>;
  /** The Slack app (channels/slack), when configured. */
  slack: SlackChannel | null;
  /** What the channels add to the Art. 30 record. */
  art30: { processors: Art30Processor[]; activities: Art30Activity[] };
};

/** The token secret lives in the database so every server process signs and checks alike. */
async function instanceSecret(db: Db, key: string): Promise<string> {
  await db
    .insert(instanceSettings)
    .values({ key, value: randomToken(48) })
    .onConflictDoNothing();
  const [row] = await db.select().from(instanceSettings).where(eq(instanceSettings.key, key));
  return row!.value;
}

export async function createServices(config: Config, database: Database, log: FastifyBaseLogger): Promise<Services> {
  const db = database.db;
  const visitorTokens = createVisitorTokens(await instanceSecret(db, 'visitor_token_secret'));
  const events = new DomainEventBus();
  events.onError((err) => log.error({ err }, 'domain event subscriber failed'));
  const mailSender = createMailSender();
  const slackClient = config.slack ? createSlackClient(config.slack) : null;
  const twilioAccounts = createTwilioAccounts(db, config.twilio);
  const adapters = createAdapters({
    verifyToken: (token) => visitorTokens.verify(token),
    emailStore: createEmailStore(db),
    mailSender,
    twilio: {
      isOptedOut: (number, phone) => isOptedOut(db, number, phone),
      twilio: config.twilio,
      accounts: twilioAccounts,
      publicUrl: config.publicUrl,
    },
    ...(config.slack && slackClient
      ? {
          slack: {
            signingSecret: config.slack.signingSecret,
            channelIds: config.slack.channelIds,
            client: slackClient,
          },
        }
      : {}),
  });
  const inboxNames = createInboxNameCache(db);
  const blobs = createLocalBlobStore(join(config.dataDir, 'blobs'));
  const slack =
    config.slack && slackClient && adapters.slack
      ? await startSlackChannel({
          config: config.slack,
          client: slackClient,
          adapter: adapters.slack,
          db,
          events,
          inboxNames,
          blobs,
          log,
          onFilesStored: (messageId) => publishMessageUpdate({ db, events }, messageId),
        })
      : null;
  return {
    config,
    database,
    db,
    events,
    adapters,
    inboxNames,
    visitorTokens,
    blobs,
    recordingProviders: new Map([[TWILIO_PROVIDER, createTwilioRecordingProvider(db, config.twilio, twilioAccounts)]]),
    twilioAccounts,
    chatOpenStatus: () => 'open',
    mailSender,
    emailReaders: { refresh: async () => {}, status: () => null },
    slack,
    art30: channelArt30,
  };
}
