import { join } from 'node:path';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/client.ts';
import { secretSettingsOf } from '../channels/registry.ts';
import { KeyError } from './security/keys.ts';
import { rotateMasterKey } from './security/rotate.ts';

// `npm run keys:rotate`: re-encrypts every stored secret under a new master key (server/security/rotate.ts).
// It prints key ids and counts, never a key or a secret.
let config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}
const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: join(config.dataDir, 'pglite') });
try {
  const result = await rotateMasterKey(config, database.db, secretSettingsOf());
  console.log(`Re-encrypted ${result.resealed} secrets under key ${result.currentKeyId} (${result.source}).`);
  console.log(`Wrapped ${result.rewrappedDataKeys} personal data keys under it (DATA_DIR/keys).`);
  if (result.retiredOldKeys) console.log('The old keys were removed from the key file: nothing uses them any more.');
  if (result.unreadable > 0) {
    console.error(
      `${result.unreadable} secrets or data keys are encrypted under a key this server lacks: ` +
        'add it to ENCRYPTION_DECRYPT_KEYS and run again.',
    );
    process.exitCode = 2;
  } else if (result.stillUsed.length > 0) {
    console.error(`Key ${result.stillUsed.join(', ')} is still used (written while this ran): run again.`);
    process.exitCode = 2;
  } else if (!result.retiredOldKeys) {
    console.log('Every secret now uses ENCRYPTION_KEY: remove the old key from ENCRYPTION_DECRYPT_KEYS everywhere.');
  }
} catch (err) {
  if (!(err instanceof KeyError)) throw err;
  console.error(err.message);
  process.exitCode = 1;
} finally {
  await database.close();
}
