/**
 * A server process that starts a retention sweep whose recording provider never answers: it holds
 * the sweep lease mid-sweep until it is killed (test/integration/fault-lease-takeover.test.ts).
 * Prints "holding" once the provider has been called, i.e. the lease is taken and work has begun.
 */
import pino from 'pino';
import { loadConfig } from '../../server/config.ts';
import { openDatabase } from '../../server/db/client.ts';
import { createRoot } from '../../server/composition.ts';
import { sweepRetention } from '../../server/privacy/retention.ts';

const config = loadConfig({ ...process.env, SEED_DEMO: 'false' });
const database = await openDatabase({ databaseUrl: config.databaseUrl, poolSize: 2 });
const root = await createRoot(config, database, pino({ level: 'silent' }));
root.recordingProviders.set('test-provider', {
  deleteRecording() {
    process.stdout.write('holding\n');
    return new Promise(() => {}); // the provider hangs; the process is killed here
  },
});
await sweepRetention(root);
