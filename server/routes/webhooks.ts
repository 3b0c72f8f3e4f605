import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../db/client.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { IdParams, errors } from '../http/common.ts';
import { currentAgent } from '../plugins/auth.ts';
import { WEBHOOK_EVENTS } from '../webhooks/events.ts';
import {
  createWebhookSubscription,
  deleteWebhookSubscription,
  listWebhookSubscriptions,
  pauseWebhookSubscription,
  recentWebhookDeliveries,
} from '../webhooks/subscriptions.ts';

const tags = ['webhooks'];
const admin = { access: 'admin' as const, inboxScoped: false as const };
const Iso = Type.String({ format: 'date-time' });
const EventType = Type.Union(WEBHOOK_EVENTS.map((e) => Type.Literal(e)));

const WebhookSubscriptionView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  includeContent: Type.Boolean(),
  paused: Type.Boolean(),
  createdBy: Type.String({ format: 'uuid' }),
  createdAt: Iso,
  pausedAt: Type.Union([Iso, Type.Null()]),
});

const WebhookDeliveryView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  eventId: Type.String({ format: 'uuid' }),
  eventType: Type.String(),
  occurredAt: Iso,
  state: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  nextAttemptAt: Type.Union([Iso, Type.Null()]),
  deliveredAt: Type.Union([Iso, Type.Null()]),
  log: Type.Array(
    Type.Object({
      at: Iso,
      status: Type.Union([Type.Integer(), Type.Null()]),
      error: Type.Union([Type.String(), Type.Null()]),
      ms: Type.Integer(),
    }),
  ),
});

/** Outgoing webhooks (admins): server/webhooks/, README "Webhooks". */
export const webhookRoutes: FastifyPluginAsyncTypebox<{ deps: { webhooks: { db: Db; box: SecretBox } } }> = async (
  app,
  { deps },
) => {
  const { db, box } = deps.webhooks;

  app.get(
    '/',
    {
      config: admin,
      schema: {
        tags,
        summary: 'The webhook subscriptions, newest first (never their secrets)',
        response: { 200: Type.Object({ items: Type.Array(WebhookSubscriptionView) }) },
      },
    },
    async () => ({ items: await listWebhookSubscriptions(db) }),
  );

  app.post(
    '/',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Subscribe an HTTPS endpoint to events; the signing secret is in this answer only',
        description:
          'Deliveries are signed (Webhook-Signature: v1=HMAC-SHA256 of "<Webhook-Timestamp>.<body>"), retried with ' +
          'backoff and carry ids only unless includeContent is true (the receiver then appears in the Art. 30 ' +
          'record). Plain http is accepted for localhost only',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 200 }),
          url: Type.String({ minLength: 1, maxLength: 2000 }),
          events: Type.Array(EventType, { minItems: 1 }),
          includeContent: Type.Optional(Type.Boolean({ default: false })),
        }),
        response: {
          201: Type.Object({ subscription: WebhookSubscriptionView, secret: Type.String() }),
          ...errors(400),
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createWebhookSubscription(db, box, currentAgent(request).id, request.body)),
  );

  app.patch(
    '/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Pause or resume a subscription (while paused, no events are recorded for it)',
        params: IdParams,
        body: Type.Object({ paused: Type.Boolean() }),
        response: { 200: Type.Object({ subscription: WebhookSubscriptionView }), ...errors(404) },
      },
    },
    async (request) => ({
      subscription: await pauseWebhookSubscription(
        db,
        currentAgent(request).id,
        request.params.id,
        request.body.paused,
      ),
    }),
  );

  app.delete(
    '/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Delete a subscription with its waiting deliveries and their log',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(404) },
      },
    },
    async (request, reply) => {
      await deleteWebhookSubscription(db, currentAgent(request).id, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/:id/deliveries',
    {
      config: admin,
      schema: {
        tags,
        summary: 'The latest 20 deliveries of a subscription, each with its attempts (time, HTTP status, error)',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(WebhookDeliveryView) }), ...errors(404) },
      },
    },
    async (request) => ({ items: await recentWebhookDeliveries(db, request.params.id) }),
  );
};
