import { createHmac, hkdfSync } from 'node:crypto';
import type { DataKeys } from './data-keys.ts';

/**
 * Keyed blind indexes (issue 22): a value that must stay findable after it is encrypted (an email address to
 * thread on, a name or a word to search for) is also stored as a token, HMAC-SHA256 of its normalized form under a
 * key the database never holds. Equal values give equal tokens, so an index on the token finds them; a dump of the
 * database alone shows only tokens, which cannot be reversed or tested against guesses without the key.
 *
 * The key is a random 256-bit key in the key store (key-store.ts, outside the database) under a reserved reference,
 * wrapped by the master key like every data key: `keys:rotate` re-wraps it and the tokens stay valid (a key derived
 * from the master key would change with every rotation and invalidate every index). Each kind of token has its own
 * subkey (HKDF), so an email token cannot be compared with a word token.
 *
 * What it does not protect against (README, threat model): someone who holds the database AND the key store can
 * compute the token of a value they guess and look for it, also in an old backup after an erasure. The person's
 * encrypted values themselves stay unreadable there: their data key is gone.
 */
export const BLIND_INDEX_REF = '00000000-0000-0000-0000-00000000b1d1';

export type BlindIndexKind = 'email' | 'phone' | 'handle' | 'name' | 'word';

/** 128 bits of the HMAC, base64url: 22 characters, collision-free for any realistic number of values. */
const TOKEN_BYTES = 16;

export type BlindIndex = {
  /** The token of an already normalized value. */
  token(kind: BlindIndexKind, normalized: string): string;
  /** The subkey of a kind (for hashing done in SQL); never log or store it. */
  subkey(kind: BlindIndexKind): Buffer;
};

export function blindIndexFromKey(key: Buffer): BlindIndex {
  const subkeys = new Map<BlindIndexKind, Buffer>();
  const subkey = (kind: BlindIndexKind) => {
    let k = subkeys.get(kind);
    if (!k) {
      k = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `privacy-inbox blind index ${kind} v1`, 32));
      subkeys.set(kind, k);
    }
    return k;
  };
  return {
    subkey,
    token: (kind, normalized) =>
      createHmac('sha256', subkey(kind))
        .update(normalized, 'utf8')
        .digest()
        .subarray(0, TOKEN_BYTES)
        .toString('base64url'),
  };
}

/** The blind index of this installation: its key is created in the key store on first use. */
export async function openBlindIndex(dataKeys: DataKeys): Promise<BlindIndex> {
  return blindIndexFromKey((await dataKeys.keyFor(BLIND_INDEX_REF)).key);
}
