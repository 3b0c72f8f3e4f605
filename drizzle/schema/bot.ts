import { pgTable, uuid, text, timestamp, jsonb, real, index } from 'drizzle-orm/pg-core';
import { conversations, messages } from './conversations.ts';

/**
 * Every bot decision with its candidates and reason, shown to agents; expired by the bot_logs policy.
 * What the decision reveals of the person's question (which articles came close, and how close) is sealed in
 * `scores` with the contact's data key (server/bot/decision-scores.ts); action and reason are a fixed vocabulary
 * that analytics groups by, and stay plain. `confidence` and `candidates` hold values only on rows written before
 * encryption, until `npm run privacy:encrypt-existing` has sealed them.
 */
export const botDecisions = pgTable(
  'bot_decisions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    reason: text('reason').notNull(),
    confidence: real('confidence'),
    candidates: jsonb('candidates').$type<Array<{ articleId: string; score: number }>>().notNull().default([]),
    /** `pdk:v1:…`: { confidence, candidates } sealed with the conversation contact's data key, bound to the row. */
    scores: text('scores'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('bot_decisions_conversation').on(t.conversationId),
    index('bot_decisions_created').on(t.createdAt),
    // The ON DELETE SET NULL of message_id looks rows up by message: without it every deleted message
    // (erasure, retention) scans the whole table.
    index('bot_decisions_message').on(t.messageId),
  ],
);
