import { pgTable, uuid, text, timestamp, uniqueIndex, index } from 'drizzle-orm/pg-core';
import { contacts } from './contacts.ts';

/**
 * Numbers that texted STOP to one of our Twilio numbers. While a row exists nothing is sent to that
 * person from that number (by SMS or voice inbox alike: opt-outs are per sender number, as at the
 * carriers); START removes it. Erasing the contact removes it too (there is then nothing to reply to).
 */
export const smsOptOuts = pgTable(
  'sms_opt_outs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Our number (E.164) the person opted out of. */
    twilioNumber: text('twilio_number').notNull(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    /** E.164, as Twilio sends it in From. */
    phone: text('phone').notNull(),
    /** The keyword the person sent (STOP, UNSUBSCRIBE, ...). */
    keyword: text('keyword').notNull(),
    optedOutAt: timestamp('opted_out_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('sms_opt_outs_number_phone').on(t.twilioNumber, t.phone),
    index('sms_opt_outs_contact').on(t.contactId),
  ],
);

/**
 * Twilio status callbacks that arrived before the message they are about had its MessageSid stored
 * (the callback can overtake the commit of the send). Applied, and removed, once the sid is stored.
 */
export const twilioPendingStatuses = pgTable('twilio_pending_statuses', {
  messageSid: text('message_sid').primaryKey(),
  status: text('status').notNull(),
  errorCode: text('error_code'),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});
