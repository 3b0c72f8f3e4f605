import { and, desc, eq, ilike, isNull, lt, or, sql } from 'drizzle-orm';
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
  const c = contact.c;
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    phone: c.phone,
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

/** Keyset pagination by (created_at, id); `q` matches name, email or phone; only contacts `scope` shows. */
export async function listContacts(
  db: Db,
  query: { q?: string; cursor?: { createdAt: Date; id: string }; limit: number },
  scope: InboxIds = null,
) {
  const filters = [];
  const visible = contactVisible(contacts.id, scope);
  if (visible) filters.push(visible);
  if (query.q) {
    const like = `%${query.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    filters.push(or(ilike(contacts.name, like), ilike(contacts.email, like), ilike(contacts.phone, like))!);
  }
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
  return {
    items: page.map(({ c, lastSeen: seen }): ContactListItem => ({
      id: c.id,
      name: c.name,
      email: c.email,
      phone: c.phone,
      lastSeenAt: new Date(seen ?? c.createdAt).toISOString(),
    })),
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
