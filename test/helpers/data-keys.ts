import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataKeys, type DataKeys } from '../../server/security/data-keys.ts';
import { createFileKeyStore, keyStorePath } from '../../server/security/key-store.ts';
import { generateKey, staticKeyProvider } from '../../server/security/keys.ts';

/**
 * Real per-person data keys (a fresh master key, a key store in a temporary directory) for tests without a server.
 * `reopen()` gives the same keys with an empty cache, as a restarted server has them.
 */
export function testDataKeys(): DataKeys & { reopen(): DataKeys } {
  const dir = mkdtempSync(join(tmpdir(), 'data-keys-'));
  const master = staticKeyProvider([generateKey()], 'test key');
  const open = () => createDataKeys(master, createFileKeyStore(keyStorePath(dir)));
  return Object.assign(open(), { reopen: open });
}
