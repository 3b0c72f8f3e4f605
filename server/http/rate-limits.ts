import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';

/**
 * The rate limits of the public surface, in one place so every channel's webhook and the widget use
 * the same numbers. Counted per client address, per route, per minute. The client address is the socket's peer
 * unless TRUST_PROXY names the proxies in front (then the address they put in X-Forwarded-For), so a client
 * cannot pick the address it is counted under. With REDIS_URL set the counters live in Redis (see
 * registerRateLimits), so the limit holds for the whole installation rather than per server process.
 */
export const rateLimits = {
  /** Agents' sign-in, per client address: ten tries a minute, wrong or right. */
  login: { max: 10, timeWindow: '1 minute' },
  /** And per account (the email tried), so one account's password is not guessed from many addresses. */
  loginAccount: { max: 10, timeWindow: '1 minute' },
  /** The inbox's "am I signed in?" on every load: a cookie lookup, public, so limited like the widget's reads. */
  sessionCheck: { max: 120, timeWindow: '1 minute' },
  /** The widget's reads: one page load makes a few; a polling fallback a few per minute more. */
  widgetRead: { max: 120, timeWindow: '1 minute' },
  /** Accepting the notice: one per visitor, but an office behind one address has many visitors. */
  widgetSession: { max: 30, timeWindow: '1 minute' },
  /** A visitor's messages over HTTP (sockets carry the usual chat). */
  widgetMessage: { max: 60, timeWindow: '1 minute' },
  widgetConsent: { max: 30, timeWindow: '1 minute' },
  widgetExport: { max: 5, timeWindow: '1 minute' },
  /** The public request page: a code costs a mail, so few per client address (and per identity, in the desk). */
  requestCode: { max: 10, timeWindow: '1 minute' },
  /** Code checks: a wrong guess also counts against the code itself (five tries). */
  requestVerify: { max: 10, timeWindow: '1 minute' },
  requestFile: { max: 10, timeWindow: '1 minute' },
  /** One rating per resolved conversation; a changed mind or two may follow. */
  widgetRating: { max: 20, timeWindow: '1 minute' },
  /**
   * Provider webhooks (Twilio, Slack, ...): a provider sends from a few addresses in bursts, and its
   * retries must not be what gets refused, so the bar is high; it stops a flood with forged signatures
   * from costing a signature check each.
   */
  webhook: { max: 1_200, timeWindow: '1 minute' },
} as const;

export async function registerRateLimits(
  app: FastifyInstance,
  options: { redisUrl: string | undefined; redisPrefix: string },
) {
  const rateLimit = (await import('@fastify/rate-limit')).default;
  let redis: Redis | undefined;
  if (options.redisUrl) {
    const { Redis: RedisClient } = await import('ioredis');
    // Fail open: a Redis outage must not take the inbox down with it (skipOnError below).
    redis = new RedisClient(options.redisUrl, {
      connectTimeout: 500,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    redis.on('error', () => {});
    app.addHook('onClose', async () => redis?.disconnect());
  }
  await app.register(rateLimit, {
    global: false,
    ...(redis ? { redis, nameSpace: `${options.redisPrefix}:rate-limit:`, skipOnError: true } : {}),
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      message: `Too many requests: retry in ${Math.ceil(ctx.ttl / 1000)} s`,
    }),
  });
}
