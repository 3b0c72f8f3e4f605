import type { ChannelPort } from '../../server/channel-port.ts';
import { ChannelConfigError, type ChannelInstance, type ChannelModule, type Env } from '../module.ts';
import { createSlackAdapter } from './adapter.ts';
import { createSlackClient, startSlackChannel, type SlackChannel } from './channel.ts';
import { SlackConfigError, slackConfigFromEnv, type SlackConfig } from './config.ts';
import { slackRoutes } from './routes.ts';

export type SlackInstance = ChannelInstance<'slack'> & {
  adapters: { slack: ReturnType<typeof createSlackAdapter> | null };
  /** Downloads files still pending and forgets old event ids (run every 30 s); 0 when Slack is off. */
  sweep(): Promise<number>;
};

function slackConfig(env: Env): SlackConfig | null {
  try {
    return slackConfigFromEnv(env) ?? null;
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
        })
      : null;
  let running: SlackChannel | null = null;
  let stopJob = () => {};
  return {
    adapters: { slack: adapter },
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

/** Slack: the Events API in (signed), chat.postMessage out; on when SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are. */
export const slackChannel = {
  kinds: ['slack'],
  config: slackConfig,
  create: createSlack,
  art30: {
    processors: [
      {
        name: 'Slack Technologies, LLC',
        role: 'Messaging in shared Slack channels',
        channels: ['slack'],
        location: 'USA (EU-US Data Privacy Framework / SCCs)',
      },
    ],
    activities: [],
  },
} satisfies ChannelModule<'slack', SlackConfig | null, SlackInstance>;
