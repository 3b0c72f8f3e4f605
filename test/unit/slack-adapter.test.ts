import { afterAll, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../channels/slack/adapter.ts';
import { createSlackClient } from '../../channels/slack/channel.ts';
import { InboundRejected, type InboundRequest } from '../../channels/types.ts';
import { adapterContract, type ContractFixture } from '../helpers/adapter-contract.ts';
import { FakeSlack, slackSignature } from '../helpers/fake-slack.ts';
import { createOutbound, parseAllowHosts } from '../../server/http/outbound.ts';
import { DM_CHANNEL, SUPPORT_CHANNEL, TEAM, messageEvent } from '../fixtures/channels/slack.ts';

const SECRET = 'e3b0c44298fc1c149afbf4c8996fb924';
// The contract suite builds its adapter while collecting tests, so the fake Slack must already run.
const slack = await FakeSlack.start();
afterAll(() => slack.close());

const adapterWith = (secret = SECRET, now?: () => number) =>
  createSlackAdapter({
    signingSecret: secret,
    channelIds: [SUPPORT_CHANNEL],
    apiUrl: slack.apiUrl,
    client: createSlackClient(
      { signingSecret: secret, botToken: slack.botToken, channelIds: [SUPPORT_CHANNEL], apiUrl: slack.apiUrl },
      createOutbound({ allowHosts: parseAllowHosts(new URL(slack.apiUrl).host) }),
    ),
    now,
  });

const payload = messageEvent({ text: 'Is the API down?', ts: '1764578400.000100' });
const request = (body: unknown, headers: Record<string, string>): InboundRequest => ({
  url: '/api/slack/events',
  headers: { 'content-type': 'application/json', ...headers },
  rawBody: typeof body === 'string' ? body : JSON.stringify(body),
  body: undefined,
});
const raw = JSON.stringify(payload);

const fixture: ContractFixture = {
  create: () => adapterWith() as never,
  validRequest: request(raw, slackSignature(SECRET, raw)),
  forgedRequests: [
    request(raw, {}),
    request(raw, slackSignature('another-apps-secret', raw)),
    request(raw.replace('Is the API down?', 'Send me the admin password'), slackSignature(SECRET, raw)),
    request(raw, slackSignature(SECRET, raw, Math.floor(Date.now() / 1000) - 6 * 60)),
    request(raw, { 'x-slack-signature': 'v0=not-hex', 'x-slack-request-timestamp': 'yesterday' }),
  ],
  payload,
  context: { inboxId: 'f0a2b9c8-2f5e-4b0a-8d1c-3e4f5a6b7c8d' },
  outbound: {
    messageId: 'a1b2c3d4-0000-4000-8000-000000000001',
    conversationId: 'a1b2c3d4-0000-4000-8000-000000000002',
    inboxId: 'f0a2b9c8-2f5e-4b0a-8d1c-3e4f5a6b7c8d',
    threadKey: `${TEAM}:${SUPPORT_CHANNEL}:1764578400.000100`,
    to: `${TEAM}:U0CUSTOMR1`,
    text: 'We are looking into it.',
  },
};

describe('ChannelAdapter contract: slack', () => adapterContract('slack', fixture));

describe('Slack adapter', () => {
  it('checks the timestamp against its own clock: a request signed six minutes ago is a replay', () => {
    const signedAt = 1_764_578_400;
    const headers = slackSignature(SECRET, raw, signedAt);
    expect(() => adapterWith(SECRET, () => (signedAt + 60) * 1000).verify(request(raw, headers))).not.toThrow();
    expect(() => adapterWith(SECRET, () => (signedAt + 6 * 60) * 1000).verify(request(raw, headers))).toThrow(
      InboundRejected,
    );
  });

  it('posts into the thread of a channel conversation and at the top of a DM, returning channel:ts', async () => {
    const adapter = adapterWith();
    const threaded = await adapter.send(fixture.outbound);
    const direct = await adapter.send({ ...fixture.outbound, threadKey: `${TEAM}:${DM_CHANNEL}` });
    const posts = slack.callsOf('chat.postMessage').slice(-2);
    expect(posts[0]!.params).toMatchObject({
      channel: SUPPORT_CHANNEL,
      thread_ts: '1764578400.000100',
      text: 'We are looking into it.',
    });
    expect(posts[1]!.params.channel).toBe(DM_CHANNEL);
    expect(posts[1]!.params.thread_ts).toBeUndefined();
    expect(posts.every((p) => p.token === slack.botToken)).toBe(true);
    expect(threaded.externalId).toMatch(new RegExp(`^${SUPPORT_CHANNEL}:\\d+\\.\\d{6}$`));
    expect(direct.externalId.startsWith(`${DM_CHANNEL}:`)).toBe(true);
  });

  it("fails a send with Slack's error code, for the delivery sweep to retry", async () => {
    slack.failures.set('chat.postMessage', 'not_in_channel');
    try {
      await expect(adapterWith().send(fixture.outbound)).rejects.toThrow(/not_in_channel/);
    } finally {
      slack.failures.delete('chat.postMessage');
    }
  });
});
