import { pgTable, uuid, text, timestamp, jsonb } from 'drizzle-orm/pg-core';

export const kbArticles = pgTable('kb_articles', {
  id: uuid('id').primaryKey().defaultRandom(),
  title: text('title').notNull(),
  body: text('body').notNull(),
  language: text('language').notNull().default('en'),
  /** Example questions the bot matches against. */
  questions: jsonb('questions').$type<string[]>().notNull().default([]),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
