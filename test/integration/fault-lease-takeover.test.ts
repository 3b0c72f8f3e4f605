import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { count, eq, isNull, sql } from 'drizzle-orm';
import pino from 'pino';
import { loadConfig } from '../../server/config.ts';
import { openDatabase, type Database } from '../../server/db/client.ts';
import { createRoot } from '../../server/composition.ts';
import { sweepRetention } from '../../server/privacy/retention.ts';
import { conversations, inboxes, leases, recordings } from '../../drizzle/schema/index.ts';
import { recordingProviderSpy } from '../helpers/fixtures.ts';
import { scratchDatabase } from '../helpers/processes.ts';
import { insertContact } from '../helpers/contacts.ts';

const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);

/**
 * The retention sweep's lease when its holder dies mid-sweep (kill -9 while the provider call is in
 * flight): nobody else sweeps while the lease runs, and once it has expired another server takes over
 * and finishes the work. The lease's five minutes are not waited out: its expiry is moved to the past,
 * exactly what the clock would have done.
 */
describe('the retention sweep lease after its holder is killed', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let database: Database;
  let holder: ChildProcess | undefined;

  beforeAll(async () => {
    scratch = await scratchDatabase('t_lease');
    database = await openDatabase({ databaseUrl: scratch.url, poolSize: 2 });
    const { db } = database;
    const [inbox] = await db.insert(inboxes).values({ name: 'Phone', channel: 'voice' }).returning();
    // No name: this database is opened without the identity keys (the contact's fields would be sealed with them).
    const contact = await insertContact(db);
    const convs = await db
      .insert(conversations)
      .values(
        Array.from({ length: 10 }, (_, i) => ({
          inboxId: inbox!.id,
          contactId: contact!.id,
          channel: 'voice' as const,
          threadKey: `CA-lease-${i}`,
          lastMessageAt: daysAgo(1),
        })),
      )
      .returning();
    await db.insert(recordings).values(
      convs.map((c, i) => ({
        conversationId: c.id,
        provider: 'test-provider',
        providerSid: `RE-lease-${i}`,
        durationSeconds: 10,
        recordedAt: daysAgo(31),
        deleteAfter: daysAgo(1),
      })),
    );
  }, 60_000);

  afterAll(async () => {
    holder?.kill('SIGKILL');
    await database?.close();
    await scratch?.drop();
  });

  it('blocks other sweeps while it runs, then another server takes over and finishes', async () => {
    holder = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/hanging-sweeper.ts'], {
      env: { ...process.env, DATABASE_URL: scratch.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    holder.stderr!.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      holder!.stdout!.on('data', (d: Buffer) => d.toString().includes('holding') && resolve());
      holder!.once('exit', (code) => reject(new Error(`sweeper exited (${code}): ${stderr}`)));
    });
    const exited = once(holder, 'exit');
    holder.kill('SIGKILL');
    await exited;

    // The survivor: a server of its own in this process.
    const root = await createRoot(
      loadConfig({ DATABASE_URL: scratch.url, SEED_DEMO: 'false' }),
      database,
      pino({ level: 'silent' }),
    );
    const provider = recordingProviderSpy();
    root.recordingProviders.set('test-provider', provider);

    const [lease] = await database.db.select().from(leases).where(eq(leases.name, 'retention-sweep'));
    expect(lease?.expiresAt.getTime()).toBeGreaterThan(Date.now());
    const blocked = await sweepRetention(root);
    expect(blocked.skipped).toBe(true);
    expect(provider.deleted).toEqual([]);

    // Five minutes later, as far as the lease is concerned.
    await database.db
      .update(leases)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(leases.name, 'retention-sweep'));
    const takeover = await sweepRetention(root);
    expect(takeover.skipped).toBe(false);
    expect(takeover.removed.recordings).toBe(10);
    expect(new Set(provider.deleted).size).toBe(10);
    expect((await database.db.select({ n: count() }).from(recordings).where(isNull(recordings.deletedAt)))[0]!.n).toBe(
      0,
    );
    // And it released the lease when done: the next sweep (any server) may run at once.
    expect(await database.db.select().from(leases).where(eq(leases.name, 'retention-sweep'))).toEqual([]);
  }, 120_000);
});
