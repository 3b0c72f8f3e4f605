/**
 * New contacts' data keys (issue 22): what a key costs per new contact, made one file per contact (createMany, what
 * ingest did) or taken from the pool of keys made ahead in blocks (newContactKeys, key-blocks.ts). Both in the same
 * run, rounds alternating, each round on a fresh key store directory in the OS temp directory, keys asked for in
 * batches of `--batch` (group-commit batches hold 1–2 new contacts). CPU is the process's (user + system, the
 * background refills included: the round waits for them before reading it); wall is the caller's wait. Prints
 * figures; asserts nothing.
 *
 *   npm run bench:datakeys -- [--keys 2048] [--batch 2] [--rounds 3] [--block 64]
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createDataKeys, type DataKeys } from '../../server/security/data-keys.ts';
import { createFileKeyStore, keyStorePath } from '../../server/security/key-store.ts';
import { generateKey, staticKeyProvider } from '../../server/security/keys.ts';
import { flags, machineLine, sleep, summarize, table } from './lib.ts';

const opts = flags(
  { keys: 2048, batch: 2, rounds: 3, block: 64 },
  'usage: npm run bench:datakeys -- [--keys 2048] [--batch 2] [--rounds 3] [--block 64]',
);
const master = staticKeyProvider([generateKey()], 'bench key');

type Way = 'files' | 'blocks';
const take: Record<Way, (keys: DataKeys, n: number) => Promise<unknown>> = {
  files: (keys, n) => keys.createMany(Array.from({ length: n }, () => randomUUID())),
  blocks: (keys, n) => keys.newContactKeys(n),
};

async function round(way: Way) {
  const dir = keyStorePath(mkdtempSync(join(tmpdir(), 'bench-data-keys-')));
  const keys = createDataKeys(master, createFileKeyStore(dir), { blockSize: opts.block });
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let made = 0; made < opts.keys; made += opts.batch) await take[way](keys, opts.batch);
  const wall = performance.now() - start;
  // A background refill still writing its block: its CPU belongs to this round.
  if (way === 'blocks') {
    const blocks = () =>
      readdirSync(join(dir, 'blocks'), { recursive: true }).filter((f) => String(f).endsWith('.keys'));
    const expected = Math.ceil((opts.keys + 1) / opts.block);
    for (let i = 0; i < 200 && blocks().length < expected; i++) await sleep(5);
  }
  const used = process.cpuUsage(cpu);
  rmSync(dir, { recursive: true, force: true });
  return { cpuUs: (used.user + used.system) / opts.keys, wallUs: (wall * 1000) / opts.keys };
}

const results: Record<Way, Array<{ cpuUs: number; wallUs: number }>> = { files: [], blocks: [] };
await round('files');
await round('blocks');
const load = [loadavg()[0]!];
for (let r = 0; r < opts.rounds; r++) {
  const order: Way[] = r % 2 === 0 ? ['files', 'blocks'] : ['blocks', 'files'];
  for (const way of order) results[way].push(await round(way));
  load.push(loadavg()[0]!);
}

console.log(machineLine());
console.log(
  `${opts.keys} keys per round in batches of ${opts.batch}, ${opts.rounds} rounds each (alternating), ` +
    `blocks of ${opts.block}; load average ${load.map((l) => l.toFixed(1)).join(' → ')}`,
);
const row = (way: Way) => {
  const cpu = summarize(results[way].map((r) => r.cpuUs));
  const wall = summarize(results[way].map((r) => r.wallUs));
  return [
    way,
    results[way].map((r) => r.cpuUs.toFixed(1)).join(' '),
    cpu.mean.toFixed(1),
    results[way].map((r) => r.wallUs.toFixed(1)).join(' '),
    wall.mean.toFixed(1),
  ];
};
console.log(
  table(
    ['per new contact', 'CPU µs per round', 'CPU µs mean', 'wall µs per round', 'wall µs mean'],
    [row('files'), row('blocks')],
  ),
);
