import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { encryptedMarkerPath, plaintextRemaining } from './privacy/encrypt-existing.ts';
import { SEAL_INTERVAL_MS, sealStagedAudit } from './privacy/audit-staging.ts';
import { randomUUID } from 'node:crypto';
import { safeError } from './logging/safe-error.ts';
import { join } from 'node:path';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { createRoot, type AppRoot } from './composition.ts';
import { plainAddressColumnExists, UnsealedIdentitiesError } from './privacy/identity-column.ts';
import { plainContactColumnsExist, UnsealedContactsError } from './privacy/contact-columns.ts';
import { app } from './app.ts';
import { attachRealtime } from './realtime/index.ts';
import { ensureAdmin } from './bootstrap.ts';
import { seedDemo } from './demo/seed.ts';
import { every } from './jobs/runner.ts';
import { retryDueDeliveries } from './domain/conversations.ts';
import { sweepRetention } from './privacy/retention.ts';
import { ANCHOR_INTERVAL_MS } from './privacy/audit-anchor.ts';
import type { BotRunner } from './bot/runner.ts';
import { startWebhookDelivery, type WebhookDelivery } from './webhooks/index.ts';
import { startChannels, stopChannels, type ChannelModules } from '../channels/registry.ts';

/**
 * `rateLimited`: the route has its own rate limit (tests check the public surface has one everywhere).
 * `signed`: a public provider webhook that refuses any request without the provider's signature.
 */
export type RouteRecord = {
  method: string;
  url: string;
  access: string | undefined;
  rateLimited: boolean;
  signed: boolean;
  /** A public route that needs the request page's verified-session token (OpenAPI security `requestToken`). */
  requestToken: boolean;
  /** What the route's `:id` names for inbox scoping (server/plugins/auth.ts); false: nothing in an inbox. */
  inboxScoped: string | false | undefined;
};

export type RunningServer = {
  fastify: FastifyInstance;
  /** Every registered route with its declared access level (the authorization test walks these). */
  routes: RouteRecord[];
  /** The composition root (server/composition.ts). */
  root: AppRoot;
  url: string;
  admin: { created: boolean; generatedPassword?: string };
  bot: BotRunner;
  /** Outgoing webhook delivery (tests wait for its first attempts with `settled`). */
  webhooks: WebhookDelivery;
  close(): Promise<void>;
};

export type ServerOptions = {
  /** Tests pass an already open database (e.g. in-memory PGlite). */
  database?: Database;
  /** Where log lines go (tests capture them to prove no personal data is logged). */
  logStream?: NodeJS.WritableStream;
  listen?: boolean;
  /** The channel modules (channels/registry.ts by default); loadConfig must have parsed their settings. */
  channels?: ChannelModules;
  /** The time the request desk computes deadlines with (tests move it). */
  clock?: () => Date;
};

export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const fastify = Fastify({
    logger: {
      level: config.logLevel,
      // Defence in depth: these never reach a log line even if someone logs a request by mistake.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.body', 'body', 'email', 'phone', 'text'],
      // Every `{ err }` in a log line passes through here: error messages can carry query values.
      serializers: { err: safeError },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    // Fastify's default request log carries the URL, and URLs can carry search terms: we log route patterns instead.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    bodyLimit: Math.max(64 * 1024, config.messageMaxChars * 4 + 16 * 1024),
    trustProxy: config.trustProxy,
  }).withTypeProvider<TypeBoxTypeProvider>();

  fastify.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });

  const routes: RouteRecord[] = [];
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      routes.push({
        method,
        url: route.url,
        access: route.config?.access,
        rateLimited: Boolean((route.config as { rateLimit?: unknown } | undefined)?.rateLimit),
        signed: Boolean((route.config as { signed?: unknown } | undefined)?.signed),
        requestToken: Boolean(
          (route.schema as { security?: Array<Record<string, unknown>> } | undefined)?.security?.some(
            (s) => 'requestToken' in s,
          ),
        ),
        inboxScoped: route.config?.inboxScoped,
      });
  });

  const database =
    options.database ??
    (await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: join(config.dataDir, 'pglite') }));
  const root = await createRoot(config, database, fastify.log, { modules: options.channels, clock: options.clock });
  // Identities from before tokens that were never sealed: they could be neither found nor shown (migration 0044).
  if (await plainAddressColumnExists(database.db)) {
    if (!options.database) await database.close();
    throw new UnsealedIdentitiesError();
  }
  // Contacts whose name, email and phone are still in the plain columns: shown and found as nobody (migration 0049).
  if (await plainContactColumnsExist(database.db)) {
    if (!options.database) await database.close();
    throw new UnsealedContactsError();
  }
  const { bot } = root;
  await fastify.register(app, { root });
  const realtime = await attachRealtime(fastify.server, root, fastify.log);
  const admin = await ensureAdmin(root.db, config.adminEmail, config.adminPassword);
  // Channels before the demo seed (it uses the inboxes their configuration makes), the bot after it (it does not
  // answer the demo's fictional customers). Nothing reaches a channel before listen but mail, which the bot skips.
  await startChannels(root.channels);
  if (config.seedDemo) await seedDemo(root);
  await bot.start();
  const webhooks = startWebhookDelivery(root.webhooks, root.events);
  // Files, consent evidence, bot decisions, identity addresses, message texts, subjects and contacts' fields from
  // before per-person encryption: said once, in the background (it reads the first bytes of every file), counts only.
  void plaintextRemaining(root, encryptedMarkerPath(config.dataDir)).then(
    ({ files, evidence, decisions, identities, messages, subjects, contacts }) => {
      if ([files, evidence, decisions, identities, messages, subjects, contacts].some((n) => n > 0))
        fastify.log.warn(
          { files, consentEvents: evidence, botDecisions: decisions, identities, messages, subjects, contacts },
          "files, consent evidence, bot decisions, identity addresses, message texts, subjects or contacts' fields " +
            'are stored unencrypted: run npm run privacy:encrypt-existing',
        );
    },
    (err: unknown) => fastify.log.error({ err }, 'checking for unencrypted files failed'),
  );

  const stopJobs = [
    every('retention-sweep', 60_000, fastify.log, () => sweepRetention(root, root.clock())),
    every('audit-anchor', ANCHOR_INTERVAL_MS, fastify.log, () => root.auditAnchor.flush()),
    every('audit-seal', SEAL_INTERVAL_MS, fastify.log, () => sealStagedAudit(root.db)),
    // Erasures ask for their scrub at once; this finishes those a restart interrupted.
    every('erasure-scrub', 60_000, fastify.log, () => root.erasedSubjects.scrub()),
    every('delivery-retry', 10_000, fastify.log, () =>
      retryDueDeliveries({
        db: root.db,
        events: root.events,
        adapters: root.adapters,
        messageMaxChars: config.messageMaxChars,
        dataKeys: root.dataKeys,
      }),
    ),
  ];

  let url = config.publicUrl;
  if (options.listen !== false) {
    const address = await fastify.listen({ port: config.port, host: config.host });
    const port = new URL(address).port;
    url = `http://127.0.0.1:${port}`;
  }

  return {
    fastify,
    routes,
    root,
    url,
    admin,
    bot,
    webhooks,
    async close() {
      stopJobs.forEach((stop) => stop());
      await webhooks.stop();
      bot.stop();
      await stopChannels(root.channels);
      await realtime.close().catch(() => {});
      await fastify.close();
      await root.auditAnchor.flush().catch((err) => fastify.log.error({ err }, 'audit anchor failed'));
      if (!options.database) await database.close();
    },
  };
}
