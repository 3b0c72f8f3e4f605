import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvidence } from '../../server/privacy/consent-evidence.ts';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { consentEvents, inboxes } from '../../drizzle/schema/index.ts';
import { rowsOf } from '../../server/db/client.ts';
import { consentNotice } from '../../server/privacy/notice.ts';
import { sha256 } from '../../server/security/tokens.ts';
import type { ProcessingRecordView } from '../../server/http/views/privacy.ts';

const CONTROLLER = 'Example Shop Ltd';
const POLICY_URL = 'https://shop.example/privacy';

type Record = ProcessingRecordView;
const names = (record: Record) => record.processors.map((p) => p.name);

/**
 * What exists that the record does not describe: every table of the database (information_schema, any schema),
 * every column holding a blob id, every entry of DATA_DIR, compared with the record's stores.
 */
async function undescribed(server: TestServer, record: Record) {
  const tables = rowsOf<{ table_schema: string; table_name: string }>(
    await server.root.db.execute(sql`select table_schema, table_name from information_schema.tables
        where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'`),
  );
  const blobColumns = rowsOf<{ table_name: string; column_name: string }>(
    await server.root.db.execute(sql`select table_name, column_name from information_schema.columns
        where table_schema not in ('pg_catalog', 'information_schema') and column_name like '%blob%'`),
  );
  const described = {
    tables: new Set(record.stores.flatMap((s) => s.tables)),
    files: new Set(record.stores.flatMap((s) => s.files)),
    paths: new Set(record.stores.flatMap((s) => s.dataDirPaths)),
  };
  const qualified = (schema: string, table: string) => (schema === 'public' ? table : `${schema}.${table}`);
  return {
    tables: tables
      .map((t) => qualified(t.table_schema, t.table_name))
      .filter((t) => !described.tables.has(t))
      .sort(),
    files: blobColumns
      .map((c) => `${c.table_name}.${c.column_name}`)
      .filter((c) => !described.files.has(c))
      .sort(),
    dataDir: readdirSync(server.root.config.dataDir)
      .filter((entry) => !described.paths.has(entry))
      .sort(),
  };
}

