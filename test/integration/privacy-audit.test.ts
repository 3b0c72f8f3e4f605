import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { desc, eq, gte, lt, sql } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { openDatabase } from '../../server/db/client.ts';
import { appendAudit, entryHash, GENESIS_HASH, type AuditEntry } from '../../server/privacy/audit.ts';
import { verifyAuditChain } from '../../server/privacy/audit-verify.ts';
import { anchorPath, createAuditAnchor } from '../../server/privacy/audit-anchor.ts';
import { openKeyProvider } from '../../server/security/keys.ts';
import type { Db } from '../../server/db/client.ts';
import { auditLog, inboxes } from '../../drizzle/schema/index.ts';

/** What an attacker with superuser access to the database does first: switch the append-only trigger off. */
async function asSuperuser<T>(db: Db, act: () => Promise<T>): Promise<T> {
  await db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
  try {
    return await act();
  } finally {
    await db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
  }
}

/** Rewrites entry `id` and recomputes every hash after it, as an attacker who knows the algorithm would. */
async function rewriteWithRecomputedChain(db: Db, id: number, change: Partial<AuditEntry>): Promise<void> {
  await asSuperuser(db, async () => {
    const [before] = await db
      .select({ hash: auditLog.hash })
      .from(auditLog)
      .where(lt(auditLog.id, id))
      .orderBy(desc(auditLog.id))
      .limit(1);
    let prevHash = before?.hash ?? GENESIS_HASH;
    for (const row of await db.select().from(auditLog).where(gte(auditLog.id, id)).orderBy(auditLog.id)) {
      const next = { ...row, ...(row.id === id ? change : {}) } as typeof row;
      const hash = entryHash(prevHash, {
        at: next.at.toISOString(),
        actorKind: next.actorKind as AuditEntry['actorKind'],
        actorId: next.actorId,
        action: next.action,
        targetType: next.targetType,
        targetId: next.targetId,
        details: next.details,
      });
      await db
        .update(auditLog)
        .set({ action: next.action, details: next.details, prevHash, hash })
        .where(eq(auditLog.id, row.id));
      prevHash = hash;
    }
  });
}

