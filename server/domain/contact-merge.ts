import type { TextKeys } from './message-text.ts';
import { blindingOf } from './message-store.ts';
import { and, eq, inArray, isNotNull, ne, or, sql, type SQL } from 'drizzle-orm';
import type { DataKeys } from '../security/data-keys.ts';
import type { Db } from '../db/client.ts';
import {
  analyticsConsentQueue,
  analyticsScope,
  consentEvents,
  contactIdentities,
  contacts,
  conversations,
  legalHolds,
  messages,
  smsOptOuts,
} from '../../drizzle/schema/index.ts';
import type { DomainEventBus } from './events.ts';
import { badRequest, notFound } from './errors.ts';
import { contactVisible, type InboxIds } from './scope.ts';
import { appendAudit } from '../privacy/audit.ts';
import { assertNotHeld } from '../privacy/legal-holds.ts';
import { findMentions, type MentionItem } from '../privacy/person-mentions.ts';
import { phoneDigits } from './phone-digits.ts';
import {
  identityKeysOf,
  readableAddresses,
  readableIdentities,
  tokenOfAddress,
  withAddresses,
} from './identity-address.ts';
import {
  emailAddressToken,
  emailWordTokens,
  nameTokens,
  openContact,
  openContactFields,
  phoneDigitsToken,
  sealFields,
  tokenArray,
} from './contact-fields.ts';

/**
 * One person, one contact: merging moves everything of `otherId` under `keptId` and deletes the emptied contact.
 *
 * What moves, and how:
 * - identities (so the messages they wrote and the conversations they take part in follow: authors and
 *   participants point at identities, never at contacts), conversations (their ratings, recordings, files and
 *   bot decisions hang off them), SMS opt-outs, released legal holds (the history of holds stays with the person);
 * - the consent ledger is re-pointed, not copied: each event keeps its id, time, notice hash, channel and evidence
 *   unchanged; only whose ledger it is changes, and the audit entry of the merge records that change (ids only).
 *   Copies would leave the originals to be deleted with the emptied contact, which is a rewrite of the ledger too,
 *   and two rows for one statement. The current consent per purpose is then the person's latest statement on
 *   either channel, which is what they last told us;
 * - analytics: the moved conversations mark their buckets dirty (database triggers), the re-pointed analytics
 *   events queue the kept contact for a recheck, and the emptied contact's pseudonymous key goes with it;
 * - the kept contact keeps its name, email, phone and locale and takes the other's where its own are empty.
 *
 * Refused under a legal hold on either side (a merge rewrites what the hold preserves: 409 legal_hold).
 */
export type MergeDeps = {
  db: Db;
  events: Pick<DomainEventBus, 'publish'>;
  /** The merged contact's data keys move to the kept one: erasing it then destroys them too. */
  dataKeys: Pick<DataKeys, 'adopt'>;
};

export type MergeResult = {
  contactId: string;
  mergedContactId: string;
  moved: { identities: number; conversations: number; consentEvents: number };
};

