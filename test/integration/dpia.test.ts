import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { type AgentClient, startTestServer, type TestServer } from '../helpers/server.ts';
import { auditLog } from '../../drizzle/schema/index.ts';

/** Issue 21 item 5: the DPIA generated from the configuration, edited and versioned, printable, linked from Art. 30. */
describe(`data-protection impact assessment (${dbMode})`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let now = new Date('2026-05-04T08:00:00Z');

  beforeAll(async () => {
    server = await startTestServer({ BOT_ENABLED: 'true', CONTROLLER_NAME: 'Shop Oy' }, { clock: () => new Date(now) });
    admin = await server.agentClient('admin');
    // A server start can take over the default minute on a busy machine.
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('drafts the assessment from the live configuration and the catalog', async () => {
    const { status, body } = await admin.get('/api/privacy/dpia');
    expect(status).toBe(200);
    expect(body.version).toBeNull();
    const ids = body.sections.map((s: { id: string }) => s.id);
    expect(ids).toEqual([
      'description',
      'data',
      'recipients',
      'retention',
      'automated-processing',
      'necessity',
      'risks',
      'measures',
      'sign-off',
    ]);
    const text = (id: string) => body.sections.find((s: { id: string }) => s.id === id).body as string;
    expect(text('description')).toContain('Controller: Shop Oy.');
    // The test server's chat inbox, from the live configuration.
    expect(text('description')).toContain('Test chat (chat)');
    expect(text('data')).toContain('message content');
    expect(text('automated-processing')).toContain('says that it is an automated assistant');
    expect(text('recipients')).toContain('Hosting of this server');
  });

  it('saves each edit as a new version and keeps the older ones readable', async () => {
    const draft = (await admin.get('/api/privacy/dpia')).body;
    const edited = draft.sections.map((s: { id: string; body: string }) =>
      s.id === 'sign-off' ? { ...s, body: 'Approved by the DPO, residual risk low.' } : s,
    );
    const first = await admin.post('/api/privacy/dpia/versions', { sections: draft.sections, note: 'Generated draft' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ version: 1, note: 'Generated draft', savedAt: now.toISOString() });
    now = new Date('2026-05-05T08:00:00Z');
    const second = await admin.post('/api/privacy/dpia/versions', { sections: edited, note: 'DPO sign-off' });
    expect(second.body.version).toBe(2);

    expect((await admin.get('/api/privacy/dpia')).body.version).toBe(2);
    const versions = await admin.get('/api/privacy/dpia/versions');
    expect(versions.body.items.map((v: { version: number; note: string }) => [v.version, v.note])).toEqual([
      [2, 'DPO sign-off'],
      [1, 'Generated draft'],
    ]);
    const old = await admin.get('/api/privacy/dpia/versions/1');
    expect(old.body.sections.find((s: { id: string }) => s.id === 'sign-off').body).toContain('To be completed');
    expect((await admin.get('/api/privacy/dpia/versions/9')).status).toBe(404);

    const [entry] = await server.root.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1);
    expect(entry!.action).toBe('dpia.saved');
    expect(entry!.details).toMatchObject({ version: 2 });
    expect(JSON.stringify(entry!.details)).not.toContain('Approved by the DPO');

    const duplicate = await admin.post('/api/privacy/dpia/versions', { sections: [edited[0], edited[0]] });
    expect(duplicate.status).toBe(409);
  });

  it('prints any version and the Art. 30 record links to it', async () => {
    const page = await admin.get('/api/privacy/dpia/print');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Data protection impact assessment (GDPR Art. 35)');
    expect(page.body).toContain('Version 2');
    expect(page.body).toContain('<p>Approved by the DPO, residual risk low.</p>');
    expect((await admin.get('/api/privacy/dpia/print?version=1')).body).toContain('Version 1');

    const record = await admin.get('/api/privacy/record');
    expect(record.body.dpia).toEqual({ href: '/api/privacy/dpia/print', version: 2 });
    const printable = await admin.get('/api/privacy/record?format=html');
    expect(printable.body).toContain('<a href="/api/privacy/dpia/print" data-testid="record-dpia">version 2</a>');
  });
});
