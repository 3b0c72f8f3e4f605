import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Time-limited leases that let several server processes share one database: exactly one holds a
 * lease (a sweep, later an IMAP mailbox) until it releases it or it expires because its holder died.
 */
export const leases = pgTable('leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});
