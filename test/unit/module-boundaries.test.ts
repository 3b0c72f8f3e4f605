import { describe, expect, it } from 'vitest';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';

/**
 * The module boundaries, checked on the import graph (dependency-cruiser; type-only imports count, since
 * they couple modules as much as value imports do):
 * - channels/ reaches server/ only through server/channel-port.ts, the one narrow port a channel may use;
 * - no import cycle anywhere in the tree.
 */
const TREE = ['server', 'channels', 'bot', 'analytics', 'drizzle', 'web', 'test'];

let result: Promise<ICruiseResult> | undefined;
function graph(): Promise<ICruiseResult> {
  result ??= cruise(TREE, {
    baseDir: `${import.meta.dirname}/../..`,
    tsPreCompilationDeps: true,
    exclude: { path: '(^|/)node_modules/|(^|/)dist/|\\.d\\.ts$' },
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    validate: true,
    ruleSet: {
      forbidden: [
        {
          name: 'channels-through-the-port',
          comment: 'channels/ may import from server/ only server/channel-port.ts',
          severity: 'error',
          from: { path: '^channels/' },
          to: { path: '^server/', pathNot: '^server/channel-port\\.ts$' },
        },
        {
          name: 'no-cycles',
          comment: 'an import cycle ties its modules into one',
          severity: 'error',
          from: {},
          to: { circular: true },
        },
      ],
    },
  }).then((r) => r.output as ICruiseResult);
  return result;
}

const describeViolation = (v: IViolation) =>
  v.rule.name === 'no-cycles'
    ? `cycle: ${[v.from, ...(v.cycle ?? []).map((c) => c.name)].join(' -> ')}`
    : `${v.from} -> ${v.to}`;

async function violations(rule: string): Promise<string[]> {
  const { summary } = await graph();
  return [...new Set(summary.violations.filter((v) => v.rule.name === rule).map(describeViolation))].sort();
}

describe('module boundaries', () => {
  it('lets channels/ import from server/ only through the channel port', async () => {
    expect(await violations('channels-through-the-port')).toEqual([]);
  }, 120_000);

  it('has no import cycle', async () => {
    expect(await violations('no-cycles')).toEqual([]);
  }, 120_000);

  it('sees the port: the rule would catch a channel importing a server module', async () => {
    const { modules } = await graph();
    const email = modules.find((m) => m.source === 'channels/email/module.ts');
    expect(email?.dependencies.map((d) => d.resolved)).toContain('server/channel-port.ts');
  }, 120_000);
});
