import { and, eq } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import { contactIdentities } from '../../drizzle/schema/index.ts';
import { newIdentity, openAddress, tokenOfAddress } from '../../server/domain/identity-address.ts';
import type { IdentityKind } from '../../drizzle/schema/enums.ts';

/**
 * Identity addresses are stored only sealed and found by token (issue 22): tests insert, find and read them the way
 * the server does, never through a plain column.
 */
export const identityRow = newIdentity;

/** The condition that finds an identity by its address (its token). */
export const identityIs = (db: Db, kind: IdentityKind, address: string) =>
  and(eq(contactIdentities.kind, kind), eq(contactIdentities.addressToken, tokenOfAddress(db, kind, address)));

/** An identity row's address, opened as a reader does (null when its key is gone). */
export const addressOf = (db: Db, row: { id: string; sealedAddress: string }) => openAddress(db, row);