export async function mergeContacts(
  deps: MergeDeps,
  keptId: string,
  otherId: string,
  actorId: string,
  scope: InboxIds = null,
): Promise<MergeResult> {
  if (keptId === otherId) throw badRequest('merge_same_contact', 'A contact cannot be merged with itself');
  const { db } = deps;
  const result = await db.transaction(async (tx) => {
    // Both rows locked, in id order (two merges of the same pair in opposite directions cannot deadlock).
    const locked = await tx
      .select()
      .from(contacts)
      .where(inArray(contacts.id, [keptId, otherId]))
      .orderBy(contacts.id)
      .for('update');
    const kept = locked.find((c) => c.id === keptId);
    const other = locked.find((c) => c.id === otherId);
    if (!kept || !other) throw notFound('Contact');
    if (scope !== null) {
      // A restricted agent merges only contacts they can see (the route checked `:id`; this is the other one).
      const visible = contactVisible(sql`${otherId}::uuid`, scope);
      const [row] = await tx.select({ ok: sql<boolean>`${visible}` }).from(sql`(select 1) one`);
      if (!row?.ok) throw notFound('Contact');
    }
    await assertNotHeld(tx, { contactId: keptId }, 'Merging these contacts');
    await assertNotHeld(tx, { contactId: otherId }, 'Merging these contacts');

    const visitorIds = (
      await readableAddresses(
        identityKeysOf(db).dataKeys,
        await tx
          .select({ id: contactIdentities.id, sealedAddress: contactIdentities.sealedAddress })
          .from(contactIdentities)
          .where(and(eq(contactIdentities.contactId, otherId), eq(contactIdentities.kind, 'visitor'))),
      )
    ).map((r) => r.address);
    const inboxIds = (
      await tx
        .selectDistinct({ inboxId: conversations.inboxId })
        .from(conversations)
        .where(inArray(conversations.contactId, [keptId, otherId]))
    ).map((r) => r.inboxId);
    const identities = await tx
      .update(contactIdentities)
      .set({ contactId: keptId })
      .where(eq(contactIdentities.contactId, otherId))
      .returning({ id: contactIdentities.id });
    const moved = await tx
      .update(conversations)
      .set({ contactId: keptId })
      .where(eq(conversations.contactId, otherId))
      .returning({ id: conversations.id });
    const consent = await tx
      .update(consentEvents)
      .set({ contactId: keptId })
      .where(eq(consentEvents.contactId, otherId))
      .returning({ id: consentEvents.id });
    await tx.update(smsOptOuts).set({ contactId: keptId }).where(eq(smsOptOuts.contactId, otherId));
    await tx
      .update(legalHolds)
      .set({ contactId: keptId })
      .where(and(eq(legalHolds.contactId, otherId), isNotNull(legalHolds.releasedAt)));
    // The other contact's pseudonym leaves the analytics scope; the kept one is rechecked at the next refresh.
    await tx.delete(analyticsScope).where(eq(analyticsScope.contactId, otherId));
    await tx.delete(analyticsConsentQueue).where(eq(analyticsConsentQueue.contactId, otherId));
    await tx.insert(analyticsConsentQueue).values({ contactId: keptId, dueAt: new Date() });

    // The fields are sealed (contact-fields.ts): opened, and a field taken over sealed again for the kept contact
    // (a value is bound to its row).
    const keys = identityKeysOf(db);
    const [keptOpen, otherOpen] = await openContactFields(keys.dataKeys, [kept, other]);
    const fields = ['name', 'email', 'phone', 'locale'] as const;
    const taken: Partial<Record<(typeof fields)[number], string>> = {};
    for (const field of fields) {
      const value = otherOpen![field];
      if ((keptOpen![field] === null || keptOpen![field] === '') && value) taken[field] = value;
    }
    const { locale, ...sealable } = taken;
    await tx
      .update(contacts)
      .set({
        ...(locale ? { locale } : {}),
        ...(await sealFields(keys, keptId, sealable)),
        updatedAt: new Date(),
      })
      .where(eq(contacts.id, keptId));
    const updated = { id: keptId, name: keptOpen!.name, email: keptOpen!.email, phone: keptOpen!.phone, ...sealable };
    await tx.delete(contacts).where(eq(contacts.id, otherId));
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId,
      action: 'contact.merged',
      targetType: 'contact',
      targetId: keptId,
      details: {
        mergedContactId: otherId,
        identityIds: identities.map((i) => i.id),
        conversationIds: moved.map((c) => c.id),
        consentEventIds: consent.map((c) => c.id),
        fieldsTaken: Object.keys(taken),
        fields: [...Object.keys(taken), 'identities', 'conversations', 'consent'],
      },
    });
    return {
      contact: updated,
      inboxIds,
      visitorIds,
      counts: { identities: identities.length, conversations: moved.length, consentEvents: consent.length },
    };
  });
  // After the commit (a merge that failed must not hand the other contact's keys over): the files and consent
  // evidence that moved stay encrypted under the other contact's key, which now belongs to the kept contact.
  await deps.dataKeys.adopt(keptId, otherId);
  deps.events.publish('contact.merged', {
    contact: result.contact,
    mergedContactId: otherId,
    inboxIds: result.inboxIds,
    visitorIds: result.visitorIds,
  });
  return { contactId: keptId, mergedContactId: otherId, moved: result.counts };
}

/**
 * The contacts columns, always qualified: drizzle writes a column unqualified in a select list, where inside a
 * subquery it would name the subquery's own table.
 */
const C = {
  id: sql.raw('"contacts"."id"'),
  emailTokens: sql.raw('"contacts"."email_tokens"'),
  phoneTokens: sql.raw('"contacts"."phone_tokens"'),
};

/** Emails compare lower-case and trimmed. */
export const normaliseEmail = (value: string) => value.trim().toLowerCase();

/** E.164 (`+4915491315660`) when the number says its country, else null. */
export function toE164(value: string): string | null {
  const phone = phoneDigits(value);
  return phone?.international ? `+${phone.digits}` : null;
}

