import { pgTable, text, timestamp, uuid, integer, uniqueIndex, index } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { messages } from './conversations.ts';

/**
 * Slack event ids already handled. Slack redelivers an event it thinks was not acknowledged (the
 * X-Slack-Retry-Num header); a retry whose id is here is answered at once and stores nothing. Rows
 * are only needed for Slack's retry window (minutes), so the file sweep deletes them after a day.
 */
export const slackEvents = pgTable('slack_events', {
  eventId: text('event_id').primaryKey(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Files shared in a Slack message, one row per (message, Slack file). Written in the transaction that
 * marks the event handled, so the webhook can answer Slack before the (possibly large) download;
 * a sweep downloads what is pending, with backoff. The key makes each file an attachment at most
 * once, however often the event is delivered. Once stored, name and URL are cleared: the
 * attachment row holds the file's name from then on.
 */
export const slackFiles = pgTable(
  'slack_files',
  {
    // Its own id, like every table reached from a contact: export pages through rows by id.
    id: uuid('id').primaryKey().defaultRandom(),
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    fileId: text('file_id').notNull(),
    name: text('name'),
    mimetype: text('mimetype'),
    urlPrivate: text('url_private'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).defaultNow(),
    lastError: text('last_error'),
    storedAt: timestamp('stored_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('slack_files_message_file').on(t.messageId, t.fileId),
    index('slack_files_due')
      .on(t.nextAttemptAt)
      .where(sql`${t.storedAt} is null`),
  ],
);
