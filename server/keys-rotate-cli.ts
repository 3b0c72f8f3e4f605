import { reportingKeyErrors, withDatabase } from './cli-database.ts';
import { secretSettingsOf } from '../channels/registry.ts';
import { rotateMasterKey } from './security/rotate.ts';

// `npm run keys:rotate`: re-encrypts every stored secret under a new master key (server/security/rotate.ts).
// It prints key ids and counts, never a key or a secret.
await reportingKeyErrors(() =>
  withDatabase(async (config, database) => {
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
  }),
);
