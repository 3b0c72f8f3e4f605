import { appendFileSync } from 'node:fs';
import pino from 'pino';
import { loadConfig } from '../../server/config.ts';
import { openDatabase } from '../../server/db/client.ts';
import { createRoot } from '../../server/composition.ts';
import { sweepRetention } from '../../server/privacy/retention.ts';

/**
 * A separate server process that runs one retention sweep on DATABASE_URL. Its recording provider
 * appends each deletion to DELETIONS_FILE, so a test can count deletions across processes.
 */
const config = loadConfig({ ...process.env, SEED_DEMO: 'false' });
const database = await openDatabase({ databaseUrl: config.databaseUrl, poolSize: 4 });
const root = await createRoot(config, database, pino({ level: 'silent' }));
root.recordingProviders.set('test-provider', {
  async deleteRecording(sid) {
    appendFileSync(process.env.DELETIONS_FILE!, `${sid}\n`);
    return 'deleted';
  },
});
// Both processes wait for the same moment so their sweeps really overlap.
const startAt = Number(process.env.START_AT ?? 0);
if (startAt > Date.now()) await new Promise((r) => setTimeout(r, startAt - Date.now()));
const result = await sweepRetention(root);
process.stdout.write(JSON.stringify(result) + '\n');
await database.close();
