import { createHmac, timingSafeEqual } from 'node:crypto';

// README "Webhooks": this file is quoted there verbatim (test/integration/webhooks.test.ts checks both).
/**
 * Checks a webhook delivery from the support inbox: `secret` is the subscription's secret (whsec_…, shown once),
 * `headers` the request's headers (lower-case names, as Node gives them), `rawBody` the body exactly as received.
 * Returns the parsed event, or throws. Deliveries are retried: keep the event ids you handled and skip repeats.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  toleranceSeconds = 300,
) {
  const id = String(headers['webhook-id'] ?? '');
  const timestamp = String(headers['webhook-timestamp'] ?? '');
  const signatures = String(headers['webhook-signature'] ?? '').split(' ');
  if (!id || !/^\d+$/.test(timestamp)) throw new Error('missing webhook headers');
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) throw new Error('stale timestamp');
  const expected = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest();
  const valid = signatures.some((s) => {
    const given = Buffer.from(s.replace(/^v1=/, ''), 'hex');
    return s.startsWith('v1=') && given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!valid) throw new Error('bad signature');
  const event = JSON.parse(rawBody);
  if (event.id !== id) throw new Error('event id does not match the Webhook-Id header');
  return event as { id: string; type: string; createdAt: string; data: Record<string, unknown> };
}
