import { eq } from 'drizzle-orm';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.ts';
import type { Database, Db } from './db/client.ts';
import { instanceSettings } from '../drizzle/schema/index.ts';
import type { Art30Inbox, Art30Part } from '../channels/types.ts';
import type { Translate } from '../web/i18n/index.ts';
import {
  adaptersOf,
  art30Of,
  channelModules,
  createChannels,
  recordingProvidersOf,
  secretSettingsOf,
  type Adapters,
  type ChannelModules,
  type Channels,
} from '../channels/registry.ts';
import type { ChannelPort } from './channel-port.ts';
import { DomainEventBus } from './domain/events.ts';
import { createInboxNameCache, type InboxNameCache } from './domain/inbox-names.ts';
import { ingest } from './domain/ingest.ts';
import { consentEvidence, recordConsent } from './privacy/consent.ts';
import { consentNotices, type ConsentNotice, type ConsentNotices } from './privacy/notice.ts';
import { registerNotice } from './privacy/notice-texts.ts';
import { publishMessageUpdate } from './domain/message-updates.ts';
import { createLocalBlobStore } from './blobs/store.ts';
import { createEncryptedBlobStore, type EncryptedBlobStore } from './blobs/encrypted.ts';
import { blobOwners } from './blobs/owners.ts';
import { createFileKeyStore, keyStorePath } from './security/key-store.ts';
import { bindIdentityKeys } from './domain/identity-address.ts';
import { createDataKeys, masterKeyIdOfStore, type DataKeys } from './security/data-keys.ts';
import { openBlindIndex, type BlindIndex } from './security/blind-index.ts';
import type { RecordingProviders } from './privacy/recording-providers.ts';
import { getPolicies, recordingDeleteAfter } from './privacy/retention.ts';
import { currentAgent } from './plugins/auth.ts';
import { createVisitorTokens, randomToken, type VisitorTokens } from './security/tokens.ts';
import { assertKeysCover, KeyError, openKeyProvider, type KeyProvider } from './security/keys.ts';
import {
  createSecretBox,
  isSealed,
  secretContext,
  SecretUnreadableError,
  type SecretBox,
} from './security/secret-box.ts';
import { inboxSecrets, sealPlaintextSecrets, secretKeyIds, type InboxSecrets } from './security/stored-secrets.ts';
import { createBotRunner, type BotRunner } from './bot/runner.ts';
import { every } from './jobs/runner.ts';
import { createVisitorDesk } from './domain/visitor-desk.ts';
import { createOutbound } from './http/outbound.ts';
import { anchorPath, createAuditAnchor, type AuditAnchor } from './privacy/audit-anchor.ts';
import { createFileLinks, type FileLinks } from './domain/uploads-links.ts';
import { uploadBodyLimit } from './domain/uploads.ts';
import { createErasedSubjects, erasedSubjectsPath, type ErasedSubjects } from './privacy/erased-subjects.ts';
import type { WebhookDeps } from './webhooks/deliveries.ts';

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
  /** Files, encrypted with the data keys of the people they belong to. */
  blobs: EncryptedBlobStore;
  /** The per-person data keys (server/security/data-keys.ts), kept in DATA_DIR/keys. */
  dataKeys: DataKeys;
  /** Keyed tokens of encrypted values that must stay findable (server/security/blind-index.ts). */
  blindIndex: BlindIndex;
  inboxNames: InboxNameCache;
  visitorTokens: VisitorTokens;
  /** Seals and opens the secrets in inbox settings under the master key (the channels' ChannelPort.secrets). */
  secrets: InboxSecrets;
  adapters: Adapters;
  /** Where provider-side copies (call recordings) are deleted; each channel module contributes its own. */
  recordingProviders: RecordingProviders;
  /** What the channels add to the Art. 30 record for these inboxes (server/privacy/record.ts lists it). */
  art30: (inboxes: Art30Inbox[], t?: Translate) => Art30Part;
  /** The widget's consent notice for this configuration (controller, privacy policy, statistics). */
  notice: ConsentNotice;
  /** The same notice in each language (its own text, hash and version per language). */
  notices: ConsentNotices;
  /** New chat conversations start with the bot while it is enabled (IngestDeps.chatOpenStatus). */
  chatOpenStatus: () => 'bot' | 'open';
  bot: BotRunner;
  /** The running channels by module name; the server mounts, starts and stops them through the registry. */
  channels: Channels;
  /** Signs the audit log's head into DATA_DIR/audit-anchor.jsonl (a job of server/server.ts calls flush). */
  auditAnchor: AuditAnchor;
  /** Signed expiring links to stored files (the widget's images and downloads, SMS without MMS). */
  fileLinks: FileLinks;
  /** The time, for everything that computes a deadline (the request desk): tests pass their own. */
  clock: () => Date;
  /** Erased subjects (keyed hashes, DATA_DIR/erased-subjects.jsonl) and the scrub of erased text from disk. */
  erasedSubjects: ErasedSubjects & { scrub(): Promise<void> };
  /** Outgoing webhooks: their secrets are sealed with the master key, deliveries go through the outbound guard. */
  webhooks: WebhookDeps;
}>;

