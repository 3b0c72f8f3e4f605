import { pgTable, uuid, text, timestamp, bigserial, jsonb, index } from 'drizzle-orm/pg-core';
import { contacts } from './contacts.ts';
import { agents } from './agents.ts';
import { privacyRequests } from './privacy-requests.ts';

/**
 * What a restriction (Art. 18) or an objection (Art. 21) leaves a contact out of. A restriction covers every
 * purpose; an objection the ones objected to.
 * - analytics:         the managers' dashboards (like a contact without analysis consent)
 * - bot:               automated answers: the bot stays silent and hands the conversation to a person
 * - optional_messages: sendings the law does not require (follow-up emails, satisfaction surveys, proactive
 *                      messages); replies to the customer on the channel they wrote on are never blocked
 * - processors:        transfers to a processor beyond answering the customer (docs/restriction.md)
 */
export const restrictionPurposes = ['analytics', 'bot', 'optional_messages', 'processors'] as const;
export type RestrictionPurpose = (typeof restrictionPurposes)[number];
export const restrictionKinds = ['restriction', 'objection'] as const;
export type RestrictionKind = (typeof restrictionKinds)[number];

/** A restriction or objection on a contact: in force from setAt until liftedAt; kept (lifted) as the record. */
export const processingRestrictions = pgTable(
  'processing_restrictions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<RestrictionKind>().notNull(),
    purposes: text('purposes').array().$type<RestrictionPurpose[]>().notNull(),
    reason: text('reason').notNull(),
    /** The data-subject request this answers, if any. */
    requestId: uuid('request_id').references(() => privacyRequests.id, { onDelete: 'set null' }),
    setByAgentId: uuid('set_by_agent_id').references(() => agents.id, { onDelete: 'set null' }),
    setAt: timestamp('set_at', { withTimezone: true }).notNull().defaultNow(),
    liftedAt: timestamp('lifted_at', { withTimezone: true }),
    liftedByAgentId: uuid('lifted_by_agent_id').references(() => agents.id, { onDelete: 'set null' }),
    liftReason: text('lift_reason'),
  },
  (t) => [index('processing_restrictions_contact').on(t.contactId)],
);

/**
 * Audit entries written by ingest inside its group-commit statement, waiting to join the hash chain: the
 * chain's lock would serialize every ingest statement, so ingest stages its entries (same shape, no hash) and
 * sealStagedAudit moves them into audit_log in order, shortly after (server/privacy/audit-staging.ts).
 */
export const auditStaged = pgTable('audit_staged', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  actorKind: text('actor_kind').notNull(),
  actorId: text('actor_id'),
  action: text('action').notNull(),
  targetType: text('target_type').notNull(),
  targetId: text('target_id'),
  details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
});
