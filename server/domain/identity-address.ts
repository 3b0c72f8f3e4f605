import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.ts';
import type { BlindIndex } from '../security/blind-index.ts';
import type { DataKeys } from '../security/data-keys.ts';
import type { IdentityKind } from '../../drizzle/schema/enums.ts';

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

/** addressToken with the keys bound to the database. */
export const tokenOfAddress = (db: Db, kind: IdentityKind, address: string) =>
  addressToken(identityKeysOf(db).blindIndex, kind, address);

/** A new identity row: its address with token and sealed copy (the contact's data key is created if it has none). */
export async function newIdentity(db: Db, contactId: string, kind: IdentityKind, address: string) {
  const { dataKeys, blindIndex } = identityKeysOf(db);
  const id = randomUUID();
  return {
    id,
    contactId,
    kind,
    address,
    addressToken: addressToken(blindIndex, kind, address),
    sealedAddress: await dataKeys.encrypt(contactId, address, addressContext(id)),
  };
}