/** Every email and phone a contact is known by: its own fields and its identities', normalised. */
async function keysOf(db: Db, contactId: string) {
  const [stored] = await db
    .select({
      id: contacts.id,
      sealedEmail: contacts.sealedEmail,
      sealedPhone: contacts.sealedPhone,
    })
    .from(contacts)
    .where(eq(contacts.id, contactId));
  if (!stored) throw notFound('Contact');
  const contact = await openContact(identityKeysOf(db).dataKeys, stored);
  // Addresses are stored sealed: opened to compute the other contacts' tokens.
  const identities = await readableIdentities(db, eq(contactIdentities.contactId, contactId));
  const emails = new Set<string>();
  const phones = new Map<string, { digits: string; international: boolean }>();
  const addPhone = (value: string | null) => {
    const phone = value ? phoneDigits(value) : null;
    if (phone) phones.set(phone.digits, phone);
  };
  if (contact.email) emails.add(normaliseEmail(contact.email));
  addPhone(contact.phone);
  for (const identity of identities) {
    if (identity.kind === 'email') emails.add(normaliseEmail(identity.address));
    if (identity.kind === 'phone') addPhone(identity.address);
  }
  return { emails: [...emails], phones: [...phones.values()] };
}

export type MergeSuggestion = {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  /** What the two contacts share: `email` or `phone` (never the value itself: the agent sees both contacts). */
  matchedOn: Array<'email' | 'phone'>;
};

/**
 * Other contacts that share an email or a phone number with this one, on any channel: the same email on an email
 * identity, a Slack profile or a widget visitor who gave it; the same phone on SMS and voice (any format).
 * Only contacts `scope` shows are suggested.
 */
export async function mergeSuggestions(db: Db, contactId: string, scope: InboxIds = null): Promise<MergeSuggestion[]> {
  const { emails, phones } = await keysOf(db, contactId);
  if (!emails.length && !phones.length) return [];
  const identityOf = (kind: 'email' | 'phone', condition: SQL) =>
    sql`exists (select 1 from ${contactIdentities} i where i.contact_id = ${C.id}
      and i.kind = ${kind} and ${condition})`;
  // Another contact's own email and phone are sealed (contact-fields.ts): matched by their tokens (the whole
  // address; a suffix of the phone's digits, so a national number meets its international form) and by its
  // identities' tokens (their addresses are stored only sealed): an email as normalised, a phone in E.164 (how the
  // channels store them); a national number on file matches other contacts' phone fields only.
  const { blindIndex } = identityKeysOf(db);
  const emailTokens = emails.map((e) => tokenOfAddress(db, 'email', e));
  const phoneTokens = phones.filter((p) => p.international).map((p) => tokenOfAddress(db, 'phone', `+${p.digits}`));
  const emailMatch = emails.length
    ? or(
        sql`${C.emailTokens} && ${tokenArray(emails.map((e) => emailAddressToken(blindIndex, e)))}::text[]`,
        identityOf(
          'email',
          sql`i.address_token in (${sql.join(
            emailTokens.map((t) => sql`${t}`),
            sql`, `,
          )})`,
        ),
      )!
    : sql`false`;
  const phoneMatch = phones.length
    ? or(
        sql`${C.phoneTokens} && ${tokenArray(phones.map((p) => phoneDigitsToken(blindIndex, p.digits)))}::text[]`,
        ...(phoneTokens.length
          ? [
              identityOf(
                'phone',
                sql`i.address_token in (${sql.join(
                  phoneTokens.map((t) => sql`${t}`),
                  sql`, `,
                )})`,
              ),
            ]
          : []),
      )!
    : sql`false`;
  const rows = await db
    .select({
      id: contacts.id,
      sealedName: contacts.sealedName,
      sealedEmail: contacts.sealedEmail,
      sealedPhone: contacts.sealedPhone,
      byEmail: sql<boolean>`${emailMatch}`,
      byPhone: sql<boolean>`${phoneMatch}`,
    })
    .from(contacts)
    .where(and(ne(contacts.id, contactId), or(emailMatch, phoneMatch), contactVisible(contacts.id, scope)))
    .orderBy(contacts.createdAt, contacts.id)
    .limit(50);
  const opened = await openContactFields(identityKeysOf(db).dataKeys, rows);
  return opened.map(({ byEmail, byPhone, fieldsUnreadable: _u, ...c }) => ({
    ...c,
    matchedOn: [...(byEmail ? (['email'] as const) : []), ...(byPhone ? (['phone'] as const) : [])],
  }));
}

