import type { Db } from '../db/client.ts';
import { identityKeysOf } from './identity-address.ts';
import { DATA_PREFIX, isDataSealed, type DataKey, type DataKeys } from '../security/data-keys.ts';
import type { BlindIndex } from '../security/blind-index.ts';
import { sealWithKey } from '../security/secret-box.ts';
import { phoneDigits } from './phone-digits.ts';

/**
 * A contact's name, email address and phone number at rest (issue 22): sealed with the contact's data key
 * (contacts.sealed_name / sealed_email / sealed_phone), each bound to its row and column by the context below, so
 * erasure (which destroys the key) leaves them unreadable in every backup too. The name is found by the search box
 * through keyed blind-index tokens (contacts.name_tokens, kind 'name'), one per normalized word, never by its text;
 * the email address and phone number likewise (email_tokens, phone_tokens: below).
 *
 * There are no plain columns (migration 0049; rows stored before 0046 are sealed by `npm run
 * privacy:encrypt-existing`, which drops them after the last): readers open rows through openContactFields. A value
 * whose key is gone comes back null with `fieldsUnreadable`: a view shows it as unreadable, never crashes.
 */
export const CONTACT_FIELDS = ['name', 'email', 'phone'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];
export type ContactFields = { name: string | null; email: string | null; phone: string | null };

export const contactFieldContext = (field: ContactField, contactId: string) => `contacts.${field}/${contactId}`;

/**
 * The words a name is found by: Unicode-normalized (NFKC), lower-cased, accents kept (a search for "müller" must not
 * find "muller"'s tokens by accident of folding one side only: both sides use this), split on anything not a letter
 * or digit, each word once.
 */
export function nameWords(text: string | null | undefined): string[] {
  if (!text) return [];
  const words = text
    .normalize('NFKC')
    .toLocaleLowerCase('und')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
  return [...new Set(words)];
}

/** The name's tokens (kind 'name'), as stored in contacts.name_tokens and computed for a query. */
export const nameTokens = (blindIndex: BlindIndex, text: string | null | undefined): string[] =>
  nameWords(text).map((w) => blindIndex.token('name', w));

/**
 * An email address's tokens (kind 'email', contacts.email_tokens): the whole address, trimmed and lower-cased (merge
 * suggestions compare it with the identities' and other contacts' addresses), and each of its words as nameWords
 * splits them, marked by a leading space (no trimmed address has one), so a search for "tollenbeck" or
 * "ada.lovelace@example" finds mira.tollenbeck@example.org or ada.lovelace@example.com by whole words. A part of a
 * word ("ollenbeck") finds nothing: a token says nothing about its word's letters.
 */
export function emailTokens(blindIndex: BlindIndex, email: string | null | undefined): string[] {
  const address = email?.trim().toLowerCase();
  if (!address) return [];
  return [blindIndex.token('email', address), ...emailWordTokens(blindIndex, address)];
}

/** The tokens of the words typed, as emailTokens stores them: a contact matches when it holds all of them. */
export const emailWordTokens = (blindIndex: BlindIndex, text: string | null | undefined): string[] =>
  nameWords(text).map((w) => blindIndex.token('email', ` ${w}`));

/** The whole address's token, for an exact comparison (`email_tokens && ...`). */
export const emailAddressToken = (blindIndex: BlindIndex, email: string) =>
  blindIndex.token('email', email.trim().toLowerCase());

export const PHONE_SUFFIX_MIN = 6;
const PHONE_SUFFIX_MAX = 20;

/**
 * A phone number's tokens (kind 'phone', contacts.phone_tokens): of each suffix of 6 to 20 of its digits, as the
 * mention tokens of message text, taken from phoneDigits (an international number's digits with its country code;
 * a national one's without its trunk prefix). A number typed in national format ("0154 9131 5660") gives its
 * national significant number, a suffix of the international form, so it finds "+49 154 9131 5660"; any six digits
 * from the middle of a number no longer do.
 */
export function phoneTokens(blindIndex: BlindIndex, phone: string | null | undefined): string[] {
  const digits = phone ? phoneDigits(phone)?.digits : undefined;
  if (!digits) return [];
  const out: string[] = [];
  for (let n = PHONE_SUFFIX_MIN; n <= Math.min(digits.length, PHONE_SUFFIX_MAX); n++)
    out.push(blindIndex.token('phone', `#${digits.slice(-n)}`));
  return out;
}

/** The token phoneDigits' digits are looked up by (`phone_tokens @> array[token]`): a suffix of the stored number. */
export const phoneDigitsToken = (blindIndex: BlindIndex, digits: string) =>
  blindIndex.token('phone', `#${digits.slice(-PHONE_SUFFIX_MAX)}`);

export type SealedFields = {
  sealedName: string | null;
  sealedEmail: string | null;
  sealedPhone: string | null;
  nameTokens: string[];
  emailTokens: string[];
  phoneTokens: string[];
};

