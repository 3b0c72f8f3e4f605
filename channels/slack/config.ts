/**
 * The Slack app's settings, from the environment (validated at start-up with the rest of the config).
 * Slack is on when both the signing secret and the bot token are set, off when neither is.
 */
export type SlackConfig = {
  signingSecret: string;
  /** The bot user OAuth token (xoxb-...), from the app's "OAuth & Permissions" page. */
  botToken: string;
  /** Channel ids whose messages become conversations; direct messages to the app always do. */
  channelIds: string[];
  /** The Web API base URL; only changed for tests or an egress proxy. */
  apiUrl: string;
};

export class SlackConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(reason);
  }
}

type Env = Record<string, string | undefined>;

const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;

export function slackConfigFromEnv(env: Env): SlackConfig | undefined {
  const signingSecret = env.SLACK_SIGNING_SECRET || undefined;
  const botToken = env.SLACK_BOT_TOKEN || undefined;
  if (!signingSecret && !botToken) return undefined;
  if (!signingSecret) throw new SlackConfigError('SLACK_SIGNING_SECRET', 'must be set when SLACK_BOT_TOKEN is');
  if (!botToken) throw new SlackConfigError('SLACK_BOT_TOKEN', 'must be set when SLACK_SIGNING_SECRET is');
  if (!botToken.startsWith('xoxb-')) throw new SlackConfigError('SLACK_BOT_TOKEN', 'must be a bot token (xoxb-...)');
  const channelIds = (env.SLACK_CHANNELS ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  const bad = channelIds.find((id) => !CHANNEL_ID.test(id));
  if (bad !== undefined)
    throw new SlackConfigError('SLACK_CHANNELS', `must be comma-separated channel ids (C0123ABCD), got "${bad}"`);
  let apiUrl = env.SLACK_API_URL || 'https://slack.com/api/';
  try {
    const parsed = new URL(apiUrl);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error();
  } catch {
    throw new SlackConfigError('SLACK_API_URL', 'is not a valid http(s) URL');
  }
  if (!apiUrl.endsWith('/')) apiUrl += '/';
  return { signingSecret, botToken, channelIds, apiUrl };
}
