import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.ts';
import type { BlindIndex } from '../security/blind-index.ts';
import type { DataKeys } from '../security/data-keys.ts';
import type { IdentityKind } from '../../drizzle/schema/enums.ts';
import { asc, type SQL } from 'drizzle-orm';
import { contactIdentities } from '../../drizzle/schema/index.ts';

/**
 * Identity addresses at rest (issue 22): an email address, phone number, Slack id or widget visitor id is stored
 * sealed with its contact's data key (contact_identities.sealed_address, shredded with the person) and found by a
 * keyed blind index (contact_identities.address_token): ingest, widget visitor tokens, threading and the request
 * page look a person up by the token of the address they were given, never by the address.
 *
 * The keys belong to the installation the database serves: createRoot binds them to its Db handle, and identity
 * resolution, which runs in many places that hold only that handle, finds them here.
 */
export type IdentityKeys = { dataKeys: DataKeys; blindIndex: BlindIndex };

const bound = new WeakMap<Db, IdentityKeys>();

export function bindIdentityKeys(db: Db, keys: IdentityKeys): void {
  bound.set(db, keys);
}

export function identityKeysOf(db: Db): IdentityKeys {
  const keys = bound.get(db);
  if (!keys) throw new Error('no data keys are bound to this database (createRoot binds them)');
  return keys;
}

/** The row a sealed address is bound to: a sealed value copied to another identity does not open. */
export const addressContext = (identityId: string) => `contact_identities.address/${identityId}`;

/**
 * The token identities are found by. Email addresses and phone numbers have their own subkeys (a search by email
 * or phone computes the same tokens); Slack and visitor ids share the handle subkey, prefixed with their kind so the
 * two never meet. The address is taken as the channel gives it (channels normalize), as the plain lookup did.
 */
export function addressToken(blindIndex: BlindIndex, kind: IdentityKind, address: string): string {
  if (kind === 'email') return blindIndex.token('email', address);
  if (kind === 'phone') return blindIndex.token('phone', address);
  return blindIndex.token('handle', `${kind}:${address}`);
}

/**
 * A Slack identity's second token, of the member id alone (contact_identities.member_token): its address is
 * "<the member's workspace>:<member id>" (channels/slack/parse.ts), but the request page is given only the member id,
 * and a Slack Connect member's workspace is one the app knows nothing else of. Null for every other kind.
 */
export function memberToken(blindIndex: BlindIndex, kind: IdentityKind, address: string): string | null {
  if (kind !== 'slack') return null;
  return blindIndex.token('handle', `slack-member:${address.slice(address.lastIndexOf(':') + 1)}`);
}

/** The member token a Slack member id is found by (the request page). */
export const tokenOfSlackMember = (db: Db, memberId: string) =>
  memberToken(identityKeysOf(db).blindIndex, 'slack', `:${memberId}`)!;

/** addressToken with the keys bound to the database. */
export const tokenOfAddress = (db: Db, kind: IdentityKind, address: string) =>
  addressToken(identityKeysOf(db).blindIndex, kind, address);

/**
 * A new identity row: the address's token and sealed copy, never the address (the contact's data key is created if
 * it has none).
 */
export async function newIdentity(db: Db, contactId: string, kind: IdentityKind, address: string) {
  const { dataKeys, blindIndex } = identityKeysOf(db);
  const id = randomUUID();
  return {
    id,
    contactId,
    kind,
    addressToken: addressToken(blindIndex, kind, address),
    memberToken: memberToken(blindIndex, kind, address),
    sealedAddress: await dataKeys.encrypt(contactId, address, addressContext(id)),
  };
}

/** Keys that open sealed values (a TextKeys or DataKeys). */
export type OpenKeys = Pick<DataKeys, 'decryptMany'>;

/** What opening an identity's address needs: its row id (the context) and the sealed copy. */
export type SealedIdentity = { id: string; sealedAddress: string };

/**
 * The addresses of these identities, in order, opened with one key look-up per contact. An identity whose key is
 * gone (an erased person in a restored backup) reads as null: the caller shows it as unreadable, never fails.
 */
export function openAddresses(
  keys: OpenKeys | Db,
  identities: readonly SealedIdentity[],
): Promise<Array<string | null>> {
  if (identities.length === 0) return Promise.resolve([]);
  const dataKeys = 'decryptMany' in keys ? keys : identityKeysOf(keys).dataKeys;
  return dataKeys.decryptMany(identities.map((i) => ({ sealed: i.sealedAddress, context: addressContext(i.id) })));
}

/** The identities with their address opened in place of the sealed copy and token (null: unreadable). */
export async function withAddresses<T extends SealedIdentity & { addressToken?: string; memberToken?: string | null }>(
  keys: OpenKeys | Db,
  identities: readonly T[],
): Promise<Array<Omit<T, 'sealedAddress' | 'addressToken' | 'memberToken'> & { address: string | null }>> {
  const opened = await openAddresses(keys, identities);
  return identities.map(({ sealedAddress: _sealed, addressToken: _token, memberToken: _member, ...rest }, n) => ({
    ...rest,
    address: opened[n]!,
  }));
}

/** The identities whose address opens, with it (an unreadable one has nothing left to match or reach). */
export async function readableAddresses<
  T extends SealedIdentity & { addressToken?: string; memberToken?: string | null },
>(keys: OpenKeys | Db, identities: readonly T[]) {
  return (await withAddresses(keys, identities)).filter((i): i is typeof i & { address: string } => i.address !== null);
}

/** The identities matching `where` (a contact's, or one) whose address opens, with it, oldest first. */
export async function readableIdentities(db: Db, where: SQL) {
  const rows = await db
    .select({ id: contactIdentities.id, kind: contactIdentities.kind, sealedAddress: contactIdentities.sealedAddress })
    .from(contactIdentities)
    .where(where)
    .orderBy(asc(contactIdentities.createdAt));
  return readableAddresses(db, rows);
}

/** One identity's address, or null when it cannot be opened. */
export async function openAddress(keys: OpenKeys | Db, identity: SealedIdentity): Promise<string | null> {
  return (await openAddresses(keys, [identity]))[0]!;
}
