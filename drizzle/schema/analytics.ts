import {
  pgTable,
  uuid,
  smallint,
  timestamp,
  index,
  uniqueIndex,
  check,
  bigint,
  text,
  integer,
  doublePrecision,
  bigserial,
  primaryKey,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { conversations } from './conversations.ts';
import { contacts } from './contacts.ts';
import { channelEnum } from './enums.ts';

/**
 * The visitor's answer to "How did we do?" after a conversation was resolved: one rating per conversation
 * (a second answer replaces the first). Personal data (it says what one person thought), erased with the
 * conversation; analytics reads it only for contacts who agreed to analysis.
 */
export const satisfactionRatings = pgTable(
  'satisfaction_ratings',
  {
    // Its own id: export and erasure walk every table in id order.
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    /** 1 (very unhappy) to 5 (very happy). */
    score: smallint('score').notNull(),
    ratedAt: timestamp('rated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('satisfaction_ratings_score', sql`${t.score} between 1 and 5`),
    uniqueIndex('satisfaction_ratings_conversation').on(t.conversationId),
    index('satisfaction_ratings_rated').on(t.ratedAt),
  ],
);

/*
 * The analytics rollups (analytics/scope/: the consent scope builds them, the metrics read only them).
 * Cells are computed from raw data only for contacts in `analytics_scope`, and stand for each contact by a
 * pseudonymous key of that table, never by the contact id: when a contact leaves the scope (withdrawal,
 * erasure) their scope row goes, and the keys left in cells point at nobody until the next refresh
 * recomputes those cells (which it always does before any figure is read).
 */

/**
 * The contacts whose current analytics consent is granted, as of the last refresh; `key` is their pseudonym
 * in the cells.
 */

export const analyticsScope = pgTable('analytics_scope', {
  contactId: uuid('contact_id')
    .primaryKey()
    .references(() => contacts.id, { onDelete: 'cascade' }),
  key: bigint('key', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
});

/**
 * One row per 15-minute UTC bucket, channel, measure and dimension (hand-off reason, score, status, the
 * message's channel): the count, the sum of scores, the durations where a percentile is needed, the number
 * of distinct contacts and the K smallest distinct contact keys (padded with nulls to K, so that arrays of
 * many cells aggregate into one). Every time-zone offset in use is a multiple of 15 minutes, so a bucket
 * lies inside one local hour and day in every zone.
 */
export const analyticsCells = pgTable(
  'analytics_cells',
  {
    measure: text('measure').notNull(),
    bucket: timestamp('bucket', { withTimezone: true }).notNull(),
    channel: channelEnum('channel').notNull(),
    dim: text('dim').notNull().default(''),
    n: integer('n').notNull(),
    total: bigint('total', { mode: 'number' }),
    vals: doublePrecision('vals').array(),
    distinctContacts: integer('distinct_contacts').notNull(),
    contacts: bigint('contacts', { mode: 'number' }).array().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.measure, t.bucket, t.channel, t.dim] }),
    index('analytics_cells_bucket').on(t.bucket),
  ],
);

/** Buckets to recompute at the next refresh (marked by triggers on backdated rows, deletions and changes). */
export const analyticsDirty = pgTable('analytics_dirty', {
  bucket: timestamp('bucket', { withTimezone: true }).primaryKey(),
});

/** Contacts whose analytics consent changed (or will, at due_at): the next refresh after due_at rechecks them. */
export const analyticsConsentQueue = pgTable(
  'analytics_consent_queue',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('analytics_consent_queue_due').on(t.dueAt), index('analytics_consent_queue_contact').on(t.contactId)],
);

/** One row: when the rollups were last refreshed (null: never, rebuild) and the K of their bottom-K arrays. */
export const analyticsState = pgTable('analytics_state', {
  id: smallint('id').primaryKey().default(1),
  refreshedAt: timestamp('refreshed_at', { withTimezone: true }),
  k: integer('k').notNull().default(0),
});
