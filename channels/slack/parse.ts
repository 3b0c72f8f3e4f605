import type { InboundMessage } from '../types.ts';
import type { SlackEventCallback, SlackFile, SlackMessageEvent } from './payloads.ts';
import { threadKeyOf } from './threads.ts';
import { isSlackFileUrl } from './file-hosts.ts';

/** Message subtypes that are people writing; joins, edits, deletions, bot posts and the like are not. */
const CONVERSATIONAL_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast']);

export type SlackParseOptions = {
  inboxId: string;
  channelIds: readonly string[];
  /** SLACK_API_URL: its origin may serve files besides Slack's own hosts (file-hosts.ts). */
  apiUrl: string;
};

/** The message event in a callback, if it is one a person wrote in a channel we listen to or a DM. */
export function acceptedMessage(body: SlackEventCallback, channelIds: readonly string[]): SlackMessageEvent | null {
  const event = body.event as SlackMessageEvent;
  if (body.type !== 'event_callback' || event?.type !== 'message') return null;
  if (!CONVERSATIONAL_SUBTYPES.has(event.subtype) || event.bot_id || !event.user || !event.ts || !event.channel)
    return null;
  const isDirect = event.channel_type === 'im';
  if (!isDirect && !channelIds.includes(event.channel)) return null;
  return event;
}

/** The sender's identity address: the user id, qualified by the user's own workspace. */
export function slackAddress(team: string, user: string): string {
  return `${team}:${user}`;
}

/**
 * Slack's mrkdwn to plain text: links, mentions and the three escaped characters
 * (https://api.slack.com/reference/surfaces/formatting#escaping).
 */
export function plainText(mrkdwn: string): string {
  return mrkdwn
    .replace(/<([^<>|]+)\|([^<>]+)>/g, (_all, target: string, label: string) => {
      if (target.startsWith('#') || target.startsWith('@')) return `${target[0]}${label}`;
      if (target.startsWith('!')) return `@${label}`;
      return `${label} (${target})`;
    })
    .replace(/<([^<>]+)>/g, (_all, target: string) => (target.startsWith('!') ? `@${target.slice(1)}` : target))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

const fileName = (file: SlackFile) => file.name || file.title || file.id;

/** The URL a file is downloaded from. */
export const fileUrl = (file: SlackFile) => file.url_private_download ?? file.url_private!;

/** Files with a private URL that are not Slack Connect stubs or external links. */
function sharedFiles(event: SlackMessageEvent): SlackFile[] {
  return (event.files ?? []).filter(
    (f) =>
      f.id &&
      (f.url_private_download || f.url_private) &&
      f.mode !== 'external' &&
      f.mode !== 'tombstone' &&
      f.file_access !== 'check_file_info',
  );
}

/** Files we can fetch with the bot token: shared files whose URL is on Slack's file hosts. */
export function downloadableFiles(event: SlackMessageEvent, apiUrl: string): SlackFile[] {
  return sharedFiles(event).filter((f) => isSlackFileUrl(fileUrl(f), apiUrl));
}

/** Shared files whose URL points outside Slack: never fetched (the token would go there), noted instead. */
export function foreignFiles(event: SlackMessageEvent, apiUrl: string): SlackFile[] {
  return sharedFiles(event).filter((f) => !isSlackFileUrl(fileUrl(f), apiUrl));
}

/** Pure: one accepted Slack message event -> the normalized InboundMessage (or nothing). */
export function parseSlackEvent(body: SlackEventCallback, options: SlackParseOptions): InboundMessage[] {
  const event = acceptedMessage(body, options.channelIds);
  if (!event) return [];
  const team = event.team ?? body.team_id;
  const isDirect = event.channel_type === 'im';
  const files = sharedFiles(event);
  const foreign = foreignFiles(event, options.apiUrl);
  const text = plainText(event.text ?? '').trim();
  return [
    {
      channel: 'slack',
      inboxId: options.inboxId,
      sender: { kind: 'slack', address: slackAddress(event.user_team ?? team, event.user!) },
      threadKey: threadKeyOf({
        team,
        channel: event.channel,
        threadTs: isDirect ? undefined : (event.thread_ts ?? event.ts),
      }),
      // A message's ts is unique within its channel, and stays the same on every redelivery.
      externalId: `${event.channel}:${event.ts}`,
      // Everyone who writes in a thread becomes a participant of its conversation (the sender, as 'from'):
      // erasure and export reach a thread reply of someone else's thread through it.
      participants: [],
      text: text || (files.length ? `Shared ${files.map(fileName).join(', ')}` : ''),
      occurredAt: new Date(Math.round(Number(event.ts) * 1000)),
      metadata: {
        slack: {
          team,
          channel: event.channel,
          channelType: event.channel_type ?? null,
          ts: event.ts,
          threadTs: event.thread_ts ?? null,
          eventId: body.event_id,
        },
        ...(foreign.length
          ? {
              markers: foreign.map((f) => ({
                kind: 'file_not_fetched',
                detail: `${fileName(f)}: its address is not on Slack's file hosts, so it was not downloaded`,
                event: { code: 'foreign_file_host', args: { name: fileName(f) } },
              })),
            }
          : {}),
      },
    },
  ];
}

export { fileName };
