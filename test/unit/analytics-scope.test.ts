import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { getTableName } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import * as schema from '../../drizzle/schema/index.ts';
import { scopedRelations } from '../../analytics/scope.ts';

/**
 * analytics/ reads data only through the consent scope. Only the scope layer (analytics/scope.ts and
 * analytics/scope/: the refresh and the bucket builder) may name a table; every other module is checked
 * here: no schema import (enum types aside), no query builder or raw SQL escape hatch, and every relation
 * its SQL reads (FROM, JOIN, comma lists) is one of the scoped relations (the rollup cells of consenting
 * contacts), never a table, the rollup tables included.
 */
const ROOT = join(import.meta.dirname, '../../analytics');
const SCOPE_MODULE = 'scope.ts';
const SCOPE_LAYER = (name: string) => name === SCOPE_MODULE || name.startsWith('scope/');
const tableNames = (Object.values(schema) as unknown[])
  .filter((v): v is PgTable => v instanceof PgTable)
  .map((t) => getTableName(t));
const allowed = new Set<string>(scopedRelations);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The SQL text of every sql`...` template, with ${...} parameters and string literals blanked out. */
function sqlTemplates(source: string): string[] {
  return [...source.matchAll(/\bsql`((?:[^`\\]|\\.)*)`/g)].map((m) =>
    m[1]!
      .replace(/\$\{[^}]*\}/g, ' ? ')
      .replace(/'(?:[^']|'')*'/g, " '' ")
      .replace(/--[^\n]*/g, ' '),
  );
}

/** Everything wrong with one analytics module's source; empty when it reads only through the scope. */
export function scopeViolations(source: string): string[] {
  const problems: string[] = [];
  for (const m of source.matchAll(/from\s+['"]([^'"]+)['"]/g)) {
    const spec = m[1]!;
    if (spec.includes('drizzle/schema') && !spec.endsWith('drizzle/schema/enums.ts'))
      problems.push(`imports tables: ${spec}`);
    if (spec.includes('drizzle/catalog') || spec.includes('server/domain') || spec.includes('server/privacy'))
      problems.push(`imports a data module: ${spec}`);
  }
  for (const m of source.matchAll(/import\s+\{([^}]*)\}\s+from\s+['"]drizzle-orm['"]/g)) {
    const names = m[1]!
      .split(',')
      .map((n) => n.trim().replace(/^type\s+/, ''))
      .filter(Boolean);
    for (const name of names) if (name !== 'sql' && name !== 'SQL') problems.push(`uses drizzle-orm's ${name}`);
  }
  if (/\bsql\.(raw|identifier)\b/.test(source)) problems.push('builds SQL from raw strings (sql.raw / sql.identifier)');
  if (
    /\.(execute|select|selectDistinct|insert|update|delete|query)\s*[(.]/.test(source.replace(/\bscopedQuery\b/g, ''))
  ) {
    problems.push('queries the database directly instead of through scopedQuery');
  }
  for (const text of sqlTemplates(source)) {
    for (const m of text.matchAll(/\b(from|join)\s+([a-z_][a-z0-9_.]*)\s*(\(?)/gi)) {
      const target = m[2]!.toLowerCase();
      const isCall = m[3] === '(';
      if (
        m[1]!.toLowerCase() === 'from' &&
        /(extract|substring|trim|overlay|distinct)\s*\([^()]*$/i.test(text.slice(0, m.index))
      )
        continue;
      if (isCall || !allowed.has(target)) problems.push(`reads ${isCall ? `the function ${target}()` : target}`);
    }
    // `from a, b`: every relation of a comma list.
    const commaList = new RegExp(
      [
        String.raw`\b(?:from|join)\s+[a-z_][a-z0-9_]*(?:\s+[a-z_][a-z0-9_]*)?`,
        String.raw`((?:\s*,\s*[a-z_][a-z0-9_.]*(?:\s+[a-z_][a-z0-9_]*)?)+)`,
      ].join(''),
      'gi',
    );
    for (const m of text.matchAll(commaList)) {
      for (const part of m[1]!
        .split(',')
        .map((p) => p.trim().split(/\s+/)[0]!)
        .filter(Boolean)) {
        if (!allowed.has(part.toLowerCase())) problems.push(`reads ${part}`);
      }
    }
    for (const name of tableNames) {
      if (new RegExp(`(?<![.\\w])${name}(?!\\w)`, 'i').test(text)) problems.push(`names the table ${name}`);
    }
  }
  return problems;
}

describe('analytics reads data only through the consent scope', () => {
  const files = sourceFiles(ROOT);

  it('finds the analytics modules (scope, metrics, dashboard)', () => {
    const names = files.map((f) => relative(ROOT, f));
    expect(names).toContain(SCOPE_MODULE);
    expect(names.filter((n) => n.startsWith('metrics/')).length).toBeGreaterThanOrEqual(6);
  });

  it.each(files.filter((f) => !SCOPE_LAYER(relative(ROOT, f))).map((f) => [relative(ROOT, f), f]))(
    '%s reads nothing outside the scope',
    (_name, file) => {
      expect(scopeViolations(readFileSync(file, 'utf8'))).toEqual([]);
    },
  );

  it('catches a module that reads a table, a catalog view or anything unscoped', () => {
    const bad = [
      "import { messages } from '../../drizzle/schema/index.ts';",
      'const q = sql`select count(*) from messages m`;',
      'const q = sql`select 1 from scoped_messages sm join conversations c on c.id = sm.conversation_id`;',
      'const q = sql`select 1 from scoped_contacts s, consent_events e`;',
      'const q = sql`select count(*) from pg_catalog.pg_class`;',
      'const q = sql`select 1 from scoped_messages where exists (select 1 from contacts)`;',
      'const q = sql`select * from scoped_messages ${sql.raw("union select * from messages")}`;',
      'await db.select().from(x);',
      "import { eq } from 'drizzle-orm';",
      'const q = sql`select * from generate_series(1, 3)`;',
      'const q = sql`select sum(n) from analytics_cells`;',
      'const q = sql`select 1 from scoped_cells c join analytics_scope s on true`;',
      'const q = sql`select 1 from scoped_cells c where c.measure = (select k::text from analytics_state)`;',
    ];
    for (const source of bad) expect(scopeViolations(source), source).not.toEqual([]);
    expect(
      scopeViolations(
        "const q = sql`select date_part('epoch', a.x) from scoped_values v " +
          'join scoped_cells sc on sc.measure = v.measure`;',
      ),
    ).toEqual([]);
  });

  it('scopes on the analytics purpose, the latest event per contact, as of now', () => {
    const scope = files
      .filter((f) => SCOPE_LAYER(relative(ROOT, f)))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    expect(scope).toMatch(/purpose = 'analytics'/);
    expect(scope).toMatch(/distinct on \(e\.contact_id\)/);
    expect(scope).toMatch(/order by e\.contact_id, e\.occurred_at desc nulls last, e\.id desc nulls last/);
    expect(scope).toMatch(/occurred_at <= now\(\)/);
    expect(scope).toMatch(/where latest\.granted/);
    // The refresh rechecks changed contacts by the same rule, and the builder reads only their rows.
    expect(scope).toMatch(
      new RegExp(
        [
          String.raw`e\.purpose = 'analytics' and e\.occurred_at <= now\(\)`,
          String.raw`\s+order by e\.occurred_at desc nulls last, e\.id desc nulls last\s+limit 1`,
        ].join(''),
      ),
    );
    const builder = readFileSync(join(ROOT, 'scope/cells.ts'), 'utf8');
    // Every raw source read over the windows is joined to the scope; the other reads (lateral, exists) are
    // per conversation of `cv`, which is.
    const sources = builder.match(/from w join \w+ \w+ on/g) ?? [];
    expect(sources.length).toBe(4);
    expect(builder.match(/analytics_scope s (on|where) s\.contact_id = c\.contact_id/g)?.length).toBe(sources.length);
  });
});
