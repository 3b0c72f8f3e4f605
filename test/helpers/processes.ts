import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { KEY_STORE_DIR_NAME } from '../../server/security/key-store.ts';

const here = dirname(fileURLToPath(import.meta.url));
const children = new Set<ChildProcess>();
// A test that fails half-way must not leave servers running on the shared machine.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export const ADMIN_EMAIL = 'admin@scale.example';
export const ADMIN_PASSWORD = 'admin-password-for-scale-tests';
/** Every server of one installation needs the same master key: the processes of a test file share this one. */
export const ENCRYPTION_KEY = randomBytes(32).toString('base64');

/**
 * Every server of one installation shares the key store (DATA_DIR/keys: the data keys and the blind index's key, so
 * one address gives one token on every server), as the README tells operators ("Several servers": one filesystem
 * mounted on each). Each process keeps its own DATA_DIR; its keys directory is a link to this one, made on first use
 * and removed when the test file's process exits.
 */
let sharedKeysDir: string | undefined;
function shareKeyStore(dataDir: string): void {
  if (!sharedKeysDir) {
    const dir = (sharedKeysDir = mkdtempSync(join(tmpdir(), 'scale-keys-')));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const keys = join(dataDir, KEY_STORE_DIR_NAME);
  if (!existsSync(keys)) symlinkSync(sharedKeysDir, keys, 'dir');
}

/**
 * The environment of a server whose tests play many clients from one machine: the loopback test client is
 * trusted as the proxy, so the X-Forwarded-For it sends is the client address rate limits count.
 */
export const LOOPBACK_PROXY = { TRUST_PROXY: '127.0.0.1' } as const;

/**
 * A real server in its own OS process (test/helpers/server-process.ts), on a fixed port so that a
 * restarted process comes back at the same address, as behind a load balancer. `kill('SIGKILL')` is
 * the crash of the fault tests; `start()` again is the restart.
 */
export class ServerProcess {
  private child: ChildProcess | undefined;
  private stderrTail = '';
  readonly url: string;
  /** The chat inbox the process made sure of (env CHAT_INBOX), from its ready line. */
  inboxId: string | undefined;

  private constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** env: DATABASE_URL (several processes cannot share one PGlite directory), REDIS_URL, ... */
  static async create(env: Record<string, string>): Promise<ServerProcess> {
    const port = await freePort();
    const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'scale-server-'));
    shareKeyStore(dataDir);
    return new ServerProcess(port, {
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      ENCRYPTION_KEY,
      ...env,
      DATA_DIR: dataDir,
    });
  }

  /** The process's DATA_DIR (its PGlite database when DATABASE_URL is unset, and its blob store). */
  get dataDir(): string {
    return this.env.DATA_DIR!;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    if (this.running) throw new Error('already running');
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'server-process.ts')], {
      env: { ...process.env, ...this.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    children.add(child);
    child.once('exit', () => children.delete(child));
    this.stderrTail = '';
    child.stderr!.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-4000);
    });
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`server did not start in ${timeoutMs} ms: ${this.stderrTail}`)),
        timeoutMs,
      );
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.includes('"ready"')) {
          this.inboxId = (JSON.parse(line) as { inboxId?: string }).inboxId;
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`server exited before it was ready (${code ?? signal}): ${this.stderrTail}`));
      });
    });
    await ready;
  }

  /** Output the process wrote to stderr lately (its log lines at LOG_LEVEL). */
  get stderr(): string {
    return this.stderrTail;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }

  /** A clean shutdown (closes stdin, as a process manager's stop would send SIGTERM). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = once(child, 'exit');
    child.stdin!.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.env.DATA_DIR!, { recursive: true, force: true });
  }
}

/**
 * A new, empty database on the PostgreSQL server of DATABASE_URL (or the machine's default one):
 * the multi-process tests need one database that several processes open. `drop()` removes it.
 */
export async function scratchDatabase(
  prefix: string,
  base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
) {
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