describe(`the Art. 30 record and the consent notice tell the truth, on ${dbMode}`, () => {
  let server: TestServer;
  let admin: AgentClient;
  const record = async (): Promise<Record> => {
    const res = await admin.get('/api/privacy/record');
    expect(res.status).toBe(200);
    return res.body as Record;
  };

  beforeAll(async () => {
    // The demo data seeds an inbox of every channel; no channel's provider is configured.
    server = await startTestServer({ SEED_DEMO: 'true', CONTROLLER_NAME: CONTROLLER, PRIVACY_POLICY_URL: POLICY_URL });
    admin = await server.agentClient('admin');
  }, 120_000);
  afterAll(() => server?.stop());

  it('lists no Twilio, Slack or mailbox processor for demo inboxes, and says they connect to none', async () => {
    const channels = (await server.root.db.selectDistinct({ channel: inboxes.channel }).from(inboxes)).map(
      (r) => r.channel,
    );
    expect(channels.sort()).toEqual(['chat', 'email', 'slack', 'sms', 'voice']);
    const body = await record();
    expect(names(body)).toEqual(['the operator’s own infrastructure (default; set HOSTING_PROVIDER)']);
    expect(body.processingActivities.map((a) => a.name)).not.toContain('Call recording');
    for (const inbox of body.inboxes.filter((i) => i.channel !== 'chat'))
      expect(inbox.connection, inbox.name).toContain('not connected to any provider (e.g. demo data)');
    expect(body.inboxes.filter((i) => i.channel === 'chat').map((i) => i.connection)).toContain(
      'the website chat widget, served by this server',
    );
    expect(body.controller).toEqual({ name: CONTROLLER, contact: null, privacyPolicyUrl: POLICY_URL });
  });

  it('describes the analytics rollups as stored, with pseudonymous keys and the cohort threshold', async () => {
    const statistics = (await record()).processingActivities.find((a) => a.name === 'Support statistics')!;
    expect(statistics.retention).not.toContain('nothing is stored');
    expect(statistics.retention).toContain('analytics_cells');
    expect(statistics.retention).toContain('pseudonymous key');
    expect(statistics.dataCategories).toContain('pseudonymous identifier');
    expect(statistics.purpose).toContain('fewer than 5 distinct contacts is suppressed');
    const html = await fetch(`${server.url}/api/privacy/record?format=html`, { headers: { cookie: admin.cookie } });
    const page = await html.text();
    expect(page).toContain(`<a href="${POLICY_URL}">privacy policy</a>`);
    expect(page).toContain('analytics_cells');
    expect(page).toContain('not connected to any provider');
  });

  it('describes every table, file column and DATA_DIR entry that exists, and notices one it does not', async () => {
    await server.root.blobs.put(Buffer.from('a file, so that the file store exists'), { contactId: randomUUID() });
    const body = await record();
    expect(await undescribed(server, body)).toEqual({ tables: [], files: [], dataDir: [] });
    expect(body.stores.find((s) => s.name === 'File store')!.files.sort()).toEqual([
      'attachments.blob_id',
      'recordings.blob_id',
    ]);

    // A table, a file column and a file nobody described are found.
    await server.root.db.execute(sql`create table stray_notes (id integer primary key, note_blob_id text)`);
    writeFileSync(join(server.root.config.dataDir, 'stray.txt'), 'not described');
    try {
      expect(await undescribed(server, await record())).toEqual({
        tables: ['stray_notes'],
        files: ['stray_notes.note_blob_id'],
        dataDir: ['stray.txt'],
      });
    } finally {
      await server.root.db.execute(sql`drop table stray_notes`);
      rmSync(join(server.root.config.dataDir, 'stray.txt'));
    }
  });

  it('shows a notice that names the controller, links the policy and calls the statistics pseudonymous', async () => {
    const res = await fetch(`${server.url}/api/widget/config?inbox=${server.chatInboxId}`);
    const { notice } = (await res.json()) as {
      notice: { text: string; textHash: string; policyVersion: string; privacyPolicyUrl: string | null };
    };
    expect(notice.text).toContain(`This chat is run by ${CONTROLLER}`);
    expect(notice.text).toContain(`Privacy policy: ${POLICY_URL}`);
    expect(notice.privacyPolicyUrl).toBe(POLICY_URL);
    expect(notice.text).toContain('pseudonymous, not anonymous');
    expect(notice.text).toContain('fewer than 5 people is never shown');
    expect(notice.text).not.toContain('anonymous support statistics');
    expect(notice.textHash).toBe(sha256(notice.text));

    // Another text (another controller) is another version and hash: a visitor who saw it is asked again.
    const other = consentNotice({
      controllerName: 'Other Shop Ltd',
      controllerContact: undefined,
      privacyPolicyUrl: POLICY_URL,
      analyticsMinCohort: 5,
    });
    expect(other.policyVersion).not.toBe(notice.policyVersion);
    expect(other.textHash).not.toBe(notice.textHash);
    const session = (version: { policyVersion: string; textHash: string }) =>
      fetch(`${server.url}/api/widget/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          inboxId: server.chatInboxId,
          policyVersion: version.policyVersion,
          textHash: version.textHash,
          consents: { support: true, analytics: true },
        }),
      });
    const outdated = await session(other);
    expect(outdated.status).toBe(409);
    expect(((await outdated.json()) as { code: string }).code).toBe('notice_outdated');

    // The ledger keeps the version and the hash of the exact text this visitor saw.
    const accepted = await session(notice);
    expect(accepted.status).toBe(201);
    const { visitorId } = (await accepted.json()) as { visitorId: string };
    const events = await server.root.db.select().from(consentEvents);
    const evidence = await openEvidence(server.root.dataKeys, events);
    const ledger = events
      .filter((_, i) => evidence[i]!.visitorId === visitorId)
      .map(({ policyVersion, textHash }) => ({ policyVersion, textHash }));
    expect(ledger).toEqual([
      { policyVersion: notice.policyVersion, textHash: sha256(notice.text) },
      { policyVersion: notice.policyVersion, textHash: sha256(notice.text) },
    ]);
  });
});

describe(`the Art. 30 record with Twilio configured, on ${dbMode}`, () => {
  let server: TestServer;
  let admin: AgentClient;

  beforeAll(async () => {
    server = await startTestServer({
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'a-twilio-auth-token-for-tests',
      TWILIO_PROCESSOR_COUNTRY: 'USA and Ireland',
    });
    admin = await server.agentClient('admin');
    await server.root.db.insert(inboxes).values([
      { name: 'Hotline', channel: 'voice', settings: { phoneNumber: '+15550100001' } },
      { name: 'Slack', channel: 'slack' },
    ]);
  });
  afterAll(() => server?.stop());

  it('lists Twilio with its country and transfer basis, call recording, and which inbox it connects', async () => {
    const res = await admin.get('/api/privacy/record');
    const body = res.body as Record;
    expect(names(body)).not.toContain('Slack Technologies, LLC');
    expect(body.processors.find((p) => p.name === 'Twilio Inc.')).toEqual({
      name: 'Twilio Inc.',
      role: expect.stringContaining('SMS and voice'),
      channels: ['sms', 'voice'],
      country: 'USA and Ireland',
      transferBasis: expect.stringContaining('(default; set TWILIO_TRANSFER_BASIS)'),
      listedBecause: 'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are set',
    });
    expect(body.processingActivities.map((a) => a.name)).toContain('Call recording');
    expect(body.inboxes.find((i) => i.name === 'Hotline')!.connection).toContain('Twilio Inc.');
    expect(body.inboxes.find((i) => i.name === 'Slack')!.connection).toContain('not connected to any provider');
  });
});
