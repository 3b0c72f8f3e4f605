import { eq } from 'drizzle-orm';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.ts';
import type { Database, Db } from './db/client.ts';
import { instanceSettings } from '../drizzle/schema/index.ts';
import type { Art30Activity, Art30Processor } from '../channels/types.ts';
import {
  adaptersOf,
  art30Of,
  channelModules,
  createChannels,
  recordingProvidersOf,
  type Adapters,
  type ChannelModules,
  type Channels,
} from '../channels/registry.ts';
import type { ChannelPort } from './channel-port.ts';
import { DomainEventBus } from './domain/events.ts';
import { createInboxNameCache, type InboxNameCache } from './domain/inbox-names.ts';
import { ingest } from './domain/ingest.ts';
import { recordConsent } from './privacy/consent.ts';
import { publishMessageUpdate } from './domain/message-updates.ts';
import { createLocalBlobStore, type BlobStore } from './blobs/store.ts';
import type { RecordingProviders } from './privacy/recording-providers.ts';
import { getPolicies, recordingDeleteAfter } from './privacy/retention.ts';
import { currentAgent } from './plugins/auth.ts';
import { createVisitorTokens, randomToken, type VisitorTokens } from './security/tokens.ts';
import { createBotRunner, type BotRunner } from './bot/runner.ts';
import { every } from './jobs/runner.ts';
import { createVisitorDesk } from './domain/visitor-desk.ts';
import { createOutbound } from './http/outbound.ts';

/**
 * Everything the server is made of, built once per process by `createRoot` and never changed afterwards.
 * Only the composition root and server/server.ts hold it whole: every other module declares the few
 * fields it needs (as IngestDeps does) and is handed this object, which matches them structurally.
 */
export type AppRoot = Readonly<{
  config: Config;
  database: Database;
  db: Db;
  events: DomainEventBus;
  blobs: BlobStore;
  inboxNames: InboxNameCache;
  visitorTokens: VisitorTokens;
  adapters: Adapters;
  /** Where provider-side copies (call recordings) are deleted; each channel module contributes its own. */
  recordingProviders: RecordingProviders;
  /** What the channels add to the Art. 30 record (server/privacy/record.ts lists it). */
  art30: { processors: Art30Processor[]; activities: Art30Activity[] };
  /** New chat conversations start with the bot while it is enabled (IngestDeps.chatOpenStatus). */
  chatOpenStatus: () => 'bot' | 'open';
  bot: BotRunner;
  /** The running channels by module name; the server mounts, starts and stops them through the registry. */
  channels: Channels;
}>;

export type RootOptions = {
  /** The channel modules to build (tests add a fake fifth one); config.channels holds their parsed settings. */
  modules?: ChannelModules;
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

export async function createRoot(
  config: Config,
  database: Database,
  log: FastifyBaseLogger,
  options: RootOptions = {},
): Promise<AppRoot> {
  const modules = options.modules ?? channelModules;
  const db = database.db;
  const visitorTokens = createVisitorTokens(await instanceSecret(db, 'visitor_token_secret'));
  const events = new DomainEventBus();
  events.onError((err) => log.error({ err }, 'domain event subscriber failed'));
  const inboxNames = createInboxNameCache(db);
  const blobs = createLocalBlobStore(join(config.dataDir, 'blobs'));
  // Channels only ingest non-chat messages, which always open as 'open': the bot gate is the widget's concern.
  const ingestDeps = { db, events, inboxNames, blobs };

  // The widget's visitor operations for the chat channel's routes. They need the chat adapter and the bot's
  // open status, which exist only once the channels are built from this port: both are read when a request
  // arrives (after createRoot returned), never while building.
  const visitors = createVisitorDesk({
    db,
    events,
    inboxNames,
    blobs,
    visitorTokens,
    config: { messageMaxChars: config.messageMaxChars },
    adapters: {
      get chat() {
        return adapters.chat;
      },
    },
    chatOpenStatus: () => bot.openStatus(),
  });

  const port: ChannelPort = {
    db,
    events,
    blobs,
    inboxNames,
    log,
    clock: () => new Date(),
    publicUrl: config.publicUrl,
    messageMaxChars: config.messageMaxChars,
    outbound: createOutbound({ allowHosts: config.outboundAllowHosts }),
    ingest: (message) => ingest(ingestDeps, message),
    // The one consent writer: commits, then publishes consent.changed (dashboards re-query).
    recordConsent: (consent) => recordConsent({ db, events }, { ...consent, actor: { kind: 'system', id: null } }),
    publishMessageUpdate: (messageId) => publishMessageUpdate({ db, events }, messageId),
    retention: {
      recordingDeleteAfter: (recordedAt) => recordingDeleteAfter(db, recordedAt),
      async recordingRetainDays() {
        const policy = (await getPolicies(db)).find((p) => p.dataClass === 'recordings')!;
        return policy.enabled ? policy.retainDays : null;
      },
    },
    visitors,
    verifyVisitorToken: (token) => visitorTokens.verify(token),
    currentAgentId: (request) => currentAgent(request).id,
    every: (name, intervalMs, task) => every(name, intervalMs, log, task),
  };
  const channels = createChannels(port, config.channels, modules);
  const adapters = adaptersOf(channels);
  // The bot answers through the adapters; new chat conversations ask it whether they start with it.
  const bot = createBotRunner({ db, events, adapters, messageMaxChars: config.messageMaxChars }, log, {
    embedder: config.botEmbedder,
    enabled: config.botEnabled,
  });
  // Frozen: nothing is assigned after construction (a late assignment throws instead of racing the readers).
  return Object.freeze({
    config,
    database,
    db,
    events,
    blobs,
    inboxNames,
    visitorTokens,
    adapters,
    recordingProviders: recordingProvidersOf(channels),
    art30: art30Of(modules),
    chatOpenStatus: () => bot.openStatus(),
    bot,
    channels,
  });
}
