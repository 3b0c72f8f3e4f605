import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { contactIdentities, contacts, conversations } from '../../drizzle/schema/index.ts';
import type { ContactView } from '../http/views.ts';
import { currentConsent } from '../privacy/consent.ts';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { badRequest, notFound } from './errors.ts';
import { activeHoldsOf } from '../privacy/legal-holds.ts';
import { restrictionsOf } from '../privacy/restriction.ts';
import { withAddresses } from './identity-address.ts';
import { contactVisible, inboxCondition, type InboxIds } from './scope.ts';
import {
  emailWordTokens,
  nameTokens,
  openContact,
  openContactFields,
  phoneDigitsToken,
  tokenArray,
} from './contact-fields.ts';
import { phoneDigits } from './phone-digits.ts';
import { identityKeysOf, tokenOfAddress } from './identity-address.ts';

const lastSeen = sql<Date | null>`(select max(${conversations.lastMessageAt}) from ${conversations}
  where ${conversations.contactId} = ${contacts.id})`;

/** `scope`: the viewer's visible inboxes; the contact's conversations elsewhere are left out of the view. */
export async function getContact(db: Db, id: string, scope: InboxIds = null): Promise<ContactView> {
  const [contact] = await db.select({ c: contacts, lastSeen }).from(contacts).where(eq(contacts.id, id));
  if (!contact) throw notFound('Contact');
  const [identities, consent, convs, legalHolds, restrictions] = await Promise.all([
    // Addresses are stored sealed: opened here (null when the key is gone).
    db
      .select({
        id: contactIdentities.id,
        kind: contactIdentities.kind,
        sealedAddress: contactIdentities.sealedAddress,
      })
      .from(contactIdentities)
      .where(eq(contactIdentities.contactId, id))
      .orderBy(contactIdentities.createdAt)
      .then(async (rows) => (await withAddresses(db, rows)).map(({ kind, address }) => ({ kind, address }))),
    currentConsent(db, id),
    db
      .select({
        id: conversations.id,
        channel: conversations.channel,
        status: conversations.status,
        lastMessageAt: conversations.lastMessageAt,
      })
      .from(conversations)
      .where(
        and(
          eq(conversations.contactId, id),
          inboxCondition(conversations.inboxId, scope),
          isNull(conversations.deletedAt),
        ),
      )
      .orderBy(desc(conversations.lastMessageAt)),
    activeHoldsOf(db, id),
    restrictionsOf(db, id),
  ]);
  const c = await openContact(identityKeysOf(db).dataKeys, contact.c);
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    phone: c.phone,
    unreadable: c.fieldsUnreadable ?? [],
    createdAt: c.createdAt.toISOString(),
    lastSeenAt: new Date(contact.lastSeen ?? c.createdAt).toISOString(),
    identities,
    consent,
    conversations: convs.map((v) => ({ ...v, lastMessageAt: v.lastMessageAt.toISOString() })),
    legalHolds,
    restrictions,
  };
}

export type ContactListItem = {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  lastSeenAt: string;
};

/**
 * `q` as a contact look-up (issue 22: the fields are sealed, so no substring): every word of it among the name's
 * words or among the words of the contact's email address, the end of the contact's phone number (national or
 * international form; contact-fields.ts tokens), or exactly an email address or phone number the contact is known
 * by (identity tokens).
 */
function contactQuery(db: Db, q: string) {
  const { blindIndex } = identityKeysOf(db);
  const tokens = nameTokens(blindIndex, q);
  const emailWords = emailWordTokens(blindIndex, q);
  const phone = phoneDigits(q);
  const addresses = [tokenOfAddress(db, 'email', q.trim()), tokenOfAddress(db, 'email', q.trim().toLowerCase())];
  try {
    addresses.push(tokenOfAddress(db, 'phone', normalizePhone(q)));
  } catch {
    // Not a phone number: looked up as a name or email address only.
  }
  return or(
    tokens.length ? sql`${contacts.nameTokens} @> ${tokenArray(tokens)}::text[]` : undefined,
    emailWords.length ? sql`${contacts.emailTokens} @> ${tokenArray(emailWords)}::text[]` : undefined,
    phone ? sql`${contacts.phoneTokens} @> array[${phoneDigitsToken(blindIndex, phone.digits)}]::text[]` : undefined,
    sql`exists (select 1 from ${contactIdentities} where ${contactIdentities.contactId} = ${contacts.id}
      and ${contactIdentities.addressToken} = any(${tokenArray(addresses)}::text[]))`,
  )!;
}

/** Keyset pagination by (created_at, id); `q` finds a name, email or phone; only contacts `scope` shows. */
export async function listContacts(
  db: Db,
  query: { q?: string; cursor?: { createdAt: Date; id: string }; limit: number },
  scope: InboxIds = null,
) {
  const filters = [];
  const visible = contactVisible(contacts.id, scope);
  if (visible) filters.push(visible);
  if (query.q) filters.push(contactQuery(db, query.q));
  if (query.cursor) {
    const { createdAt, id } = query.cursor;
    filters.push(or(lt(contacts.createdAt, createdAt), and(eq(contacts.createdAt, createdAt), lt(contacts.id, id)))!);
  }
  const rows = await db
    .select({ c: contacts, lastSeen })
    .from(contacts)
    .where(filters.length ? and(...filters) : undefined)
    .orderBy(desc(contacts.createdAt), desc(contacts.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const opened = await openContactFields(
    identityKeysOf(db).dataKeys,
    page.map((r) => r.c),
  );
  return {
    items: page.map(({ lastSeen: seen }, i): ContactListItem => {
      const c = opened[i]!;
      return {
        id: c.id,
        name: c.name,
        email: c.email,
        phone: c.phone,
        lastSeenAt: new Date(seen ?? c.createdAt).toISOString(),
      };
    }),
    next: rows.length > query.limit && last ? { createdAt: last.c.createdAt, id: last.c.id } : null,
  };
}

/**
 * A phone number as entered by an agent, checked with libphonenumber-js and returned in E.164 ("+442079460958").
 * Numbers need their country code ("+44 …" or "0044 …"); anything that names no real number is refused.
 */
export function normalizePhone(value: string): string {
  const trimmed = value.trim().replace(/^00(?=[1-9])/, '+');
  const parsed = parsePhoneNumberFromString(trimmed);
  if (!parsed || !parsed.isValid()) {
    throw badRequest(
      'invalid_phone',
      'This is not a valid phone number. Enter it with its country code, for example +44 20 7946 0958.',
    );
  }
  return parsed.number;
}
