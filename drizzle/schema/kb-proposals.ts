import { pgTable, uuid, timestamp, index, uniqueIndex } from 'drizzle-orm/pg-core';
import { kbArticles } from './kb.ts';
import { conversations, messages } from './conversations.ts';
import { agents } from './agents.ts';

/**
 * A customer's question an agent answered, proposed as an example question of a KB article; an admin accepts
 * (the question, as the admin edited it, joins the article) or rejects it. Only for contacts whose current
 * consent grants `bot_training`. The question is not copied here: it is read from the message, so redaction,
 * erasure and retention of the message apply to the proposal too (deleting the message deletes it).
 */
export const kbExampleProposals = pgTable(
  'kb_example_proposals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    articleId: uuid('article_id')
      .notNull()
      .references(() => kbArticles.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    proposedBy: uuid('proposed_by').references(() => agents.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('kb_example_proposals_message_article').on(t.messageId, t.articleId),
    index('kb_example_proposals_conversation').on(t.conversationId),
    index('kb_example_proposals_article').on(t.articleId),
  ],
);
