import { describe, expect, it } from 'vitest';
import { parseSlackEvent, plainText } from '../../channels/slack/parse.ts';
import { parseThreadKey, threadKeyOf } from '../../channels/slack/threads.ts';
import { slackConfigFromEnv } from '../../channels/slack/config.ts';
import { isSlackFileUrl } from '../../channels/slack/file-hosts.ts';
import {
  CUSTOMER,
  DM_CHANNEL,
  OTHER_CHANNEL,
  SUPPORT_CHANNEL,
  TEAM,
  messageEvent,
} from '../fixtures/channels/slack.ts';

const options = { inboxId: 'inbox-1', channelIds: [SUPPORT_CHANNEL], apiUrl: 'https://slack.com/api/' };

describe('Slack message events to InboundMessage', () => {
  it('maps a top-level channel message to a conversation keyed by its own ts', () => {
    const body = messageEvent({ text: 'Our export fails', ts: '1764578200.000100' });
    expect(parseSlackEvent(body, options)).toEqual([
      {
        channel: 'slack',
        inboxId: 'inbox-1',
        sender: { kind: 'slack', address: `${TEAM}:${CUSTOMER}` },
        threadKey: `${TEAM}:${SUPPORT_CHANNEL}:1764578200.000100`,
        externalId: `${SUPPORT_CHANNEL}:1764578200.000100`,
        participants: [],
        text: 'Our export fails',
        occurredAt: new Date(1764578200000),
        metadata: {
          slack: {
            team: TEAM,
            channel: SUPPORT_CHANNEL,
            channelType: 'channel',
            ts: '1764578200.000100',
            threadTs: null,
            eventId: body.event_id,
          },
        },
      },
    ]);
  });

  it('puts a thread reply (and a reply also sent to the channel) into its thread', () => {
    const reply = parseSlackEvent(
      messageEvent({ ts: '1764578300.000200', threadTs: '1764578200.000100' }),
      options,
    )[0]!;
    const broadcast = parseSlackEvent(
      messageEvent({ threadTs: '1764578200.000100', subtype: 'thread_broadcast' }),
      options,
    )[0]!;
    expect(reply.threadKey).toBe(`${TEAM}:${SUPPORT_CHANNEL}:1764578200.000100`);
    expect(broadcast.threadKey).toBe(reply.threadKey);
    expect(reply.externalId).toBe(`${SUPPORT_CHANNEL}:1764578300.000200`);
  });

  it('keeps a direct message as one conversation per DM, threads or not', () => {
    const a = parseSlackEvent(messageEvent({ channel: DM_CHANNEL }), options)[0]!;
    const b = parseSlackEvent(messageEvent({ channel: DM_CHANNEL, threadTs: '1764578200.000100' }), options)[0]!;
    expect(a.threadKey).toBe(`${TEAM}:${DM_CHANNEL}`);
    expect(b.threadKey).toBe(a.threadKey);
  });

  it('qualifies the sender by their own workspace (Slack Connect)', () => {
    const body = messageEvent();
    (body.event as unknown as Record<string, unknown>).user_team = 'T0PARTNER1';
    expect(parseSlackEvent(body, options)[0]!.sender.address).toBe(`T0PARTNER1:${CUSTOMER}`);
  });

  it('ignores unconfigured channels, bots, edits, deletions, joins and other event types', () => {
    const ignored = [
      messageEvent({ channel: OTHER_CHANNEL }),
      messageEvent({ botId: 'B0OTHERBOT' }),
      messageEvent({ subtype: 'message_changed' }),
      messageEvent({ subtype: 'message_deleted' }),
      messageEvent({ subtype: 'channel_join' }),
      { ...messageEvent(), event: { type: 'reaction_added', user: CUSTOMER, reaction: 'thumbsup' } },
    ];
    for (const body of ignored) expect(parseSlackEvent(body as never, options)).toEqual([]);
  });

  it('names the files of a share without text, and skips files it cannot fetch', () => {
    const hosted = {
      id: 'F1',
      name: 'log.txt',
      mimetype: 'text/plain',
      size: 10,
      url_private: 'https://files.slack.com/files-pri/T-F1/log.txt',
      mode: 'hosted',
    };
    const external = { id: 'F2', name: 'Drive doc', mode: 'external', url_private: 'https://docs.example/x' };
    const [msg] = parseSlackEvent(messageEvent({ text: '', files: [hosted, external] }), options);
    expect(msg!.text).toBe('Shared log.txt');
  });

  it('never queues a file whose URL is not on a Slack file host, and notes it on the message', () => {
    const forged = { id: 'F3', name: 'keys.txt', mode: 'hosted', url_private: 'http://169.254.169.254/latest/' };
    const [msg] = parseSlackEvent(messageEvent({ text: 'see file', files: [forged] }), options);
    expect(msg!.metadata!.markers).toEqual([
      {
        kind: 'file_not_fetched',
        detail: "keys.txt: its address is not on Slack's file hosts, so it was not downloaded",
        event: { code: 'foreign_file_host', args: { name: 'keys.txt' } },
      },
    ]);
  });

  it("knows Slack's file hosts", () => {
    const api = 'https://slack.com/api/';
    for (const url of [
      'https://files.slack.com/files-pri/T1-F1/a.txt',
      'https://files.slack-gov.com/files-pri/T1-F1/a.txt',
      'https://slack.com/files-pri/T1-F1/a.txt',
    ])
      expect(isSlackFileUrl(url, api), url).toBe(true);
    for (const url of [
      'http://files.slack.com/files-pri/T1-F1/a.txt',
      'https://files.slack.com:8443/a.txt',
      'https://files.slack.com.evil.example/a.txt',
      'https://evilslack.com/a.txt',
      'https://files.slack.com@127.0.0.1/a.txt',
      'https://u:p@files.slack.com/a.txt',
      'http://127.0.0.1:8080/files-pri/T1-F1/a.txt',
      'file:///etc/passwd',
      'not a url',
    ])
      expect(isSlackFileUrl(url, api), url).toBe(false);
    // SLACK_API_URL's origin serves files too (a local fake in tests), and only that origin.
    expect(isSlackFileUrl('http://127.0.0.1:8080/files-pri/a', 'http://127.0.0.1:8080/api/')).toBe(true);
    expect(isSlackFileUrl('http://127.0.0.1:8081/files-pri/a', 'http://127.0.0.1:8080/api/')).toBe(false);
  });

  it('turns mrkdwn into plain text', () => {
    expect(plainText('a &lt;b&gt; &amp; c')).toBe('a <b> & c');
    expect(plainText('see <https://status.example.com|the status page> or <https://example.com>')).toBe(
      'see the status page (https://status.example.com) or https://example.com',
    );
    expect(plainText('hi <@U0BOTUSER1> in <#C0SUPPORT1|support> <!here>')).toBe('hi @U0BOTUSER1 in #support @here');
  });
});

