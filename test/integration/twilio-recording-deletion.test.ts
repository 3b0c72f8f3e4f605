import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { count, eq, isNull } from 'drizzle-orm';
import { openDatabase } from '../../server/db/client.ts';
import { auditLog, inboxes, recordings, retentionPolicies } from '../../drizzle/schema/index.ts';
import { startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.ts';

const DAY = 86_400_000;
const OUR_NUMBER = '+15550100000';
const CALLS = 8;

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );

/**
 * Real server processes on one PostgreSQL database and a local fake Twilio: calls come in and their
 * recordings are scheduled by one server, which then stops; after the deadline two fresh server
 * processes sweep at the same moment. Each recording must be deleted at Twilio exactly once.
 */
describe('Twilio recordings: scheduled deletion across a restart, two servers sweeping at once', () => {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `t_twrec_${randomBytes(4).toString('hex')}`;
  const url = new URL(base);
  url.pathname = `/${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'twilio-rec-'));
  let fake: FakeTwilio;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    await admin.end();
    fake = await startFakeTwilio();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await fake?.close();
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string>) => ({
    ...process.env,
    DATABASE_URL: url.toString(),
    DATA_DIR: dir,
    SEED_DEMO: 'false',
    ADMIN_PASSWORD: 'admin-password-for-tests',
    BOT_ENABLED: 'false',
    BOT_EMBEDDER: 'lexical',
    LOG_LEVEL: 'warn',
    TWILIO_ACCOUNT_SID: fake.accountSid,
    TWILIO_AUTH_TOKEN: fake.authToken,
    TWILIO_API_URL: fake.url,
    OUTBOUND_ALLOW_HOSTS: new URL(fake.url).host,
    ...extra,
  });

  const run = (script: string, extra: Record<string, string>) => {
    // node itself (not npx) so SIGTERM reaches the server, which shuts down cleanly.
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: env(extra),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    return { child, out: () => out, err: () => err };
  };

  it('deletes every recording at Twilio exactly once, locally too, with one audit entry each', async () => {
    // The database and its configuration: a voice inbox, recordings kept one day.
    const setup = await openDatabase({ databaseUrl: url.toString() });
    const [inbox] = await setup.db
      .insert(inboxes)
      .values({ name: 'Phone', channel: 'voice', settings: { phoneNumber: OUR_NUMBER } })
      .returning();
    await setup.db.insert(retentionPolicies).values({ dataClass: 'recordings', retainDays: 1, enabled: true });
    await setup.close();

    // Server A takes the calls.
    const port = await freePort();
    const serverUrl = `http://127.0.0.1:${port}`;
    const a = run('server/main.ts', { PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: serverUrl });
    for (let i = 0; ; i++) {
      const ok = await fetch(`${serverUrl}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 120 || a.child.exitCode !== null) throw new Error(`server A did not start: ${a.err()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    // Recorded almost a day ago: the deadline is a few seconds after server A has gone.
    const deadline = Date.now() + 15_000;
    const voiceUrl = `${serverUrl}/api/twilio/${inbox!.id}/voice`;
    const calls = [];
    for (let i = 0; i < CALLS; i++) {
      calls.push(
        await fake.call(voiceUrl, {
          from: `+1555020${String(i).padStart(4, '0')}`,
          to: OUR_NUMBER,
          seconds: 2,
          startTime: new Date(deadline - DAY),
        }),
      );
    }
    expect(calls.map((c) => c.recordingCallback?.status)).toEqual(Array(CALLS).fill(204));
    const check = await openDatabase({ databaseUrl: url.toString() });
    const scheduled = await check.db.select().from(recordings);
    expect(scheduled).toHaveLength(CALLS);
    for (const r of scheduled) {
      expect(Math.abs(r.deleteAfter.getTime() - deadline)).toBeLessThan(1_000);
      expect(existsSync(join(dir, 'blobs', r.blobId!.slice(0, 2), r.blobId!))).toBe(true);
    }
    a.child.kill('SIGTERM');
    expect(await exited(a.child)).toBe(0);
    expect(fake.deleteRequests).toEqual([]);

    // After the deadline, two fresh server processes sweep at the same moment.
    const startAt = Math.max(deadline + 500, Date.now() + 8_000);
    const sweepers = [0, 1].map(() =>
      run('test/helpers/sweep-worker.ts', { START_AT: String(startAt), DELETIONS_FILE: join(dir, 'unused.txt') }),
    );
    const codes = await Promise.all(sweepers.map((s) => exited(s.child)));
    expect(codes, sweepers.map((s) => s.err()).join('\n')).toEqual([0, 0]);
    const results = sweepers.map((s) => JSON.parse(s.out().trim().split('\n').at(-1)!));
    expect(results.reduce((sum, r) => sum + r.removed.recordings, 0)).toBe(CALLS);

    const sids = calls.map((c) => c.recordingSid).sort();
    expect([...fake.deletions].sort()).toEqual(sids);
    expect([...fake.deleteRequests].sort()).toEqual(sids); // one request per recording: nobody deleted twice
    expect(fake.recordings.size).toBe(0);
    expect((await check.db.select({ n: count() }).from(recordings).where(isNull(recordings.deletedAt)))[0]!.n).toBe(0);
    for (const r of scheduled) expect(existsSync(join(dir, 'blobs', r.blobId!.slice(0, 2), r.blobId!))).toBe(false);
    expect(
      (await check.db.select({ n: count() }).from(auditLog).where(eq(auditLog.action, 'recording.deleted')))[0]!.n,
    ).toBe(CALLS);
    await check.close();
  }, 180_000);
});
