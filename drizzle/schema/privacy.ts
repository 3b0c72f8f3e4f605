import { pgTable, uuid, text, timestamp, jsonb, boolean, bigint, bigserial, index } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { consentPurposeEnum, channelEnum } from './enums.ts';
import { contacts } from './contacts.ts';
import { agents } from './agents.ts';

/** Append-only: the current consent is the latest event per (contact, purpose). Never updated in place. */
export const consentEvents = pgTable(
  'consent_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    purpose: consentPurposeEnum('purpose').notNull(),
    granted: boolean('granted').notNull(),
    policyVersion: text('policy_version').notNull(),
    /** SHA-256 of the exact notice text shown. */
    textHash: text('text_hash').notNull(),
    /** The language of the text shown (en, de, fr, fi, sv); null where no text was shown or before languages. */
    language: text('language'),
    sourceChannel: channelEnum('source_channel').notNull(),
    evidence: jsonb('evidence').$type<Record<string, string>>().notNull().default({}),
    recordedByAgentId: uuid('recorded_by_agent_id').references(() => agents.id, { onDelete: 'set null' }),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('consent_events_contact_purpose').on(t.contactId, t.purpose, t.occurredAt),
    // The analytics consent scope (analytics/scope.ts) reads the latest analytics event per contact in this
    // order; with granted in the key it is an index-only scan, no sort.
    index('consent_events_analytics_latest')
      .on(t.contactId, t.occurredAt.desc(), t.id.desc(), t.granted)
      .where(sql`${t.purpose} = 'analytics'`),
  ],
);

/**
 * Every consent notice text this installation has shown, by the hash the ledger keeps (consent_events.text_hash):
 * the proof of consent names the exact words, and an export shows each person the notice they saw. Written when a
 * server starts with a notice not yet listed; never changed.
 */
export const consentNoticeTexts = pgTable('consent_notice_texts', {
  textHash: text('text_hash').primaryKey(),
  policyVersion: text('policy_version').notNull(),
  /** Each language's notice is its own text (own hash, own version); texts from before languages were English. */
  language: text('language').notNull().default('en'),
  text: text('text').notNull(),
  firstShownAt: timestamp('first_shown_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Append-only and hash-chained; holds ids and field names only, never personal data. */
export const auditLog = pgTable('audit_log', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  actorKind: text('actor_kind').notNull(),
  actorId: text('actor_id'),
  action: text('action').notNull(),
  targetType: text('target_type').notNull(),
  targetId: text('target_id'),
  details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
});

/**
 * One row per erasure: keyed hashes (HMAC under a key derived from the master key) of the erased person's unique
 * identifiers, never the identifiers. `npm run privacy:replay-erasures` erases again, after a restore, the contacts
 * whose identifiers hash to one of these; `scrubbedAt` is set once the tables the erasure touched were rewritten
 * (server/privacy/erased-subjects.ts).
 */
export const erasedSubjects = pgTable(
  'erased_subjects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    erasedAt: timestamp('erased_at', { withTimezone: true }).notNull().defaultNow(),
    /** The erased contact's id: a restored older dump holds the contact under the same id. */
    contactId: uuid('contact_id').notNull(),
    /** The master key the hash key was derived from. */
    keyId: text('key_id').notNull(),
    hashes: text('hashes').array().notNull(),
    /** The tables whose files still hold the erased text until they are rewritten. */
    tables: text('tables').array().notNull(),
    scrubbedAt: timestamp('scrubbed_at', { withTimezone: true }),
    /**
     * The erasure's own transaction id (the default is evaluated inside it): a rewrite keeps row versions that a
     * transaction older than this may still see, so the scrub waits until none is open (erased-subjects.ts).
     */
    erasureXid: bigint('erasure_xid', { mode: 'number' })
      .notNull()
      .default(sql`txid_current()`),
  },
  (t) => [
    index('erased_subjects_pending')
      .on(t.erasedAt)
      .where(sql`${t.scrubbedAt} is null`),
  ],
);
