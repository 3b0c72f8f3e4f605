import { createHmac, randomBytes } from 'node:crypto';

/** A subscription's signing secret: shown once to the admin, sealed in the database (it must be read to sign). */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

/**
 * The headers of one delivery: `Webhook-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">` under the secret,
 * the timestamp in Unix seconds (a receiver refuses old ones: replays), and the event id (its idempotency key).
 * packages/client/examples/verify-webhook.ts is the receiver's side, quoted in the README.
 */
export function webhookHeaders(secret: string, eventId: string, body: string, at: Date): Record<string, string> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return {
    'content-type': 'application/json',
    'user-agent': 'privacy-inbox-webhooks/1',
    'webhook-id': eventId,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1=${signature}`,
  };
}