describe(`audit chain and the Article 30 record on ${dbMode}`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let agent: AgentClient;

  beforeAll(async () => {
    server = await startTestServer();
    [admin, agent] = await Promise.all([server.agentClient('admin'), server.agentClient('agent')]);
    for (let i = 0; i < 3; i++) await server.visitor(i % 2 === 0);
  });
  afterAll(() => server.stop());

  it('verifies entries whose details the database hands back in another key order', async () => {
    await server.root.db.transaction((tx) =>
      appendAudit(tx, {
        actorKind: 'system',
        actorId: null,
        action: 'test.key_order',
        targetType: 'test',
        targetId: null,
        details: { zebra: 1, rows: { messages: 10, contacts: 1, contact_identities: 2 }, a: [{ y: 1, b: 2 }] },
      }),
    );
    expect((await admin.get('/api/privacy/audit/verify')).body).toMatchObject({ ok: true, firstBroken: null });
  });

  it('verifies an intact chain (admins only)', async () => {
    expect((await agent.get('/api/privacy/audit/verify')).status).toBe(403);
    const anchor = await server.root.auditAnchor.flush();
    const [head] = await server.root.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1);
    const res = await admin.get('/api/privacy/audit/verify');
    expect(res.body).toEqual({ ok: true, entries: expect.any(Number), firstBroken: null, anchoredThrough: head!.id });
    expect(anchor ?? { entryId: head!.id }).toMatchObject({ entryId: head!.id });
    expect(res.body.entries).toBeGreaterThanOrEqual(8);
  });

  it('refuses UPDATE, DELETE and TRUNCATE in the database itself', async () => {
    const { db } = server.root;
    const [first] = await db.select().from(auditLog).orderBy(auditLog.id).limit(1);
    const refused = (p: Promise<unknown>) =>
      p.then(
        () => 'accepted',
        (err: Error & { cause?: Error }) => (err.cause ?? err).message,
      );
    expect(await refused(db.update(auditLog).set({ action: 'x' }).where(eq(auditLog.id, first!.id)))).toContain(
      'audit_log is append-only: UPDATE refused',
    );
    expect(await refused(db.delete(auditLog).where(eq(auditLog.id, first!.id)))).toContain(
      'audit_log is append-only: DELETE refused',
    );
    expect(await refused(db.execute(sql`truncate audit_log`))).toContain('audit_log is append-only: TRUNCATE refused');
    const [still] = await db.select().from(auditLog).where(eq(auditLog.id, first!.id));
    expect(still).toEqual(first);
    expect((await admin.get('/api/privacy/audit/verify')).body.ok).toBe(true);
  });

  it('detects an entry edited with SQL (the trigger disabled by a superuser), naming it', async () => {
    const entries = await server.root.db.select().from(auditLog).orderBy(auditLog.id);
    const victim = entries[4]!;
    await asSuperuser(server.root.db, () =>
      server.root.db
        .update(auditLog)
        .set({ details: { purpose: 'marketing' } })
        .where(eq(auditLog.id, victim.id)),
    );
    const res = await admin.get('/api/privacy/audit/verify');
    expect(res.body).toMatchObject({
      ok: false,
      firstBroken: { id: victim.id, reason: expect.stringContaining('edited') },
    });
    await asSuperuser(server.root.db, () =>
      server.root.db.update(auditLog).set({ details: victim.details }).where(eq(auditLog.id, victim.id)),
    );
    expect((await admin.get('/api/privacy/audit/verify')).body.ok).toBe(true);
  });

  it('detects a deleted entry at the link that follows it', async () => {
    const entries = await server.root.db.select().from(auditLog).orderBy(auditLog.id);
    await asSuperuser(server.root.db, () => server.root.db.delete(auditLog).where(eq(auditLog.id, entries[2]!.id)));
    const res = await admin.get('/api/privacy/audit/verify');
    expect(res.body).toMatchObject({
      ok: false,
      firstBroken: { id: entries[3]!.id, reason: expect.stringContaining('deleted') },
    });
  });

  it('lists entries newest first with paging', async () => {
    const first = await admin.get('/api/privacy/audit?limit=2');
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0].id).toBeGreaterThan(first.body.items[1].id);
    const next = await admin.get(`/api/privacy/audit?limit=2&before=${first.body.nextBefore}`);
    expect(next.body.items[0].id).toBeLessThan(first.body.items[1].id);
  });

  it('serves the Article 30 record and data map from the catalog and the live configuration', async () => {
    const before = await admin.get('/api/privacy/record');
    expect(before.status).toBe(200);
    expect(before.body.processors.map((p: { name: string }) => p.name)).not.toContain('Twilio Inc.');
    // Inboxes alone connect to no provider (test/integration/record-truth.test.ts: configured channels do).
    await server.root.db.insert(inboxes).values([
      { name: 'SMS', channel: 'sms' },
      { name: 'Slack', channel: 'slack' },
    ]);
    const after = await admin.get('/api/privacy/record');
    expect(after.body.processors.map((p: { name: string }) => p.name)).not.toContain('Twilio Inc.');
    expect(after.body.processors.map((p: { name: string }) => p.name)).not.toContain('Slack Technologies, LLC');
    const messagesTable = after.body.dataMap.find((t: { table: string }) => t.table === 'messages');
    expect(messagesTable.columns.find((c: { name: string }) => c.name === 'body')).toMatchObject({
      personal: true,
      category: 'message_content',
    });
    expect(after.body.retention.find((r: { dataClass: string }) => r.dataClass === 'recordings')).toMatchObject({
      enabled: true,
      retainDays: 30,
    });
    const html = await fetch(`${server.url}/api/privacy/record?format=html`, { headers: { cookie: admin.cookie } });
    expect(html.headers.get('content-type')).toContain('text/html');
    const page = await html.text();
    expect(page).toContain('Record of processing activities');
    expect(page).toContain('not connected to any provider');
    expect((await agent.get('/api/privacy/record')).status).toBe(403);
  });
});

