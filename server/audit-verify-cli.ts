import { join } from 'node:path';
import { loadConfig } from './config.ts';
import { openDatabase } from './db/client.ts';
import { verifyAuditChain } from './privacy/audit-verify.ts';

// `npm run audit:verify`: checks the hash chain of the audit log of the configured database.
const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: join(config.dataDir, 'pglite') });
try {
  const result = await verifyAuditChain(database.db);
  if (result.ok) {
    console.log(`Audit log intact: ${result.entries} entries, every link verified.`);
  } else {
    const { id, reason } = result.firstBroken!;
    console.error(`Audit log BROKEN at entry ${id}: ${reason} (${result.entries} entries read).`);
    process.exitCode = 2;
  }
} finally {
  await database.close();
}
