import type { Db } from '../db/client.ts';
import {
  generateKey,
  keyFilePath,
  keyFileProvider,
  masterKey,
  openKeyProvider,
  parseKey,
  readKeyFile,
  writeKeyFile,
  type KeySettings,
} from './keys.ts';
import { createSecretBox } from './secret-box.ts';
import { createDataKeys } from './data-keys.ts';
import { createFileKeyStore, keyStorePath } from './key-store.ts';
import { resealSecrets, secretKeyIds, type InboxSecretPaths } from './stored-secrets.ts';

export type RotationResult = {
  /** Where the new current key lives: the key file, or ENCRYPTION_KEY (which the operator set). */
  source: string;
  currentKeyId: string;
  resealed: number;
  /** Per-person data keys of the key store (DATA_DIR/keys) wrapped again under the new key. */
  rewrappedDataKeys: number;
  /** Secrets whose key this process lacks (they stay as they are; their key must be supplied to rotate them). */
  unreadable: number;
  /** Keys still named by a ciphertext besides the current one (written under an old key during the run). */
  stillUsed: string[];
  /** Key-file mode: the old keys were removed from the file (nothing uses them any more). */
  retiredOldKeys: boolean;
};

/**
 * `npm run keys:rotate`: every stored secret re-encrypted under a new master key, and every per-person data key of
 * the key store wrapped again under it.
 * - Key file (the default): a new key is generated and written first in DATA_DIR/master.key, the old ones after
 *   it; running servers on that DATA_DIR read the rewritten file by themselves. Once nothing is encrypted under
 *   an old key, the file keeps the new key only.
 * - ENCRYPTION_KEY: the operator has already set the new key there, the old one in ENCRYPTION_DECRYPT_KEYS
 *   (README: rotating on several servers); this re-encrypts everything under ENCRYPTION_KEY and says whether an
 *   old key is still needed.
 * Safe to run while servers run and to run again (a run that was interrupted is finished by the next).
 */
export async function rotateMasterKey(settings: KeySettings, db: Db, paths: InboxSecretPaths): Promise<RotationResult> {
  const inUse = await secretKeyIds(db, paths);
  let provider = openKeyProvider(settings, inUse);
  const path = keyFilePath(settings.dataDir);
  const fileMode = !settings.encryptionKey;
  if (fileMode) {
    writeKeyFile(path, [generateKey(), ...readKeyFile(path)]);
    const extra = settings.decryptKeys.map((k) => parseKey(k, 'ENCRYPTION_DECRYPT_KEYS'));
    provider = keyFileProvider(path, extra);
  }
  const box = createSecretBox(provider);
  const current = provider.current();
  const { resealed, unreadable: unreadableSecrets, keyIds } = await resealSecrets(db, box, paths);
  // The data keys: only their wrapping changes (the data they encrypt is not touched, and stays readable).
  const wrapped = await createDataKeys(provider, createFileKeyStore(keyStorePath(settings.dataDir))).rewrapAll();
  const unreadable = unreadableSecrets + wrapped.unreadable;
  const stillUsed = [...new Set([...keyIds, ...wrapped.masterKeyIds])].filter((id) => id !== current.id);
  let retiredOldKeys = false;
  if (fileMode && unreadable === 0 && stillUsed.length === 0) {
    const keys = readKeyFile(path);
    if (masterKey(keys[0]!).id === current.id) {
      writeKeyFile(path, [keys[0]!]);
      retiredOldKeys = true;
    }
  }
  return {
    source: provider.source,
    currentKeyId: current.id,
    resealed,
    rewrappedDataKeys: wrapped.rewrapped,
    unreadable,
    stillUsed,
    retiredOldKeys,
  };
}