/** The sealed columns of a contact's fields under a key already at hand (a batch of new contacts at ingest). */
export function sealFieldsWithKey(
  blindIndex: BlindIndex,
  key: DataKey,
  contactId: string,
  fields: Partial<ContactFields>,
): SealedFields {
  const seal = (field: ContactField) => {
    const value = fields[field];
    return value == null
      ? null
      : sealWithKey(DATA_PREFIX, key.ref, key.key, value, contactFieldContext(field, contactId));
  };
  return {
    sealedName: seal('name'),
    sealedEmail: seal('email'),
    sealedPhone: seal('phone'),
    nameTokens: nameTokens(blindIndex, fields.name),
    emailTokens: emailTokens(blindIndex, fields.email),
    phoneTokens: phoneTokens(blindIndex, fields.phone),
  };
}

/** The sealed columns for the fields given (only those: a patch leaves the others as they are). */
export async function sealFields(
  keys: { dataKeys: Pick<DataKeys, 'encryptMany'>; blindIndex: BlindIndex },
  contactId: string,
  fields: Partial<ContactFields>,
): Promise<Partial<SealedFields>> {
  const given = CONTACT_FIELDS.filter((f) => fields[f] !== undefined);
  const toSeal = given.filter((f) => fields[f] !== null);
  const sealed = await keys.dataKeys.encryptMany(
    toSeal.map((f) => ({ contactId, plaintext: fields[f]!, context: contactFieldContext(f, contactId) })),
  );
  const column = { name: 'sealedName', email: 'sealedEmail', phone: 'sealedPhone' } as const;
  const out: Partial<SealedFields> = {};
  for (const f of given) out[column[f]] = fields[f] === null ? null : sealed[toSeal.indexOf(f)]!;
  if (fields.name !== undefined) out.nameTokens = nameTokens(keys.blindIndex, fields.name);
  if (fields.email !== undefined) out.emailTokens = emailTokens(keys.blindIndex, fields.email);
  if (fields.phone !== undefined) out.phoneTokens = phoneTokens(keys.blindIndex, fields.phone);
  return out;
}

/** A contact row as read: the sealed columns, those the reader selected (the others open as null). */
export type StoredFields = {
  id: string;
  sealedName?: string | null;
  sealedEmail?: string | null;
  sealedPhone?: string | null;
};

export type OpenedFields<T> = Omit<T, 'sealedName' | 'sealedEmail' | 'sealedPhone'> &
  ContactFields & { fieldsUnreadable?: ContactField[] };

const sealedOf = (row: StoredFields, field: ContactField) =>
  row[field === 'name' ? 'sealedName' : field === 'email' ? 'sealedEmail' : 'sealedPhone'];

/**
 * The rows with name, email and phone readable, in one decryptMany for the whole batch (no key is looked up for
 * rows without a sealed value). A sealed value that cannot be opened (the key is gone) gives null and flags the
 * field in the row's `fieldsUnreadable`.
 */
export async function openContactFields<T extends StoredFields>(
  dataKeys: Pick<DataKeys, 'decryptMany'>,
  rows: readonly T[],
): Promise<Array<OpenedFields<T>>> {
  const wanted: Array<{ row: number; field: ContactField; sealed: string; context: string }> = [];
  rows.forEach((row, i) => {
    for (const field of CONTACT_FIELDS) {
      const sealed = sealedOf(row, field);
      if (isDataSealed(sealed)) wanted.push({ row: i, field, sealed, context: contactFieldContext(field, row.id) });
    }
  });
  const opened = wanted.length ? await dataKeys.decryptMany(wanted) : [];
  const out = rows.map((row) => {
    const { sealedName: _n, sealedEmail: _e, sealedPhone: _p, ...rest } = row;
    return { ...rest, name: null, email: null, phone: null } as OpenedFields<T>;
  });
  wanted.forEach((w, i) => {
    const value = opened[i] ?? null;
    out[w.row]![w.field] = value;
    if (value === null) (out[w.row]!.fieldsUnreadable ??= []).push(w.field);
  });
  return out;
}

/** One contact's fields opened. */
export async function openContact<T extends StoredFields>(
  dataKeys: Pick<DataKeys, 'decryptMany'>,
  row: T,
): Promise<OpenedFields<T>> {
  return (await openContactFields(dataKeys, [row]))[0]!;
}

/** Tokens as one PostgreSQL array literal parameter (base64url: nothing to quote), for `name_tokens @> $1::text[]`. */
export const tokenArray = (tokens: readonly string[]) => `{${tokens.join(',')}}`;

/** Contacts' names alone (a list of conversations, participants, authors), one decryptMany; unreadable: null. */
export async function openNames(
  dataKeys: Pick<DataKeys, 'decryptMany'>,
  rows: ReadonlyArray<{ id: string; sealedName: string | null }>,
): Promise<Array<string | null>> {
  return (await openContactFields(dataKeys, rows)).map((r) => r.name);
}

/** sealFields with the keys bound to the database (a channel or a writer that holds only the Db handle). */
export const sealFieldsOf = (db: Db, contactId: string, fields: Partial<ContactFields>) =>
  sealFields(identityKeysOf(db), contactId, fields);
