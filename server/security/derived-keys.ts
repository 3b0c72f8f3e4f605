import { hkdfSync } from 'node:crypto';
import type { MasterKey } from './keys.ts';

/**
 * A key for one purpose, derived from a master key with HKDF-SHA256 (RFC 5869): the master key itself is never
 * used for two things, and a derived key reveals nothing about the master key or the other derived keys.
 * Anything made with a derived key records the master key's id, so it stays checkable after a rotation for as
 * long as the old key is kept (ENCRYPTION_DECRYPT_KEYS, or the key file's later lines).
 */
export type KeyPurpose = 'audit-anchor' | 'erased-subjects' | 'file-links';

export function derivedKey(master: MasterKey, purpose: KeyPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', master.key, Buffer.alloc(0), `privacy-inbox ${purpose} v1`, 32));
}
