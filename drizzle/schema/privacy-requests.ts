import { pgTable, uuid, text, timestamp, integer, jsonb, index } from 'drizzle-orm/pg-core';
import { contacts, contactIdentities } from './contacts.ts';
import { agents } from './agents.ts';

/** The rights a person can ask for (Art. 15, 20, 16, 17, 18, 21). */
export const privacyRequestKinds = [
  'access',
  'portability',
  'rectification',
  'erasure',
  'restriction',
  'objection',
] as const;
export type PrivacyRequestKind = (typeof privacyRequestKinds)[number];
export const privacyRequestStatuses = ['received', 'in_progress', 'completed', 'refused'] as const;
export type PrivacyRequestStatus = (typeof privacyRequestStatuses)[number];
/** Where the request came from: the widget's privacy panel, the public request page, or an agent logging it. */
export const privacyRequestSources = ['widget', 'request_page', 'agent'] as const;
export type PrivacyRequestSource = (typeof privacyRequestSources)[number];

/** How the requester's identity was checked: ids and times only, never the address or the code. */
export type VerificationEvidence = {
  /** A one-time code by mail, SMS or Slack direct message (the request page), a widget token, or an agent's check. */
  method: 'email_code' | 'sms_code' | 'slack_code' | 'visitor_token' | 'agent_statement';
  /** The identity the code went to, or the widget visitor's identity. */
  identityId?: string;
  /** That identity's kind (email, phone, slack), for a code. */
  identityKind?: 'email' | 'phone' | 'slack';
  /** The one-time code's row (privacy_request_codes.id). */
  codeId?: string;
  /** An agent's check: same_channel, identity_document or callback. */
  how?: string;
  verifiedAt: string;
};

/**
 * The result: what was produced (an export, an erasure receipt: counts), or a refusal with its legal basis.
 * Counts, ids and a basis only; the admin's note is staff text that must not quote the person.
 */
export type RequestOutcome =
  | {
      kind: 'fulfilled';
      produced: 'export' | 'erasure_receipt' | 'rectification' | 'restriction' | 'other';
      details?: Record<string, number | string>;
    }
  | { kind: 'refused'; basis: RefusalBasis; note?: string };
export const refusalBases = [
  'legal_hold',
  'bookkeeping_duty',
  'identity_not_verified',
  'manifestly_unfounded',
  'other_legal_obligation',
] as const;
export type RefusalBasis = (typeof refusalBases)[number];

/** The channels an outcome is told on: the kind of identity the person verified with (or one on file). */
export const outcomeChannels = ['email', 'sms', 'slack'] as const;
export type OutcomeChannel = (typeof outcomeChannels)[number];
/**
 * Why a person was not told: nothing on file to reach them on, they texted STOP (and a text was the only way), no
 * SMS inbox or Slack app to send from, or the mail server or provider refused.
 */
export const notToldReasons = ['no_address', 'opted_out', 'channel_unavailable', 'not_sent'] as const;
export type NotToldReason = (typeof notToldReasons)[number];
/** Whether and how the person was told the outcome: a channel kind and a reason, never the address. */
export type OutcomeNotice =
  | { told: true; via: OutcomeChannel; at: string }
  | { told: false; via: OutcomeChannel | null; reason: NotToldReason; at: string };

/**
 * A data-subject request and its statutory deadline (Art. 12(3)): one month from receipt, extendable once by two
 * more with a recorded reason. The row outlives an erasure (contact_id is set null): it is the controller's proof
 * that the request was answered.
 */
export const privacyRequests = pgTable(
  'privacy_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    kind: text('kind').$type<PrivacyRequestKind>().notNull(),
    source: text('source').$type<PrivacyRequestSource>().notNull(),
    status: text('status').$type<PrivacyRequestStatus>().notNull().default('received'),
    /** The language the person is answered in (en, de, fr, fi, sv). */
    language: text('language').notNull().default('en'),
    /** What the person asked to change (rectification): field names only, the new values go in their own step. */
    fields: text('fields').array().notNull().default([]),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    extendedAt: timestamp('extended_at', { withTimezone: true }),
    extensionReason: text('extension_reason'),
    assigneeId: uuid('assignee_id').references(() => agents.id, { onDelete: 'set null' }),
    loggedByAgentId: uuid('logged_by_agent_id').references(() => agents.id, { onDelete: 'set null' }),
    /** How an agent received it (phone, email…); null for the widget and the request page. */
    channel: text('channel').$type<RequestChannel>(),
    /** The logging agent's note: staff text that must not quote the person (limited to 500 characters). */
    note: text('note'),
    verification: jsonb('verification').$type<VerificationEvidence>(),
    outcome: jsonb('outcome').$type<RequestOutcome>(),
    /** Whether the person was told the outcome, on which channel, or why not. */
    outcomeNotice: jsonb('outcome_notice').$type<OutcomeNotice>(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [index('privacy_requests_open').on(t.closedAt, t.dueAt), index('privacy_requests_contact').on(t.contactId)],
);

/**
 * One-time codes of the public request page: sent to an identity on file, stored only as a hash, valid for
 * minutes, a few tries each. A verified code becomes a short session (its hash too) to file requests with.
 */
export const privacyRequestCodes = pgTable(
  'privacy_request_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    identityId: uuid('identity_id')
      .notNull()
      .references(() => contactIdentities.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    language: text('language').notNull().default('en'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    sessionHash: text('session_hash'),
    sessionExpiresAt: timestamp('session_expires_at', { withTimezone: true }),
  },
  (t) => [
    index('privacy_request_codes_identity').on(t.identityId, t.createdAt),
    index('privacy_request_codes_session').on(t.sessionHash),
  ],
);

/** How a request reached an agent (logged from the inbox); the other sources name their own channel. */
export const requestChannels = ['phone', 'email', 'letter', 'in_person', 'chat', 'other'] as const;
export type RequestChannel = (typeof requestChannels)[number];

/**
 * A copy delivered as a link (self-service access requests): the token is random, stored only as its hash, and
 * works until `expiresAt`; the link itself carries nothing about the person. Goes with the contact on erasure.
 */
export const privacyDownloadLinks = pgTable(
  'privacy_download_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    requestId: uuid('request_id').references(() => privacyRequests.id, { onDelete: 'set null' }),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    downloads: integer('downloads').notNull().default(0),
    lastDownloadAt: timestamp('last_download_at', { withTimezone: true }),
  },
  (t) => [index('privacy_download_links_contact').on(t.contactId)],
);

/**
 * A self-service correction of an email address or phone number, waiting for the one-time code sent to the new
 * value: nothing changes on the contact before the code is right. The new value is the person's own data and goes
 * with the contact on erasure; the row is removed once applied or expired.
 */
export const privacyPendingChanges = pgTable(
  'privacy_pending_changes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    requestId: uuid('request_id').references(() => privacyRequests.id, { onDelete: 'set null' }),
    field: text('field').$type<'email' | 'phone'>().notNull(),
    value: text('value').notNull(),
    codeHash: text('code_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    attempts: integer('attempts').notNull().default(0),
  },
  (t) => [index('privacy_pending_changes_contact').on(t.contactId)],
);
