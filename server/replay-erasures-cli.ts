import { join } from 'node:path';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/client.ts';
import { createRoot } from './composition.ts';
import { eraseContact } from './privacy/erase.ts';
import { replayErasures } from './privacy/erased-subjects.ts';
import pino from 'pino';

// `npm run privacy:replay-erasures`: after restoring an older backup, erases again every contact on the list of
// erased subjects (the restored table and DATA_DIR/erased-subjects.jsonl). Prints counts and ids, never a name.
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
  const root = await createRoot(config, database, pino({ level: 'warn' }));
  const result = await replayErasures(root, async (contactId) => {
    await eraseContact(root, contactId, { kind: 'system', id: null });
  });
  await root.erasedSubjects.scrub();
  await root.auditAnchor.flush();
  console.log(`${result.subjects} erased subjects known; ${result.erased.length} contacts found again and erased.`);
  if (result.unverifiable > 0)
    console.error(`${result.unverifiable} subjects were hashed under a master key this server lacks: not matched.`);
  for (const f of result.failed) console.error(`Contact ${f.contactId} could not be erased: ${f.reason}`);
  if (result.failed.length > 0 || result.unverifiable > 0) process.exitCode = 2;
} finally {
  await database.close();
}
