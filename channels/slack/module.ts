import { buffer } from 'node:stream/consumers';
import type { ChannelPort } from '../../server/channel-port.ts';
import type { Art30Inbox, Art30Part } from '../types.ts';
import type { Translate } from '../../web/i18n/index.ts';
import {
  ChannelConfigError,
  processorPlace,
  type ChannelInstance,
  type ChannelModule,
  type Env,
  type ProcessorPlace,
} from '../module.ts';
import { createSlackAdapter } from './adapter.ts';
import { createCustomerDm, type CustomerDm } from './customer-dm.ts';
import { createSlackClient, startSlackChannel, type SlackChannel } from './channel.ts';
import { SlackConfigError, slackConfigFromEnv, type SlackConfig } from './config.ts';
import { slackRoutes } from './routes.ts';

export type SlackInstance = ChannelInstance<'slack'> & {
  adapters: { slack: ReturnType<typeof createSlackAdapter> | null };
  /** Downloads files still pending and forgets old event ids (run every 30 s); 0 when Slack is off. */
  sweep(): Promise<number>;
  /** Direct messages outside any conversation (a request page's one-time code); null when Slack is off. */
  customerDm: CustomerDm | null;
};

/** Its settings when Slack is on, and where Slack processes the data (SLACK_PROCESSOR_COUNTRY, ...). */
export type SlackModuleConfig = (SlackConfig & { place: ProcessorPlace }) | null;

function slackConfig(env: Env): SlackModuleConfig {
  try {
    const config = slackConfigFromEnv(env);
    if (!config) return null;
    const place = processorPlace(env, 'SLACK', {
      country: 'USA',
      transferBasis: 'EU-US Data Privacy Framework (Slack Technologies, LLC is certified); SCCs in Slack’s DPA',
    });
    return { ...config, place };
  } catch (err) {
    if (err instanceof SlackConfigError) throw new ChannelConfigError(err.variable, err.message);
    throw err;
  }
}

function createSlack(port: ChannelPort, config: SlackConfig | null): SlackInstance {
  const client = config ? createSlackClient(config, port.outbound) : null;
  const adapter =
    config && client
      ? createSlackAdapter({
          signingSecret: config.signingSecret,
          channelIds: config.channelIds,
          apiUrl: config.apiUrl,
          client,
          readBlob: async (blobId) => buffer(await port.blobs.get(blobId)),
        })
      : null;
  let running: SlackChannel | null = null;
  let stopJob = () => {};
  return {
    adapters: { slack: adapter },
    customerDm: client ? createCustomerDm(client) : null,
    routes: { prefix: '/slack', plugin: slackRoutes(() => running) },
    sweep: async () => (running ? running.sweep() : 0),
    async start() {
      if (!config || !client || !adapter) return;
      running = await startSlackChannel({
        config,
        client,
        adapter,
        db: port.db,
        events: port.events,
        inboxNames: port.inboxNames,
        dataKeys: port.dataKeys,
        blobs: port.blobs,
        outbound: port.outbound,
        log: port.log,
        onFilesStored: (messageId) => port.publishMessageUpdate(messageId),
      });
      const slack = running;
      stopJob = port.every('slack-files', 30_000, () => slack.sweep());
    },
    async stop() {
      stopJob();
      await running?.stop();
    },
  };
}

/** Slack is a processor while the app is configured (SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN); else nothing. */
function slackArt30(config: SlackModuleConfig, inboxes: Art30Inbox[], t: Translate): Art30Part {
  return {
    processors: config
      ? [
          {
            name: 'Slack Technologies, LLC',
            role: t('channels.slack.role'),
            channels: ['slack'],
            ...config.place,
            listedBecause: t('channels.slack.listedBecause'),
          },
        ]
      : [],
    activities: [],
    inboxes: Object.fromEntries(inboxes.map((i) => [i.id, config ? t('channels.slack.inbox') : null])),
  };
}

/** Slack: the Events API in (signed), chat.postMessage out; on when SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are. */
export const slackChannel = {
  kinds: ['slack'],
  config: slackConfig,
  create: createSlack,
  art30: slackArt30,
} satisfies ChannelModule<'slack', SlackModuleConfig, SlackInstance>;
