import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer, type VisitorClient } from '../helpers/server.ts';
import { ContractValidator, minimalValue, operationFor, type ContractDocument } from '../helpers/contract.ts';
import type { RouteRecord } from '../../server/server.ts';
import { API_TOKEN_SCOPES } from '../../server/security/api-tokens.ts';

/**
 * The OpenAPI document is the contract: every route is called over HTTP as every kind of caller (nobody, a widget
 * visitor, an agent, an admin, an API token with every scope) with the smallest request its schema accepts and
 * real ids, and every answer must be declared in the document: its status, its media type and (for JSON) its
 * body, checked with ajv. The document the linters check and the client is generated from (openapi/openapi.json)
 * must be the one the server serves.
 */
type Role = 'anonymous' | 'visitor' | 'agent' | 'admin' | 'token';
const ROLES: Role[] = ['anonymous', 'visitor', 'agent', 'admin', 'token'];

describe(`every response matches the OpenAPI document on ${dbMode}`, () => {
  let server: TestServer;
  let doc: ContractDocument;
  let admin: AgentClient;
  let agent: AgentClient;
  let visitor: VisitorClient;
  let tokenSecret: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer();
    admin = await server.agentClient('admin');
    agent = await server.agentClient('agent');
    // The agent whose :id the agent routes name, so an admin resetting a password locks out no one the test uses.
    const spare = await server.agentClient('agent');
    visitor = await server.visitor();
    const sent = await visitor.post('/api/widget/messages', { clientId: 'contract-01', text: 'Hello, a question' });
    const history = await visitor.get('/api/widget/messages');
    const conversation = await admin.get(`/api/conversations/${history.body.conversationId}`);
    Object.assign(ids, {
      conversation: history.body.conversationId,
      message: sent.body.message.id,
      contact: conversation.body.conversation.contact.id,
      agent: spare.agent.id,
      inbox: server.chatInboxId,
    });
    doc = (await admin.get('/api/docs/json')).body;
    tokenSecret = (await admin.post('/api/tokens', { name: 'contract', scopes: [...API_TOKEN_SCOPES] })).body.secret;
  });
  afterAll(() => server.stop());

  it('is the document committed in openapi/openapi.json (run `npm run openapi` after changing a route)', () => {
    const committed = JSON.parse(readFileSync('openapi/openapi.json', 'utf8'));
    expect(doc).toEqual(committed);
  });

  it('finds a mismatch: an undeclared status, another media type, a body of the wrong shape', () => {
    const validator = new ContractValidator(doc);
    const conversation = operationFor(doc, 'GET', '/api/conversations/:id');
    const json = 'application/json; charset=utf-8';
    expect(validator.check(conversation, 418, json, '{}')).toMatch(/not declared/);
    expect(validator.check(conversation, 200, 'text/html', '<p>')).toMatch(/media type/);
    expect(validator.check(conversation, 200, json, '{"conversation":{"id":1}}')).toMatch(/does not match/);
    expect(validator.check(conversation, 404, json, '{"code":"not_found","message":"No such resource"}')).toMatch(
      /requestId/,
    );
    const exportZip = operationFor(doc, 'GET', '/api/contacts/:id/export');
    expect(validator.check(exportZip, 200, 'application/zip', 'PK')).toBeNull();
    expect(validator.check(exportZip, 200, json, '{}')).toMatch(/media type/);
  });

  const idFor = (url: string, param: string): string => {
    if (param === 'dataClass') return 'messages';
    if (param === 'token' || param === 'name') return 'not-a-link';
    const area = url.split('/')[2];
    const byArea: Record<string, string | undefined> = {
      conversations: ids.conversation,
      assist: ids.conversation,
      widget: ids.conversation,
      contacts: ids.contact,
      agents: ids.agent,
      messages: ids.message,
      inboxes: ids.inbox,
      twilio: ids.inbox,
    };
    return byArea[area!] ?? '00000000-0000-4000-8000-000000000000';
  };

  function headersOf(role: Role, method: string): Record<string, string> {
    if (role === 'visitor') return { authorization: `Bearer ${visitor.token}` };
    if (role === 'token') return { authorization: `Bearer ${tokenSecret}` };
    if (role === 'anonymous') return {};
    const client = role === 'admin' ? admin : agent;
    return { cookie: client.cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': client.csrfToken }) };
  }

  function requestOf(route: RouteRecord, role: Role) {
    const operation = operationFor(doc, route.method, route.url);
    const path = route.url.replace(/:([A-Za-z]+)/g, (_m, name: string) => encodeURIComponent(idFor(route.url, name)));
    const known = (name: string) => (name.toLowerCase().includes('inbox') ? ids.inbox : ids[name.replace(/Id$/, '')]);
    const query = new URLSearchParams();
    for (const p of operation?.parameters ?? [])
      if (p.in === 'query' && p.required) query.set(p.name, String(minimalValue(p.schema, known, p.name)));
    const headers = headersOf(role, route.method);
    const content = operation?.requestBody?.content ?? {};
    let body: string | undefined;
    if (content['application/json']) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(minimalValue(content['application/json'].schema, known) ?? {});
    } else if (content['application/x-www-form-urlencoded']) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const form = minimalValue(content['application/x-www-form-urlencoded'].schema, known) as Record<string, string>;
      body = new URLSearchParams(Object.entries(form ?? {}).map(([k, v]) => [k, String(v)])).toString();
    }
    return { operation, url: `${path}${query.size ? `?${query}` : ''}`, init: { method: route.method, headers, body } };
  }

  it('answers every route, as every caller, only with what the document declares', async () => {
    // What ends a session or erases the data the others use goes last, the admin's sign-out at the very end.
    const last = (r: RouteRecord) =>
      Number(r.url.endsWith('/erase')) + Number(r.method === 'DELETE') + 2 * Number(r.url === '/api/auth/logout');
    const routes = server.routes
      .filter((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'))
      .filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS')
      .sort((a, b) => last(a) - last(b));
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    const validator = new ContractValidator(doc);
    for (const route of routes)
      for (const role of ROLES) {
        if (route.url === '/api/auth/logout' && role === 'agent') continue; // the agent's session is still needed
        const { operation, url, init } = requestOf(route, role);
        const res = await fetch(`${server.url}${url}`, init);
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const problem = validator.check(operation, res.status, res.headers.get('content-type'), text);
        if (problem) problems.push(`${role} ${route.method} ${route.url}: ${problem}`);
      }
    console.log(
      `contract: ${routes.length} routes x ${ROLES.length} callers;`,
      `statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(problems).toEqual([]);
  }, 180_000);
});
