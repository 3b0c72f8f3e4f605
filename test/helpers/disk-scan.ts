import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { rowsOf, type Database } from '../../server/db/client.ts';

/**
 * The files that hold a database's tables, indexes and TOAST data, after a CHECKPOINT has written every page out:
 * PGlite's `base/` under its data directory; on PostgreSQL (running on this machine) the files
 * pg_relation_filepath names, every 1 GB segment of them. WAL is not included (see README, "what stays on disk").
 */
export async function relationFiles(database: Database, pgliteDir?: string): Promise<string[]> {
  await database.db.execute(sql`checkpoint`);
  if (database.driver === 'pglite') {
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? walk(path) : [path];
      });
    return walk(join(pgliteDir!, 'base'));
  }
  const [setting] = rowsOf<{ dir: string }>(
    await database.db.execute(sql`select current_setting('data_directory') as dir`),
  );
  const dir = setting!.dir;
  const paths = rowsOf<{ path: string }>(
    await database.db.execute(sql`select pg_relation_filepath(c.oid) as path from pg_class c
      where c.relkind in ('r', 'i', 't', 'm') and pg_relation_filepath(c.oid) is not null`),
  );
  const files: string[] = [];
  for (const { path } of paths)
    for (let segment = 0; ; segment++) {
      const file = join(dir, segment === 0 ? path : `${path}.${segment}`);
      if (!existsSync(file)) break;
      files.push(file);
    }
  return files;
}

/** Which of the needles appear (as UTF-8 bytes) in which files. */
export function findInFiles(files: string[], needles: string[]): Array<{ file: string; needle: string }> {
  const hits: Array<{ file: string; needle: string }> = [];
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      continue; // removed since it was listed (a rewritten table's old file)
    }
    for (const needle of needles) if (bytes.includes(Buffer.from(needle, 'utf8'))) hits.push({ file, needle });
  }
  return hits;
}
