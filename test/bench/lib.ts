/**
 * Small helpers shared by the benchmarks: CLI flags, a throw-away PostgreSQL database per run,
 * percentiles and a plain-text table. Benchmarks print figures; they never assert timings.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import postgres from 'postgres';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const baseDatabaseUrl = () => process.env.DATABASE_URL || DEFAULT_DATABASE_URL;

/** `--name value` / `--flag` options with numeric defaults; unknown flags stop the run with a usage line. */
export function flags<T extends Record<string, number | boolean | string>>(defaults: T, usage: string): T {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const [key, value] of Object.entries(defaults))
    options[key] = { type: typeof value === 'boolean' ? 'boolean' : 'string' };
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const out: Record<string, number | boolean | string> = { ...defaults };
  for (const [key, fallback] of Object.entries(defaults)) {
    const raw = values[key];
    if (raw === undefined) continue;
    if (typeof fallback === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0) {
        console.error(`--${key} must be a non-negative number, got "${String(raw)}"\n${usage}`);
        process.exit(2);
      }
      out[key] = n;
    } else {
      out[key] = raw as boolean | string;
    }
  }
  return out as T;
}

/** A new, empty database on the PostgreSQL server of DATABASE_URL; `drop()` removes it (forcefully). */
export async function freshDatabase(prefix: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const base = baseDatabaseUrl();
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const cleanup = postgres(base, { max: 1, onnotice: () => {} });
      try {
        await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export type Summary = { n: number; p50: number; p95: number; p99: number; max: number; mean: number };

export function summarize(values: number[]): Summary {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  };
}

export const ms = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

/** A fixed-width text table: first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n');
}

export const sleep = (msDelay: number) => new Promise<void>((resolve) => setTimeout(resolve, msDelay));

/** A small deterministic PRNG (mulberry32), so every run draws the same message mix. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Calls `send(i)` for i = 0, 1, ... at a steady `rate` per second for `seconds` (open loop: a slow
 * response never delays the next send, so queueing shows up in the latencies instead of hiding).
 */
export function steadyRate(rate: number, seconds: number, send: (i: number) => void): Promise<number> {
  const total = Math.round(rate * seconds);
  return new Promise((resolve) => {
    if (total === 0) return resolve(0);
    const start = performance.now();
    let sent = 0;
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      while (sent < due) send(sent++);
      if (sent >= total) {
        clearInterval(timer);
        resolve(sent);
      }
    };
    const timer = setInterval(tick, 2);
    tick();
  });
}

/** CPUs and load average: other work on the machine shows up in latencies, so every report states it. */
export const machineLine = () =>
  `${availableParallelism()} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')} (1/5/15 min), node ${process.version}`;