export type RootOptions = {
  /** The channel modules to build (tests add a fake fifth one); config.channels holds their parsed settings. */
  modules?: ChannelModules;
  /** The master keys (an external KMS, see server/security/keys.ts); ENCRYPTION_KEY or the key file by default. */
  keys?: KeyProvider;
  /** The time (a test moves it to reach a deadline); the system clock by default. */
  clock?: () => Date;
};

/**
 * The token secret lives in the database so every server process signs and checks alike, encrypted under the
 * master key: reading the database is not enough to forge a visitor's token.
 */
async function instanceSecret(db: Db, box: SecretBox, keySource: string, key: string): Promise<string> {
  const context = secretContext.instanceSetting(key);
  await db
    .insert(instanceSettings)
    .values({ key, value: box.seal(randomToken(48), context) })
    .onConflictDoNothing();
  const [row] = await db.select().from(instanceSettings).where(eq(instanceSettings.key, key));
  if (!isSealed(row!.value)) return row!.value;
  try {
    return box.open(row!.value, context);
  } catch (err) {
    // Another server, with a key of its own, created the secret first (both started on an empty database).
    if (err instanceof SecretUnreadableError)
      throw new KeyError(keySource, `cannot open ${key}: every server of an installation needs the same key`);
    throw err;
  }
}

