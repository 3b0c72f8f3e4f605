import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataKeys } from '../../server/security/data-keys.ts';
import { createFileKeyStore, keyStorePath } from '../../server/security/key-store.ts';
import { generateKey, staticKeyProvider } from '../../server/security/keys.ts';

/** Real per-person data keys (a fresh master key, a key store in a temporary directory) for tests without a server. */
export function testDataKeys() {
  const dir = mkdtempSync(join(tmpdir(), 'data-keys-'));
  return createDataKeys(staticKeyProvider([generateKey()], 'test key'), createFileKeyStore(keyStorePath(dir)));
}
