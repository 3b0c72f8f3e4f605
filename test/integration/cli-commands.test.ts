import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { dbMode, testDatabase } from '../helpers/db.ts';
import { openDatabase } from '../../server/db/client.ts';
import { plainContactColumnsExist } from '../../server/privacy/contact-columns.ts';

// The operator's commands open the configuration and the database the same way (server/cli-database.ts): a bad
// setting is one line naming it and exit code 1, never a stack trace; a good one reaches the database.
type Run = { status: number; stdout: string; stderr: string };

async function runCli(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)('npx', ['tsx', script, ...args], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    return { status: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { status: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-commands-'));
  dirs.push(dir);
  return dir;
}

const commands: Array<[string, string[]]> = [
  ['server/audit-verify-cli.ts', []],
  ['server/keys-rotate-cli.ts', []],
  ['server/replay-erasures-cli.ts', []],
  ['server/encrypt-existing-cli.ts', []],
  ['server/import-cli.ts', ['--from', 'csv', '--dry-run', 'export.csv']],
];

describe('the operator commands', () => {
  it.each(commands)(
    '%s names a bad setting in one line and exits 1',
    async (script, args) => {
      const run = await runCli(script, args, { LOG_LEVEL: 'loud', DATA_DIR: dataDir() });
      expect(run.stderr).toBe(
        'Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent\n',
      );
      expect(run.stdout).toBe('');
      expect(run.status).toBe(1);
    },
    60_000,
  );

  it(`privacy:encrypt-existing opens the configured database (${dbMode}) and counts what it encrypted`, async () => {
    const database = await testDatabase();
    try {
      const run = await runCli('server/encrypt-existing-cli.ts', [], {
        DATABASE_URL: database.url ?? '',
        DATA_DIR: dataDir(),
        LOG_LEVEL: 'silent',
      });
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain('Encrypted 0 files (0 were already, 0 are missing from the file store)');
      expect(run.status).toBe(0);
    } finally {
      await database.close();
    }
  }, 120_000); // a child process (tsx compiles the CLI): slow on a busy machine

  it(`privacy:encrypt-existing seals the contacts in the plain columns 0049 kept, drops them (${dbMode})`, async () => {
    // The command's own database: on PGlite the directory under DATA_DIR, opened here first (and closed: one process
    // at a time) to leave what 0049 leaves while a contact from before 0046 is unsealed.
    const dir = dataDir();
    const pg = process.env.DATABASE_URL ? await testDatabase() : null;
    const open = async () => pg ?? (await openDatabase({ pgliteDir: join(dir, 'pglite') }));
    let database = await open();
    try {
      await database.db.execute(sql`alter table contacts add column name text, add column email text,
        add column phone text`);
      await database.db.execute(sql`insert into contacts (name, email) values ('Olga Old', 'olga@example.org')`);
      if (!pg) await database.close();
      const run = await runCli('server/encrypt-existing-cli.ts', [], {
        DATABASE_URL: pg?.url ?? '',
        DATA_DIR: dir,
        LOG_LEVEL: 'silent',
      });
      if (!pg) database = await open();
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain('Contacts: 1 of 1');
      expect(run.stdout).toContain('and the name, email and phone of 1 contacts.');
      expect(run.status).toBe(0);
      expect(await plainContactColumnsExist(database.db)).toBe(false);
    } finally {
      await database.close();
    }
  }, 120_000);
});
