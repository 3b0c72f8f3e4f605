import { pgTable, uuid, text, timestamp, uniqueIndex, index } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { identityKindEnum } from './enums.ts';

export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /**
     * The name, email and phone sealed with the contact's data key (server/domain/contact-fields.ts): erasure shreds
     * them. There are no plain columns (migration 0049): a backup holds these fields only sealed.
     */
    sealedName: text('sealed_name'),
    sealedEmail: text('sealed_email'),
    sealedPhone: text('sealed_phone'),
    /** Keyed blind-index tokens of the name's words (kind 'name'): the search box finds a name by them. */
    nameTokens: text('name_tokens').array(),
    /** Tokens of the email address (whole, and its words) and of the phone's digit suffixes (contact-fields.ts). */
    emailTokens: text('email_tokens').array(),
    phoneTokens: text('phone_tokens').array(),
    locale: text('locale'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('contacts_name_tokens').using('gin', t.nameTokens),
    index('contacts_email_tokens').using('gin', t.emailTokens),
    index('contacts_phone_tokens').using('gin', t.phoneTokens),
  ],
);

/** One row per address a contact is known by on a channel: the key of identity resolution. */
export const contactIdentities = pgTable(
  'contact_identities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    kind: identityKindEnum('kind').notNull(),
    /**
     * Keyed blind index of the address (server/domain/identity-address.ts): equal addresses give equal tokens, so
     * identity resolution (ingest, widget visitor tokens, threading, the request page, search) finds a person by it.
     * There is no plain address column (migration 0043): a backup holds the address only sealed.
     */
    addressToken: text('address_token').notNull(),
    /**
     * The address sealed with the contact's data key (data-keys.ts), bound to this row (addressContext): every reader
     * opens it; erasure shreds it.
     */
    sealedAddress: text('sealed_address').notNull(),
    /**
     * Slack identities only: the token of the member id alone (memberToken in identity-address.ts). Their address is
     * "<the member's workspace>:<member id>", but the request page is given a member id, without the workspace (a
     * Slack Connect member's is another organisation's): it finds the member by this token. Null for other kinds.
     */
    memberToken: text('member_token'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * When the identity was last used to reach us. Kept for widget visitors (their token stops working after
     * VISITOR_TOKEN_IDLE_DAYS without use); written at most once an hour, so it is a coarse clock.
     */
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('contact_identities_kind_token').on(t.kind, t.addressToken),
    index('contact_identities_contact').on(t.contactId),
    index('contact_identities_member_token')
      .on(t.memberToken)
      .where(sql`${t.memberToken} is not null`),
  ],
);
