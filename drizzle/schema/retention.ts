import { pgTable, uuid, text, timestamp, integer, boolean, index, check } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { retentionClassEnum } from './enums.ts';
import { contacts } from './contacts.ts';
import { conversations } from './conversations.ts';
import { agents } from './agents.ts';

/**
 * One policy per data class; a disabled policy keeps data forever. `enabled`/`retain_days` is the saved value;
 * a tightened value waits out a grace period: until `takes_effect_at` the sweep keeps using the previous value.
 */
export const retentionPolicies = pgTable(
  'retention_policies',
  {
    dataClass: retentionClassEnum('data_class').primaryKey(),
    retainDays: integer('retain_days').notNull(),
    enabled: boolean('enabled').notNull().default(false),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    updatedByAgentId: uuid('updated_by_agent_id').references(() => agents.id, { onDelete: 'set null' }),
    /** The value in force until `takes_effect_at` (null: the saved value is in force). */
    previousEnabled: boolean('previous_enabled'),
    previousRetainDays: integer('previous_retain_days'),
    takesEffectAt: timestamp('takes_effect_at', { withTimezone: true }),
  },
  (t) => [
    check(
      'retention_policies_pending',
      sql`(${t.takesEffectAt} is null) = (${t.previousEnabled} is null)
        and (${t.takesEffectAt} is null) = (${t.previousRetainDays} is null)`,
    ),
  ],
);

/** Freezes a contact or one conversation: retention skips it and erasure is refused while it is active. */
export const legalHolds = pgTable(
  'legal_holds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'cascade' }),
    reason: text('reason').notNull(),
    createdByAgentId: uuid('created_by_agent_id').references(() => agents.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    releasedAt: timestamp('released_at', { withTimezone: true }),
  },
  (t) => [
    index('legal_holds_contact').on(t.contactId),
    index('legal_holds_conversation').on(t.conversationId),
    check('legal_holds_target', sql`(${t.contactId} is not null) <> (${t.conversationId} is not null)`),
  ],
);
