import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer, type VisitorClient } from '../helpers/server.ts';

/**
 * The typed client (packages/client): generated from the document the server serves, and its example script runs
 * as an integration would run it, as its own process against a real server, without a workaround.
 */
describe(`the typed client on ${dbMode}`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let visitor: VisitorClient;
  const dir = mkdtempSync(join(tmpdir(), 'client-example-'));

  beforeAll(async () => {
    server = await startTestServer();
    admin = await server.agentClient('admin');
    visitor = await server.visitor();
    await visitor.post('/api/widget/messages', { clientId: 'client-example-01', text: 'Where is my parcel?' });
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is generated from the served document (run `npm run client:generate` after `npm run openapi`)', async () => {
    const doc = (await admin.get('/api/docs/json')).body;
    const generated = astToString(await openapiTS(doc, { silent: true }));
    const committed = readFileSync('packages/client/src/schema.ts', 'utf8');
    // The CLI adds a header comment; the types themselves must be the same.
    expect(committed.endsWith(generated)).toBe(true);
  });

  const runExample = (env: Record<string, string>) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'packages/client/examples/quickstart.ts'], {
      env: { ...process.env, INBOX_URL: server.url, ...env },
    });

  it('runs the example with an API token instead of a sign-in', async () => {
    const scopes = ['conversations:read', 'messages:write', 'privacy:read', 'privacy:write'];
    const { secret } = (await admin.post('/api/tokens', { name: 'quickstart', scopes })).body;
    const { stdout } = await runExample({ INBOX_TOKEN: secret, EXPORT_FILE: join(dir, 'token-export.zip') });
    expect(stdout).toContain('using an API token');
    expect(stdout).toMatch(/export: \d+ bytes, application\/zip/);
    expect(readFileSync(join(dir, 'token-export.zip')).subarray(0, 2).toString()).toBe('PK');
  }, 120_000);

  it('runs the example: signs in, lists, replies, records consent, downloads the export', async () => {
    const exportFile = join(dir, 'export.zip');
    const { stdout } = await runExample({
      INBOX_EMAIL: 'admin1@test.example',
      INBOX_PASSWORD: 'a-long-test-password',
      EXPORT_FILE: exportFile,
    });
    expect(stdout).toContain(`signed in as admin ${admin.agent.id}`);
    expect(stdout).toContain('open conversations: 1');
    expect(stdout).toMatch(/export: \d+ bytes, application\/zip/);
    // What the customer sees, and what the archive is.
    const history = await visitor.get('/api/widget/messages');
    expect(history.body.messages.map((m: { body: string }) => m.body)).toContain('Thanks for writing, we are on it.');
    expect(readFileSync(exportFile).subarray(0, 2).toString()).toBe('PK');
    const contact = (await admin.get(`/api/conversations/${history.body.conversationId}`)).body.conversation.contact;
    const consent = await admin.get(`/api/contacts/${contact.id}/consent`);
    expect(consent.body.current).toContainEqual(expect.objectContaining({ purpose: 'analytics', granted: true }));
  }, 120_000);
});
