import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { eq, like } from 'drizzle-orm';
import { openDatabase, type Database } from '../../server/db/client.ts';
import { inboxes, leases, messages } from '../../drizzle/schema/index.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { eventually, rawMail } from '../helpers/email.ts';

/**
 * Two real server processes on one PostgreSQL database (the deployment the lease is for; PGlite is
 * single-process): exactly one reads the mailbox, and when it is killed (SIGKILL: no shutdown, no
 * lease release) the other takes the mailbox over and nothing is lost or read twice.
 */
describe('a killed mailbox holder is replaced by another server process', () => {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `t_email_${randomBytes(4).toString('hex')}`;
  const url = new URL(base);
  url.pathname = `/${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'email-takeover-'));
  let dovecot: Dovecot;
  let database: Database;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    await admin.end();
    [dovecot, database] = await Promise.all([
      startDovecot(),
      openDatabase({ databaseUrl: url.toString(), poolSize: 2 }),
    ]);
  });
  afterAll(async () => {
    for (const c of children) {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await database?.close();
    await dovecot?.stop();
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  const reader = () =>
    new Promise<ChildProcess>((resolve, reject) => {
      const child = spawn('npx', ['tsx', 'test/helpers/email-reader-process.ts'], {
        env: {
          ...process.env,
          DATABASE_URL: url.toString(),
          DATA_DIR: dir,
          EMAIL_LEASE_SECONDS: '2',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // its own process group: npx and the tsx child it starts die together
      });
      children.push(child);
      let err = '';
      child.stderr!.on('data', (d) => (err += d));
      child.stdout!.on('data', (d) => String(d).includes('ready') && resolve(child));
      child.once('exit', (code) => reject(new Error(`reader exited ${code}: ${err}`)));
    });
  const stored = async () =>
    (
      await database.db
        .select({ id: messages.externalId })
        .from(messages)
        .where(like(messages.externalId, '%takeover-%'))
    )
      .map((r) => r.id!.split('/')[1])
      .sort();

  it('keeps reading after the holder is killed, each message exactly once', async () => {
    const [inbox] = await database.db
      .insert(inboxes)
      .values({
        name: 'Shared mailbox',
        channel: 'email',
        settings: {
          address: 'support@shop.example',
          imap: {
            host: dovecot.host,
            port: dovecot.port,
            secure: false,
            allowPlaintext: true, // the test's Dovecot speaks no TLS
            user: dovecot.user,
            password: dovecot.password,
          },
          smtp: { host: '127.0.0.1', port: 1, secure: false },
        },
      })
      .returning();
    const leaseName = `email:imap:${inbox!.id}:INBOX`;
    const holder = async () => (await database.db.select().from(leases).where(eq(leases.name, leaseName)))[0]?.holder;

    await dovecot.append(rawMail({ messageId: '<takeover-1@customer.example>' }));
    const [a, b] = await Promise.all([reader(), reader()]);
    await eventually(async () => (await stored()).length === 1, 20_000, 'the first mail');
    const first = (await holder())!;
    expect(first).toMatch(/^\d+-/);
    // Whichever process holds the lease is killed (its whole process group) without any chance to release it.
    const holderPid = Number(first.split('-')[0]);
    const killed = [a, b].find((c) => isAncestor(c.pid!, holderPid));
    if (!killed) throw new Error('the lease holder is neither reader');
    process.kill(-killed.pid!, 'SIGKILL');

    await dovecot.append(rawMail({ messageId: '<takeover-2@customer.example>' }));
    await dovecot.append(rawMail({ messageId: '<takeover-3@customer.example>' }));
    await eventually(async () => (await stored()).length === 3, 20_000, 'the survivor to take over');
    expect(await stored()).toEqual([
      '<takeover-1@customer.example>',
      '<takeover-2@customer.example>',
      '<takeover-3@customer.example>',
    ]);
    expect(await holder()).not.toBe(first);
  }, 120_000);
});

/** npx starts tsx, which starts node: the lease names the innermost pid, the test holds the outermost. */
function isAncestor(ancestor: number, pid: number): boolean {
  let current = pid;
  for (let i = 0; i < 10 && current > 1; i++) {
    if (current === ancestor) return true;
    try {
      const stat = readFileSync(`/proc/${current}/stat`, 'utf8');
      current = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      return false;
    }
  }
  return false;
}