export async function createRoot(
  config: Config,
  database: Database,
  log: FastifyBaseLogger,
  options: RootOptions = {},
): Promise<AppRoot> {
  const modules = options.modules ?? channelModules;
  const clock = options.clock ?? (() => new Date());
  const db = database.db;
  // The keys first: a server without the installation's key stops here, before it writes anything.
  const secretPaths = secretSettingsOf(modules);
  const inUse = await secretKeyIds(db, secretPaths);
  // The key store's data keys are wrapped by the master key too: a server given another key must not start.
  const keyStore = createFileKeyStore(keyStorePath(config.dataDir));
  const wrappedUnder = await masterKeyIdOfStore(keyStore);
  if (wrappedUnder) inUse.add(wrappedUnder);
  const keys = options.keys ?? openKeyProvider(config, inUse);
  assertKeysCover(keys, inUse);
  const box = createSecretBox(keys);
  await sealPlaintextSecrets(db, box, secretPaths);
  const secrets = inboxSecrets(box);
  const visitorTokens = createVisitorTokens(await instanceSecret(db, box, keys.source, 'visitor_token_secret'));
  const events = new DomainEventBus();
  events.onError((err) => log.error({ err }, 'domain event subscriber failed'));
  const inboxNames = createInboxNameCache(db);
  const dataKeys = createDataKeys(keys, keyStore);
  const blindIndex = await openBlindIndex(dataKeys);
  bindIdentityKeys(db, { dataKeys, blindIndex });
  const blobs = createEncryptedBlobStore(createLocalBlobStore(join(config.dataDir, 'blobs')), dataKeys, blobOwners(db));
  // Channels only ingest non-chat messages, which always open as 'open': the bot gate is the widget's concern.
  const ingestDeps = { db, events, inboxNames, blobs, dataKeys };
  const notices = consentNotices(config);
  const notice = notices.en;
  for (const each of Object.values(notices)) await registerNotice(db, each);
  const fileLinks = createFileLinks(keys, config.publicUrl, config.fileLinkTtlHours);
  const outbound = createOutbound({ allowHosts: config.outboundAllowHosts });

  // The widget's visitor operations for the chat channel's routes. They need the chat adapter and the bot's
  // open status, which exist only once the channels are built from this port: both are read when a request
  // arrives (after createRoot returned), never while building.
  const visitors = createVisitorDesk({
    db,
    events,
    dataKeys,
    inboxNames,
    blobs,
    visitorTokens,
    config: { messageMaxChars: config.messageMaxChars, uploads: config.uploads },
    fileLinks,
    notice,
    notices,
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
    dataKeys,
    log,
    clock,
    publicUrl: config.publicUrl,
    messageMaxChars: config.messageMaxChars,
    outbound,
    ingest: (message) => ingest(ingestDeps, message),
    // The one consent writer: commits, then publishes consent.changed (dashboards re-query).
    recordConsent: (consent) =>
      recordConsent({ db, events, dataKeys }, { ...consent, actor: { kind: 'system', id: null } }),
    consentEvidence: (contactId, purpose) => consentEvidence({ db, dataKeys }, contactId, purpose),
    publishMessageUpdate: (messageId) => publishMessageUpdate({ db, events, dataKeys }, messageId),
    retention: {
      // The injected clock, as the sweep uses: a test (or a replay) decides which policy is in force.
      recordingDeleteAfter: (recordedAt) => recordingDeleteAfter(db, recordedAt, clock()),
      async recordingRetainDays() {
        const policy = (await getPolicies(db, clock())).find((p) => p.dataClass === 'recordings')!.inForce;
        return policy.enabled ? policy.retainDays : null;
      },
    },
    visitors,
    fileLinks,
    uploadBodyLimit: uploadBodyLimit(config.uploads, config.messageMaxChars),
    secrets,
    verifyVisitorToken: (token) => visitorTokens.verify(token),
    currentAgentId: (request) => currentAgent(request).id,
    every: (name, intervalMs, task) => every(name, intervalMs, log, task),
  };
  const channels = createChannels(port, config.channels, modules);
  const adapters = adaptersOf(channels);
  // The bot answers through the adapters; new chat conversations ask it whether they start with it.
  const bot = createBotRunner({ db, events, adapters, messageMaxChars: config.messageMaxChars, dataKeys }, log, {
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
    dataKeys,
    blindIndex,
    inboxNames,
    visitorTokens,
    secrets,
    adapters,
    recordingProviders: recordingProvidersOf(channels),
    art30: (inboxes: Art30Inbox[], t?: Translate) => art30Of(config.channels, inboxes, modules, t),
    notice,
    notices,
    chatOpenStatus: () => bot.openStatus(),
    bot,
    channels,
    fileLinks,
    clock,
    webhooks: { db, box, outbound, clock, log, dataKeys },
    auditAnchor: createAuditAnchor({ db, keys, path: anchorPath(config.dataDir) }),
    erasedSubjects: createErasedSubjects(
      { db, keys, path: erasedSubjectsPath(config.dataDir), schedule: config.erasureScrub },
      (err) => log.error({ err }, 'erasure scrub failed'),
    ),
  });
}
