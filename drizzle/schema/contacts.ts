import { isNull } from 'drizzle-orm';
import { pgTable, uuid, text, timestamp, uniqueIndex, index } from 'drizzle-orm/pg-core';
import { identityKindEnum } from './enums.ts';

export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Issue 22, transitional: rows stored before migration 0044 until `privacy:encrypt-existing` seals them. */
    name: text('name'),
    email: text('email'),
    phone: text('phone'),
    /** The fields sealed with the contact's data key (server/domain/contact-fields.ts): erasure shreds them. */
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
     * The address as given (issue 22: transitional). Readers still show it; lookups go by address_token, and
     * sealed_address is what stays once every reader opens that instead (then this column goes).
     */
    address: text('address').notNull(),
    /**
     * Keyed blind index of the address (server/domain/identity-address.ts): equal addresses give equal tokens, so
     * identity resolution (ingest, widget visitor tokens, threading, the request page) finds a person by it.
     * Null only on rows stored before it existed, until `npm run privacy:encrypt-existing` has run.
     */
    addressToken: text('address_token'),
    /** The address sealed with the contact's data key (data-keys.ts), bound to this row: erasure shreds it. */
    sealedAddress: text('sealed_address'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * When the identity was last used to reach us. Kept for widget visitors (their token stops working after
     * VISITOR_TOKEN_IDLE_DAYS without use); written at most once an hour, so it is a coarse clock.
     */
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('contact_identities_kind_token').on(t.kind, t.addressToken),
    // Rows stored before the token existed stay unique and findable by address until they are migrated.
    uniqueIndex('contact_identities_kind_address').on(t.kind, t.address).where(isNull(t.addressToken)),
    index('contact_identities_contact').on(t.contactId),
  ],
);
