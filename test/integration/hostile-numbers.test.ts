import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';

/**
 * Numbers too large for a double become Infinity: in a query string after the validator's coercion
 * (which lets Infinity pass `integer` and `maximum`), in a JSON body after JSON.parse. Found by the
 * route fuzzer as 500s from SQL; each must be a 400 with the error shape.
 */
describe(`numbers that overflow to Infinity on ${dbMode}`, () => {
  let server: TestServer;
  let admin: AgentClient;
  beforeAll(async () => {
    server = await startTestServer();
    admin = await server.agentClient('admin');
  });
  afterAll(() => server.stop());

  it('in a query string: 400, never a 500', async () => {
    for (const path of [
      `/api/privacy/audit?limit=${'9'.repeat(400)}`,
      '/api/privacy/audit?limit=1e999',
      '/api/conversations?limit=1e999',
      '/api/contacts?limit=1e999',
    ]) {
      const res = await fetch(`${server.url}${path}`, { headers: { cookie: admin.cookie } });
      expect(res.status, path).toBe(400);
      expect(Object.keys((await res.json()) as object).sort()).toEqual(['code', 'message', 'requestId']);
    }
    // A finite limit still works.
    expect((await fetch(`${server.url}/api/privacy/audit?limit=5`, { headers: { cookie: admin.cookie } })).status).toBe(
      200,
    );
  });

  it('in a JSON body: 400, never a 500', async () => {
    const res = await fetch(`${server.url}/api/privacy/retention/messages`, {
      method: 'PUT',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken, 'content-type': 'application/json' },
      body: '{"enabled":true,"retainDays":1e999}',
    });
    expect(res.status).toBe(400);
    expect(server.logs()).not.toContain('"request failed"');
  });
});
