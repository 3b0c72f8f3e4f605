import { pgTable, uuid, text, timestamp, jsonb, integer, index } from 'drizzle-orm/pg-core';
import { inboxes } from './inboxes.ts';
import { conversations } from './conversations.ts';
import { contactIdentities } from './contacts.ts';

/** One opening window of a weekday, local times "HH:MM" in the inbox's time zone (close after open). */
export type OpeningWindow = { day: number; open: string; close: string };

/**
 * An inbox's business hours (server/domain/business-hours.ts): weekly windows in an IANA time zone, closed on
 * the listed holidays (local dates, YYYY-MM-DD). No row: the team is always reachable, as before.
 */
export const inboxBusinessHours = pgTable('inbox_business_hours', {
  inboxId: uuid('inbox_id')
    .primaryKey()
    .references(() => inboxes.id, { onDelete: 'cascade' }),
  timeZone: text('time_zone').notNull(),
  windows: jsonb('windows').$type<OpeningWindow[]>().notNull().default([]),
  holidays: jsonb('holidays').$type<string[]>().notNull().default([]),
  /** A chat visitor whose widget has been disconnected this long gets agents' replies by email (if they left one). */
  visitorGoneMinutes: integer('visitor_gone_minutes').notNull().default(5),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * What the chat knows about its visitor beyond the messages: when they last read the conversation ("seen"),
 * when their widget went away, and the email address they left so the conversation can go on by email
 * (with the consent to that in the ledger). Typing is never stored.
 */
export const chatVisitorStates = pgTable(
  'chat_visitor_states',
  {
    conversationId: uuid('conversation_id')
      .primaryKey()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    visitorReadAt: timestamp('visitor_read_at', { withTimezone: true }),
    /** Null while a widget of the visitor is connected (or before we saw one). */
    visitorLeftAt: timestamp('visitor_left_at', { withTimezone: true }),
    /** The email identity (of the conversation's contact) replies go to while the visitor is away. */
    followupIdentityId: uuid('followup_identity_id').references(() => contactIdentities.id, { onDelete: 'set null' }),
    /** The email inbox whose SMTP sends them. */
    followupInboxId: uuid('followup_inbox_id').references(() => inboxes.id, { onDelete: 'set null' }),
    followupSince: timestamp('followup_since', { withTimezone: true }),
    /** Agent replies created up to this time have been emailed (or were read in the widget). */
    emailedUntil: timestamp('emailed_until', { withTimezone: true }),
    /** The first follow-up mail's Message-ID: later mails reference it, so the customer sees one thread. */
    threadMessageId: text('thread_message_id'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // Foreign keys followed on delete (set null): indexed, or erasing an identity or inbox scans the table.
  (t) => [
    index('chat_visitor_states_identity').on(t.followupIdentityId),
    index('chat_visitor_states_inbox').on(t.followupInboxId),
  ],
);
