import { pgTable, uuid, smallint, timestamp, index, uniqueIndex, check } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { conversations } from './conversations.ts';

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
