import { withDatabase } from './cli-database.ts';
import { verifyAuditChain } from './privacy/audit-verify.ts';
import { anchorPath } from './privacy/audit-anchor.ts';
import { openKeyProvider } from './security/keys.ts';
import { secretKeyIds } from './security/stored-secrets.ts';
import { secretSettingsOf } from '../channels/registry.ts';

// `npm run audit:verify`: checks the hash chain of the audit log of the configured database, and the signed
// anchors in DATA_DIR/audit-anchor.jsonl against it (server/privacy/audit-anchor.ts).
await withDatabase(async (config, database) => {
  const keys = openKeyProvider(config, await secretKeyIds(database.db, secretSettingsOf()));
  const result = await verifyAuditChain(database.db, { keys, path: anchorPath(config.dataDir) });
  if (result.ok) {
    const anchored =
      result.anchoredThrough === null
        ? 'no anchor yet'
        : `signed anchors verified through entry ${result.anchoredThrough}`;
    console.log(`Audit log intact: ${result.entries} entries, every link verified; ${anchored}.`);
  } else {
    const { id, reason } = result.firstBroken!;
    console.error(`Audit log BROKEN at entry ${id}: ${reason} (${result.entries} entries read).`);
    process.exitCode = 2;
  }
});
