import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { App, LogLevel, webApi, type Logger } from '@slack/bolt';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../server/channel-port.ts';
import type { BlobStore } from '../../server/channel-port.ts';
import type { DomainEventBus } from '../../server/channel-port.ts';
import type { InboxNameCache } from '../../server/channel-port.ts';
import type { Outbound } from '../../server/channel-port.ts';
import type { ChannelPort } from '../../server/channel-port.ts';
import { ingest, storableInbound, storableText, storableValue } from '../../server/channel-port.ts';
import { inboxes, instanceSettings, slackEvents, slackFiles } from '../../drizzle/schema/index.ts';
import type { ChannelAdapter } from '../types.ts';
import type { SlackConfig } from './config.ts';
import type { SlackEventCallback, SlackMessageEvent } from './payloads.ts';
import { acceptedMessage, downloadableFiles } from './parse.ts';
import { recordSlackEmail, resolveSlackSender } from './contacts.ts';
import { fetchDueFiles, fileRows, forgetOldEvents } from './files.ts';
import { SlackRequestReceiver } from './receiver.ts';

/** The Web API options of every client (ours and Bolt's): through the outbound guard, only to SLACK_API_URL. */
export function slackClientOptions(config: SlackConfig, outbound: Outbound): webApi.WebClientOptions {
  return {
    slackApiUrl: config.apiUrl,
    // Connections are checked (server/http/outbound.ts); calls never go to an absolute URL another host names.
    agent: outbound.agentFor(config.apiUrl),
    allowAbsoluteUrls: false,
    requestInterceptor: (request) => ({ ...request, maxContentLength: outbound.apiMaxBytes, maxRedirects: 0 }),
  };
}