describe('Slack thread keys', () => {
  it('round-trip with and without a thread', () => {
    for (const thread of [
      { team: TEAM, channel: SUPPORT_CHANNEL, threadTs: '1764578200.000100' },
      { team: TEAM, channel: DM_CHANNEL },
    ]) {
      expect(parseThreadKey(threadKeyOf(thread))).toEqual(thread);
    }
    expect(() => parseThreadKey('visitor-id')).toThrow();
  });
});

describe('Slack configuration', () => {
  const good = {
    SLACK_SIGNING_SECRET: 'secret',
    SLACK_BOT_TOKEN: 'xoxb-1-2',
    SLACK_CHANNELS: ' C0SUPPORT1, G0PRIVATE1 ',
  };

  it('is off when neither secret nor token is set, and complete otherwise', () => {
    expect(slackConfigFromEnv({})).toBeUndefined();
    expect(slackConfigFromEnv(good)).toEqual({
      signingSecret: 'secret',
      botToken: 'xoxb-1-2',
      channelIds: ['C0SUPPORT1', 'G0PRIVATE1'],
      apiUrl: 'https://slack.com/api/',
    });
    expect(slackConfigFromEnv({ ...good, SLACK_API_URL: 'http://127.0.0.1:9/api' })!.apiUrl).toBe(
      'http://127.0.0.1:9/api/',
    );
  });

  it('names the variable that is wrong', () => {
    const variable = (env: Record<string, string>) => {
      try {
        slackConfigFromEnv(env);
        return null;
      } catch (err) {
        return (err as { variable: string }).variable;
      }
    };
    expect(variable({ SLACK_BOT_TOKEN: 'xoxb-1' })).toBe('SLACK_SIGNING_SECRET');
    expect(variable({ SLACK_SIGNING_SECRET: 's' })).toBe('SLACK_BOT_TOKEN');
    expect(variable({ ...good, SLACK_BOT_TOKEN: 'xoxp-user-token' })).toBe('SLACK_BOT_TOKEN');
    expect(variable({ ...good, SLACK_CHANNELS: '#support' })).toBe('SLACK_CHANNELS');
    expect(variable({ ...good, SLACK_API_URL: 'ftp://x' })).toBe('SLACK_API_URL');
  });
});

describe('the Slack app manifest (channels/slack/manifest.json)', () => {
  it('subscribes to the events and grants the scopes the channel uses, at the route the server serves', async () => {
    const { readFile } = await import('node:fs/promises');
    const manifest = JSON.parse(await readFile(new URL('../../channels/slack/manifest.json', import.meta.url), 'utf8'));
    expect(new URL(manifest.settings.event_subscriptions.request_url).pathname).toBe('/api/slack/events');
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual([
      'message.channels',
      'message.groups',
      'message.im',
    ]);
    // history: the message events; chat:write: replies; users:read(.email): the contact; files:read: attachments;
    // files:write: the agents' files (files.uploadV2); im:write: the request page's code as a direct message.
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual([
      'channels:history',
      'chat:write',
      'files:read',
      'files:write',
      'groups:history',
      'im:history',
      'im:write',
      'users:read',
      'users:read.email',
    ]);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });
});
