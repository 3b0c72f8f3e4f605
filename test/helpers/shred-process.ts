import { once } from 'node:events';
import { createDataKeys } from '../../server/security/data-keys.ts';
import { createFileKeyStore } from '../../server/security/key-store.ts';
import { staticKeyProvider } from '../../server/security/keys.ts';

/**
 * A second process erasing contacts in a key store it shares with the test (data-keys.test.ts): argv are the key
 * store's directory, the master key (base64) and the contact ids. It prints "ready", waits for a line on stdin (so
 * that both processes start at once), erases them all at once and prints "done".
 */
const [dir, master, ...ids] = process.argv.slice(2);
const keys = createDataKeys(staticKeyProvider([Buffer.from(master!, 'base64')], 'test key'), createFileKeyStore(dir!));
console.log('ready');
await once(process.stdin, 'data');
await Promise.all(ids.map((id) => keys.shred(id)));
console.log('done');
process.exit(0);