/** The Web API client every Slack call goes through (users.info, chat.postMessage). */
export function createSlackClient(config: SlackConfig, outbound: Outbound): webApi.WebClient {
  return new webApi.WebClient(config.botToken, {
    ...slackClientOptions(config, outbound),
    // A reply is retried by the delivery sweep with its own backoff; the client must not sit on an
    // agent's request for minutes retrying by itself.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  });
}

export type SlackChannelDeps = {
  config: SlackConfig;
  client: webApi.WebClient;
  adapter: ChannelAdapter<SlackEventCallback>;
  db: Db;
  events: DomainEventBus;
  inboxNames: InboxNameCache;
  dataKeys: ChannelPort['dataKeys'];
  blobs: BlobStore;
  outbound: Outbound;
  log: FastifyBaseLogger;
  /** Tells the inbox a message gained attachments (see server wiring). */
  onFilesStored?: (messageId: string) => Promise<void>;
};

export type SlackChannel = {
  inboxId: string;
  receiver: SlackRequestReceiver;
  /** Downloads files still pending (run by a periodic job) and forgets old event ids. */
  sweep(): Promise<number>;
  /** Waits for downloads started by requests that already returned. */
  stop(): Promise<void>;
};

/**
 * The inbox Slack conversations land in: the Slack inbox that already exists (the demo's, when Slack is turned
 * on after the demo was seeded), else one created on the first start. Its id is agreed through
 * instance_settings first, so two servers starting at once create one inbox, not two.
 */
async function ensureSlackInbox(db: Db): Promise<string> {
  const [existing] = await db
    .select({ id: inboxes.id })
    .from(inboxes)
    .where(eq(inboxes.channel, 'slack'))
    .orderBy(asc(inboxes.createdAt))
    .limit(1);
  await db
    .insert(instanceSettings)
    .values({ key: 'slack_inbox_id', value: existing?.id ?? randomUUID() })
    .onConflictDoNothing();
  const [setting] = await db.select().from(instanceSettings).where(eq(instanceSettings.key, 'slack_inbox_id'));
  await db.insert(inboxes).values({ id: setting!.value, name: 'Slack', channel: 'slack' }).onConflictDoNothing();
  return setting!.value;
}

/**
 * Bolt's log lines carry no message content, but its arguments can be payloads: keep strings and error
 * classes only.
 */
function boltLogger(log: FastifyBaseLogger): Logger {
  const safe = (args: unknown[]) =>
    args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.name : '[data]')).join(' ');
  let level = LogLevel.INFO;
  return {
    debug: () => {},
    info: (...args) => log.info({ component: 'slack' }, safe(args)),
    warn: (...args) => log.warn({ component: 'slack' }, safe(args)),
    error: (...args) => log.error({ component: 'slack' }, safe(args)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

export async function startSlackChannel(deps: SlackChannelDeps): Promise<SlackChannel> {
  const { db, client, adapter, log } = deps;
  const inboxId = await ensureSlackInbox(db);
  const receiver = new SlackRequestReceiver(adapter);
  const fileDeps = {
    db,
    blobs: deps.blobs,
    outbound: deps.outbound,
    botToken: deps.config.botToken,
    apiUrl: deps.config.apiUrl,
    onStored: deps.onFilesStored,
  };
  const inFlight = new Set<Promise<unknown>>();

  // auth.test once (who the bot is, so Bolt's ignoreSelf drops the bot's own posts); a failure is
  // not cached, so the next event tries again.
  let identity: Promise<{ botId?: string; botUserId?: string }> | undefined;
  const botIdentity = () =>
    (identity ??= client.auth.test().then(
      (r) => ({ botId: r.bot_id as string | undefined, botUserId: r.user_id }),
      (err: unknown) => {
        identity = undefined;
        throw err;
      },
    ));

  const app = new App({
    receiver,
    authorize: async () => ({ botToken: deps.config.botToken, ...(await botIdentity()) }),
    clientOptions: slackClientOptions(deps.config, deps.outbound),
    logger: boltLogger(log),
  });
  // Rethrown, a listener's failure makes processEvent reject: the route answers 500 and Slack retries.
  app.error(async (error) => {
    throw error;
  });

  app.event('message', async ({ body }) => {
    const callback = body as unknown as SlackEventCallback;
    if (!acceptedMessage(callback, deps.config.channelIds)) return;
    // Poison text (NUL, broken surrogates) is cleaned before any of it reaches a query: a failing event would be
    // retried by Slack forever. The message carries ingest's text_cleaned marker; ingest finds nothing left to clean.
    const eventId = storableText(callback.event_id);
    const [handled] = await db
      .select({ id: slackEvents.eventId })
      .from(slackEvents)
      .where(eq(slackEvents.eventId, eventId));
    if (handled) return; // a redelivery of an event already stored
    const [raw] = adapter.parse(callback, { inboxId });
    if (!raw) return;
    const parsed = storableInbound(raw);
    const { message, profile } = await resolveSlackSender(db, client, parsed);
    const result = await ingest(
      { db, events: deps.events, inboxNames: deps.inboxNames, dataKeys: deps.dataKeys },
      message,
    );
    await recordSlackEmail(db, result.contactId, profile);
    const files = fileRows(
      result.message.id,
      storableValue(downloadableFiles(callback.event as SlackMessageEvent, deps.config.apiUrl)),
    );
    await db.transaction(async (tx) => {
      await tx.insert(slackEvents).values({ eventId }).onConflictDoNothing();
      if (files.length) await tx.insert(slackFiles).values(files).onConflictDoNothing();
    });
    if (files.length) {
      // Not awaited: Slack's answer never waits for a download. The rows are committed, so if this
      // download fails or the server stops, the sweep fetches the files later.
      const download = fetchDueFiles(fileDeps, { messageId: result.message.id })
        .catch((err: Error) => log.error({ err: { type: err.name } }, 'slack file download failed'))
        .finally(() => inFlight.delete(download));
      inFlight.add(download);
    }
  });

  return {
    inboxId,
    receiver,
    async sweep() {
      await forgetOldEvents(db);
      return fetchDueFiles(fileDeps, { limit: 20 });
    },
    async stop() {
      await Promise.allSettled([...inFlight]);
    },
  };
}
