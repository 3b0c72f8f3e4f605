import { pgTable, uuid, text, timestamp, jsonb } from 'drizzle-orm/pg-core';

/**
 * One import from another helpdesk (server/import/): its minimization plan, chosen before anything was written,
 * and its report (counts and checksums per entity before and after, the data map). `sourceKey` is the SHA-256 of
 * the source files and the plan's options: running the same import again finds this row and resumes it.
 * Counts, field names, table names and checksums only: never a value from the source.
 */
export const imports = pgTable('imports', {
  id: uuid('id').primaryKey().defaultRandom(),
  source: text('source').notNull(),
  sourceKey: text('source_key').notNull().unique(),
  inboxId: uuid('inbox_id').notNull(),
  plan: jsonb('plan').$type<Record<string, unknown>>().notNull(),
  report: jsonb('report').$type<Record<string, unknown>>(),
  state: text('state').$type<'running' | 'done'>().notNull().default('running'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
});
