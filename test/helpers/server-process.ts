/**
 * One real server as its own process, for the multi-server and fault tests (test/helpers/processes.ts
 * starts it). Configuration comes from the environment exactly as in production (server/main.ts);
 * the process prints one JSON line on stdout when it listens:
 *   {"type":"ready","url":"http://127.0.0.1:<port>","pid":<pid>,"inboxId":<with CHAT_INBOX set>}
 * Closing stdin or SIGTERM closes it cleanly; the fault tests kill it with SIGKILL instead.
 * Logs go to stderr so stdout stays a clean protocol channel.
 */
import { loadConfig } from '../../server/config.ts';
import { startServer } from '../../server/server.ts';
import { surviveUnhandledRejections } from '../../server/process-safety.ts';
import { inboxes } from '../../drizzle/schema/index.ts';

const config = loadConfig({
  SEED_DEMO: 'false',
  BOT_ENABLED: 'false',
  BOT_EMBEDDER: 'lexical',
  LOG_LEVEL: 'warn',
  ...process.env,
});
const server = await startServer(config, { logStream: process.stderr });
surviveUnhandledRejections(server.fastify.log); // as server/main.ts does
// CHAT_INBOX=name: make sure a chat inbox of that name exists (a PGlite directory is open to this process only).
let inboxId: string | undefined;
if (process.env.CHAT_INBOX) {
  const { eq } = await import('drizzle-orm');
  const [found] = await server.root.db
    .select({ id: inboxes.id })
    .from(inboxes)
    .where(eq(inboxes.name, process.env.CHAT_INBOX));
  inboxId =
    found?.id ??
    (await server.root.db.insert(inboxes).values({ name: process.env.CHAT_INBOX, channel: 'chat' }).returning())[0]!.id;
}
process.stdout.write(`${JSON.stringify({ type: 'ready', url: server.url, pid: process.pid, inboxId })}\n`);

let stopping: Promise<void> | undefined;
const stop = () =>
  (stopping ??= server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  ));
process.stdin.on('end', stop).resume();
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
