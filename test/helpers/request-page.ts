import { beforeEach } from 'vitest';
import type { FakeSlack } from './fake-slack.ts';
import type { FakeTwilio } from './fake-twilio.ts';
import type { ApiResponse } from './server.ts';

export type RequestPageCall = (path: string, body: unknown, token?: string) => Promise<ApiResponse>;

/**
 * The public request page's JSON API (/api/public/privacy-requests), called by the test file's server (behind
 * TRUST_PROXY=127.0.0.1) from a client address of its own per test, `${subnet}.N`: the per-address limits of the
 * public routes then count one test's calls only. Call it inside the describe: it adds the beforeEach that moves on.
 */
export function requestPageClient(serverUrl: () => string, subnet: string) {
  let client = 0;
  beforeEach(() => {
    client += 1;
  });
  const clientAddress = () => `${subnet}.${client}`;
  const api: RequestPageCall = (path, body, token) =>
    fetch(`${serverUrl()}/api/public/privacy-requests${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': clientAddress(),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  return { api, clientAddress };
}

/**
 * A server whose SMS and Slack channels talk to local fakes (the real twilio SDK and @slack/web-api client against
 * them), with national numbers read the Finnish way and the fakes the only hosts it may reach.
 */
export function smsAndSlackEnv(twilio: FakeTwilio, slack: FakeSlack): Record<string, string> {
  return {
    EMAIL_IMAP_ENABLED: 'false',
    TRUST_PROXY: '127.0.0.1',
    PHONE_REGION: 'FI',
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_API_URL: twilio.url,
    SLACK_SIGNING_SECRET: 'slack-signing-secret-for-tests',
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_API_URL: slack.apiUrl,
    OUTBOUND_ALLOW_HOSTS: `${new URL(twilio.url).host},${new URL(slack.apiUrl).host}`,
  };
}