export type PersonMatch = {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  /** An address is null when it can no longer be read (its key is gone). */
  identities: Array<{ kind: string; address: string | null }>;
  conversations: number;
  /** Where the inbox opens the contact (its panel sits beside a conversation). */
  latestConversationId: string | null;
  messagesWritten: number;
};

/**
 * "Find this person" for an access or erasure request: every contact whose name, email or phone (its own or an
 * identity's) matches `q` (a phone in any common format), and every message that mentions `q` in its text (a
 * phone in any format: `+49 154 9131 5660`, `0154-9131-5660`, ...: person-mentions.ts), with where it is.
 * For admins and managers.
 */
export async function findPeople(
  db: Db,
  keys: TextKeys & Pick<DataKeys, 'keyFor'>,
  q: string,
): Promise<{ contacts: PersonMatch[]; mentions: number; mentionItems: MentionItem[]; mentionsMore: boolean }> {
  const term = q.trim();
  if (term.length < 2) throw badRequest('query_too_short', 'Search for at least 2 characters');
  const phone = phoneDigits(term);
  // Sealed fields (contact-fields.ts) by their tokens: a name or an email address holding every word typed (whole
  // words: "tollenbeck" finds mira.tollenbeck@example.org, "ollenbeck" does not), a phone number ending with the
  // digits typed (national or international form).
  const { blindIndex } = identityKeysOf(db);
  const tokens = nameTokens(blindIndex, term);
  const emailWords = emailWordTokens(blindIndex, term);
  const text = or(
    tokens.length ? sql`"contacts"."name_tokens" @> ${tokenArray(tokens)}::text[]` : undefined,
    emailWords.length ? sql`${C.emailTokens} @> ${tokenArray(emailWords)}::text[]` : undefined,
    phone ? sql`${C.phoneTokens} @> array[${phoneDigitsToken(blindIndex, phone.digits)}]::text[]` : undefined,
    // Identities' addresses are stored only sealed: found by token, i.e. an exact email address (as typed,
    // lower-cased) or a full international number, not a part of one.
    sql`exists (select 1 from ${contactIdentities} i where i.contact_id = ${C.id} and i.kind = 'email'
      and i.address_token in (${tokenOfAddress(db, 'email', term)},
        ${tokenOfAddress(db, 'email', term.toLowerCase())}))`,
    ...(phone?.international
      ? [
          sql`exists (select 1 from ${contactIdentities} i where i.contact_id = ${C.id} and i.kind = 'phone'
            and i.address_token = ${tokenOfAddress(db, 'phone', `+${phone.digits}`)})`,
        ]
      : []),
  )!;
  const rows = await db
    .select({
      id: contacts.id,
      sealedName: contacts.sealedName,
      sealedEmail: contacts.sealedEmail,
      sealedPhone: contacts.sealedPhone,
      conversations: sql<number>`(select count(*) from ${conversations} c where c.contact_id = ${C.id})::int`,
      latestConversationId: sql<string | null>`(select c.id from ${conversations} c where c.contact_id = ${C.id}
        order by c.last_message_at desc nulls last limit 1)`,
      messagesWritten: sql<number>`(select count(*) from ${messages} m join ${contactIdentities} i
        on i.id = m.author_identity_id where i.contact_id = ${C.id})::int`,
    })
    .from(contacts)
    .where(text)
    .orderBy(contacts.createdAt, contacts.id)
    .limit(100);
  const identities = rows.length
    ? await db
        .select({
          id: contactIdentities.id,
          contactId: contactIdentities.contactId,
          kind: contactIdentities.kind,
          sealedAddress: contactIdentities.sealedAddress,
        })
        .from(contactIdentities)
        .where(
          inArray(
            contactIdentities.contactId,
            rows.map((r) => r.id),
          ),
        )
        .orderBy(contactIdentities.createdAt)
        .then((found) => withAddresses(db, found))
    : [];
  const mentions = await findMentions(db, keys, term, await blindingOf(keys));
  const opened = await openContactFields(identityKeysOf(db).dataKeys, rows);
  return {
    contacts: opened.map(({ fieldsUnreadable: _u, ...r }) => ({
      ...r,
      conversations: Number(r.conversations),
      messagesWritten: Number(r.messagesWritten),
      identities: identities.filter((i) => i.contactId === r.id).map(({ kind, address }) => ({ kind, address })),
    })),
    mentions: mentions.total,
    mentionItems: mentions.items,
    mentionsMore: mentions.more,
  };
}
