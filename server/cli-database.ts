import { join } from 'node:path';
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { createRoot, type AppRoot } from './composition.ts';
import { KeyError } from './security/keys.ts';

// What every operator command (npm run keys:rotate, privacy:*, import, audit:verify) does around its own work: the
// configuration from the environment, the configured database, closed again however the work ends.

/** The configuration, or its error in one line (it names the variable) and exit code 1: never a stack trace. */
function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}

/** Runs `work` on the configured database (PostgreSQL, or the PGlite directory under DATA_DIR). */
export async function withDatabase(work: (config: Config, database: Database) => Promise<void>): Promise<void> {
  const config = loadConfigOrExit();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: join(config.dataDir, 'pglite') });
  try {
    await work(config, database);
  } finally {
    await database.close();
  }
}

/** Runs `work` on the services the server builds (quiet: the command prints its own counts). */
export function withRoot(work: (root: AppRoot, config: Config) => Promise<void>): Promise<void> {
  return withDatabase(async (config, database) =>
    work(await createRoot(config, database, pino({ level: 'warn' })), config),
  );
}

/** A missing or wrong master key is the operator's to fix: its message in one line and exit code 1. */
export async function reportingKeyErrors(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (!(err instanceof KeyError)) throw err;
    console.error(err.message);
    process.exitCode = 1;
  }
}
