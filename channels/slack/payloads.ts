/**
 * The parts of Slack's Events API payloads this channel reads (https://api.slack.com/events/message).
 * Everything else Slack sends is ignored.
 */
export type SlackFile = {
  id: string;
  name?: string;
  title?: string;
  mimetype?: string;
  size?: number;
  url_private?: string;
  url_private_download?: string;
  /** Files from another organisation's workspace (Slack Connect) must be fetched through files.info first. */
  file_access?: string;
  mode?: string;
};

export type SlackMessageEvent = {
  type: 'message';
  subtype?: string;
  channel: string;
  /** 'channel' (public), 'group' (private), 'im' (direct message) or 'mpim' (group DM). */
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  team?: string;
  /** The sender's own workspace when it differs (Slack Connect). */
  user_team?: string;
  files?: SlackFile[];
  client_msg_id?: string;
};

export type SlackEventCallback = {
  type: 'event_callback';
  team_id: string;
  api_app_id?: string;
  event_id: string;
  event_time?: number;
  event: SlackMessageEvent | { type: string };
};

export type SlackUrlVerification = { type: 'url_verification'; challenge: string; token?: string };
