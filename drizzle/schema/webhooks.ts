import { boolean, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { agents } from './agents.ts';

/**
 * Outgoing webhooks (server/webhooks/): an admin subscribes an endpoint to events; every event is a delivery row
 * that a sweep sends, signs and retries with backoff, so a restart or a second server loses and doubles nothing.
 */
export const webhookSubscriptions = pgTable(
  'webhook_subscriptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    url: text('url').notNull(),
    events: text('events').array().notNull(),
    /** Off: payloads carry ids only. On: the resource as the API shows it (the receiver is an Art. 30 recipient). */
    includeContent: boolean('include_content').notNull().default(false),
    /** The signing secret, sealed under the master key (server/security/secret-box.ts): it must be read to sign. */
    secret: text('secret').notNull(),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    pausedAt: timestamp('paused_at', { withTimezone: true }),
  },
  (t) => [index('webhook_subscriptions_created_by').on(t.createdBy)],
);

/** One attempt at a delivery: when, the HTTP status (null: no answer) and the error class. */
export type WebhookAttempt = { at: string; status: number | null; error: string | null; ms: number };

/** What an event names: ids only (content is read when the delivery is sent, so an erased person's is gone). */
export type WebhookResources = {
  conversationId?: string;
  messageId?: string;
  contactId?: string;
  inboxId?: string;
  assigneeId?: string | null;
  purpose?: string;
  conversationIds?: string[];
};

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => webhookSubscriptions.id, { onDelete: 'cascade' }),
    /** The event's id, the receiver's idempotency key: one event is one row per subscription, whoever enqueues it. */
    eventId: uuid('event_id').notNull(),
    eventType: text('event_type').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    /** The contact the event is about (no foreign key: the row outlives nothing, an erasure deletes it). */
    contactId: uuid('contact_id'),
    resources: jsonb('resources').$type<WebhookResources>().notNull(),
    state: text('state').$type<'pending' | 'delivered' | 'failed'>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    log: jsonb('log').$type<WebhookAttempt[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [
    unique('webhook_deliveries_event').on(t.subscriptionId, t.eventId),
    index('webhook_deliveries_due').on(t.state, t.nextAttemptAt),
    index('webhook_deliveries_contact').on(t.contactId),
    index('webhook_deliveries_recent').on(t.subscriptionId, t.createdAt),
  ],
);