describe(`the audit log's signed anchor on ${dbMode}`, () => {
  let server: TestServer;
  let admin: AgentClient;
  const verify = async () => (await admin.get('/api/privacy/audit/verify')).body;

  beforeAll(async () => {
    server = await startTestServer();
    admin = await server.agentClient('admin');
    for (let i = 0; i < 3; i++) await server.visitor(true);
  });
  afterAll(() => server.stop());

  it('detects the newest entries deleted by a superuser, which the chain alone cannot', async () => {
    const { db } = server.root;
    const anchor = await server.root.auditAnchor.flush();
    const entries = await db.select().from(auditLog).orderBy(auditLog.id);
    expect(anchor).toMatchObject({ entryId: entries.at(-1)!.id, count: entries.length });
    expect(await verify()).toMatchObject({ ok: true, anchoredThrough: entries.at(-1)!.id });

    const tail = entries.slice(-2);
    await asSuperuser(db, () => db.delete(auditLog).where(gte(auditLog.id, tail[0]!.id)));
    expect((await verifyAuditChain(db)).ok).toBe(true); // every remaining link is intact
    expect(await verify()).toMatchObject({
      ok: false,
      firstBroken: { id: tail[1]!.id, reason: expect.stringContaining('the newest entries were deleted') },
    });
    // The server goes on anchoring the shortened log; the earlier anchor still tells.
    await server.root.auditAnchor.flush();
    expect((await verify()).ok).toBe(false);

    await db.insert(auditLog).values(tail);
    expect(await verify()).toMatchObject({ ok: true, anchoredThrough: tail[1]!.id });
  });

  it('detects an entry rewritten with every later hash recomputed, which the chain alone cannot', async () => {
    const { db } = server.root;
    await server.root.auditAnchor.flush();
    const entries = await db.select().from(auditLog).orderBy(auditLog.id);
    const victim = entries[3]!;
    await rewriteWithRecomputedChain(db, victim.id, { action: 'consent.withdrawn', details: { purpose: 'support' } });
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, firstBroken: null });
    const res = await verify();
    expect(res).toMatchObject({ ok: false, firstBroken: { reason: expect.stringContaining('rewritten') } });
    expect(res.firstBroken.id).toBeGreaterThanOrEqual(victim.id);
    await server.root.auditAnchor.flush();
    expect((await verify()).ok).toBe(false);
  });

  it('refuses an anchor written without the key', async () => {
    const { db } = server.root;
    const [head] = await db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1);
    const forged = { v: 1, entryId: head!.id, hash: head!.hash, count: 1, at: new Date().toISOString() };
    const keyId = server.root.auditAnchor.keys.current().id;
    const { appendFileSync } = await import('node:fs');
    appendFileSync(server.root.auditAnchor.path, JSON.stringify({ ...forged, keyId, sig: 'A'.repeat(43) }) + '\n');
    expect(await verifyAuditChain(db, server.root.auditAnchor)).toMatchObject({
      ok: false,
      firstBroken: { reason: expect.stringContaining('invalid signature') },
    });
  });
});

describe('npm run audit:verify', () => {
  it('exits 0 on an intact log and 2 with the first broken entry after tampering', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
    try {
      const database = await openDatabase({ pgliteDir: join(dataDir, 'pglite') });
      for (let i = 0; i < 4; i++) {
        await database.db.transaction((tx) =>
          appendAudit(tx, {
            actorKind: 'system',
            actorId: null,
            action: `test.${i}`,
            targetType: 'test',
            targetId: String(i),
          }),
        );
      }
      await database.close();
      const run = () =>
        spawnSync('npx', ['tsx', 'server/audit-verify-cli.ts'], {
          env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' },
          encoding: 'utf8',
        });
      const ok = run();
      expect(ok.status).toBe(0);
      expect(ok.stdout).toContain('Audit log intact: 4 entries, every link verified; no anchor yet');

      // The server's anchor (the key file the run above created), then the newest entry deleted by a superuser.
      const keys = openKeyProvider({ encryptionKey: undefined, decryptKeys: [], dataDir }, new Set());
      const anchored = await openDatabase({ pgliteDir: join(dataDir, 'pglite') });
      const anchor = await createAuditAnchor({ db: anchored.db, keys, path: anchorPath(dataDir) }).flush();
      await asSuperuser(anchored.db, () => anchored.db.delete(auditLog).where(eq(auditLog.id, anchor!.entryId)));
      await anchored.close();
      const truncated = run();
      expect(truncated.status).toBe(2);
      expect(truncated.stderr).toContain(`BROKEN at entry ${anchor!.entryId}: the log ends at entry`);

      const tamper = await openDatabase({ pgliteDir: join(dataDir, 'pglite') });
      await asSuperuser(tamper.db, () =>
        tamper.db.execute(sql`update audit_log set action = 'test.rewritten' where target_id = '2'`),
      );
      const [row] = await tamper.db.select({ id: auditLog.id }).from(auditLog).where(eq(auditLog.targetId, '2'));
      await tamper.close();
      const broken = run();
      expect(broken.status).toBe(2);
      expect(broken.stderr).toContain(`BROKEN at entry ${row!.id}`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
