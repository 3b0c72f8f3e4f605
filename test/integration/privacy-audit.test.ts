import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { openDatabase } from '../../server/db/client.ts';
import { appendAudit } from '../../server/privacy/audit.ts';
import { auditLog, inboxes } from '../../drizzle/schema/index.ts';

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
    const res = await admin.get('/api/privacy/audit/verify');
    expect(res.body).toEqual({ ok: true, entries: expect.any(Number), firstBroken: null });
    expect(res.body.entries).toBeGreaterThanOrEqual(8);
  });

  it('detects an entry edited with SQL, naming it', async () => {
    const entries = await server.root.db.select().from(auditLog).orderBy(auditLog.id);
    const victim = entries[4]!;
    await server.root.db
      .update(auditLog)
      .set({ details: { purpose: 'marketing' } })
      .where(eq(auditLog.id, victim.id));
    const res = await admin.get('/api/privacy/audit/verify');
    expect(res.body).toMatchObject({
      ok: false,
      firstBroken: { id: victim.id, reason: expect.stringContaining('edited') },
    });
    await server.root.db.update(auditLog).set({ details: victim.details }).where(eq(auditLog.id, victim.id));
    expect((await admin.get('/api/privacy/audit/verify')).body.ok).toBe(true);
  });

  it('detects a deleted entry at the link that follows it', async () => {
    const entries = await server.root.db.select().from(auditLog).orderBy(auditLog.id);
    await server.root.db.delete(auditLog).where(eq(auditLog.id, entries[2]!.id));
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
      expect(ok.stdout).toContain('Audit log intact: 4 entries');

      const tamper = await openDatabase({ pgliteDir: join(dataDir, 'pglite') });
      await tamper.db.execute(sql`update audit_log set action = 'test.rewritten' where target_id = '2'`);
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
