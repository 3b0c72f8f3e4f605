import twilio from 'twilio';
import type { InboundRequest } from '../types.ts';
import { InboundRejected } from '../types.ts';

const header = (request: InboundRequest, name: string) => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Twilio signs each webhook with the account's auth token over the URL it was configured with and the
 * form parameters (X-Twilio-Signature). `request.url` must be that public URL (PUBLIC_URL + path and
 * query), not the address a proxy forwarded to. Checked with the SDK's own validateRequest.
 */
export function verifyTwilioRequest(request: InboundRequest, account: { authToken: string; accountSid: string }): void {
  const signature = header(request, 'x-twilio-signature');
  if (!signature) throw new InboundRejected('missing X-Twilio-Signature');
  const params = (request.body ?? {}) as Record<string, string>;
  if (!twilio.validateRequest(account.authToken, signature, request.url, params))
    throw new InboundRejected('X-Twilio-Signature does not match');
  // A valid signature from another account of ours (a shared token) must not feed this inbox.
  if (params.AccountSid !== account.accountSid) throw new InboundRejected('webhook from another Twilio account');
}

/** Which inbox a webhook URL is for: /api/twilio/<inbox id>/... */
export function inboxIdOfWebhook(url: string): string | undefined {
  return /\/api\/twilio\/([0-9a-f-]{36})\//.exec(new URL(url, 'http://x').pathname)?.[1];
}
