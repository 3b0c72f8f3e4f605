import { pgTable, uuid, text, timestamp, bigint, primaryKey } from 'drizzle-orm/pg-core';
import { inboxes } from './inboxes.ts';

/**
 * The IMAP checkpoint of each polled mailbox: the UIDVALIDITY it was read under and the highest UID
 * whose message is committed. Advanced only after the message's ingest committed, so a crash or a
 * dropped connection re-reads at most the message in flight (its replay is a no-op by external id).
 * A changed UIDVALIDITY means the server renumbered the mailbox: reading restarts from UID 1.
 */
export const emailMailboxes = pgTable(
  'email_mailboxes',
  {
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => inboxes.id, { onDelete: 'cascade' }),
    mailbox: text('mailbox').notNull(),
    uidValidity: bigint('uid_validity', { mode: 'number' }).notNull(),
    lastUid: bigint('last_uid', { mode: 'number' }).notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.inboxId, t.mailbox] })],
);
