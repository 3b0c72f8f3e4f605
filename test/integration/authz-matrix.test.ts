import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createAgent, login } from '../../server/domain/agents.ts';
import type { AgentRole } from '../../drizzle/schema/enums.ts';
import type { RouteRecord } from '../../server/server.ts';
import { dbMode } from '../helpers/db.ts';
import { eq } from 'drizzle-orm';
import {
  AgentClient,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
  type VisitorClient,
} from '../helpers/server.ts';
import { seedPerson } from '../helpers/fixtures.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { scopedResources, type ScopedResource } from '../../server/domain/scope.ts';
import { attachments, conversations, messages, recordings } from '../../drizzle/schema/index.ts';

/**
 * Every registered route x every kind of caller, with the expectation derived from the route's
 * declared access level (server/plugins/auth.ts), so a new route is covered the moment it exists:
 *   public (or a static/docs route, which declares none)  nobody is turned away (no 401/403)
 *   public and signed (a provider webhook)               everybody is turned away: no caller here holds the
 *                                                        provider's signing secret (401/403 invalid_signature,
 *                                                        or 404 while the provider is not configured)
 *   public with the request token (security requestToken) nobody here holds a verified session: 401
 *                                                        verification_expired, or 400 where the probe's empty
 *                                                        body fails the schema first; never in, never 403
 *   visitor                                              only a visitor token gets in; everyone else 401
 *   agent | manager | admin                              no session: 401; a session below the level: 403;
 *                                                        at or above it: in
 * "In" means neither 401 nor 403 and no 5xx (the request itself may be a 400 or 404: the probe sends
 * empty bodies and random ids, so no write changes anything). Cookie-authenticated writes without the
 * x-csrf-token header must be refused with 403 csrf for every role, before anything else happens.
 */
type Caller = 'anonymous' | 'visitor' | AgentRole;
const callers: Caller[] = ['anonymous', 'visitor', 'agent', 'manager', 'admin'];
const rank: Record<AgentRole, number> = { agent: 1, manager: 2, admin: 3 };
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

type Outcome = 'in' | 401 | 403;

function expected(access: string | undefined, caller: Caller): Outcome {
  if (access === undefined || access === 'public') return 'in';
  if (access === 'visitor') return caller === 'visitor' ? 'in' : 401;
  if (caller === 'anonymous' || caller === 'visitor') return 401;
  return rank[caller] >= rank[access as AgentRole] ? 'in' : 403;
}

/** A concrete path for a route pattern: ids become random (nonexistent) UUIDs. */
function concrete(url: string): string {
  return url
    .replace(/:dataClass/g, 'messages')
    .replace(/:[A-Za-z]+/g, () => randomUUID())
    .replace(/\*$/, 'index.html');
}

describe(`authorization matrix: every route x every role on ${dbMode}`, () => {
  let server: TestServer;
  let visitor: VisitorClient;
  const emails: Record<AgentRole, string> = { agent: '', manager: '', admin: '' };
  const password = 'matrix-password-123';

  beforeAll(async () => {
    server = await startTestServer();
    visitor = await server.visitor();
    for (const role of ['agent', 'manager', 'admin'] as const) {
      emails[role] = `matrix-${role}@test.example`;
      await createAgent(server.root.db, { email: emails[role], name: `Matrix ${role}`, role, password }, null);
    }
  });
  afterAll(() => server.stop());

  const reading: Partial<Record<AgentRole, { token: string; csrfToken: string }>> = {};
  // A fresh session per write: a probe of POST /api/auth/logout must not sign the next probes out.
  async function credentials(caller: Caller, csrf: boolean, write: boolean): Promise<Record<string, string>> {
    if (caller === 'anonymous') return {};
    if (caller === 'visitor') return { authorization: `Bearer ${visitor.token}` };
    const session =
      !write && reading[caller] ? reading[caller] : await login(server.root.db, emails[caller], password, 1);
    if (!write) reading[caller] = session!;
    return { cookie: `sid=${session!.token}`, ...(csrf ? { 'x-csrf-token': session!.csrfToken } : {}) };
  }

  async function probe(route: RouteRecord, caller: Caller, csrf = true) {
    const headers = await credentials(caller, csrf, !SAFE.has(route.method));
    const hasBody = !SAFE.has(route.method) && route.method !== 'DELETE';
    const res = await fetch(`${server.url}${concrete(route.url)}`, {
      method: route.method,
      redirect: 'manual',
      headers: { ...headers, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
      body: hasBody ? '{}' : undefined,
    });
    const text = await res.text();
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { code?: string }).code;
    } catch {
      /* HTML, zip or empty */
    }
    return { status: res.status, code };
  }

  const routes = () => server.routes.filter((r) => r.method !== 'OPTIONS');

  it('covers the whole application', () => {
    expect(routes().length).toBeGreaterThan(60);
    const levels = new Set(routes().map((r) => r.access));
    // Only known levels (a typo would silently be "in" for nobody or everybody), and all kinds present.
    expect(
      [...levels].filter((a) => ![undefined, 'public', 'visitor', 'agent', 'manager', 'admin'].includes(a)),
    ).toEqual([]);
    for (const level of [undefined, 'public', 'visitor', 'agent', 'admin'])
      expect(levels.has(level), String(level)).toBe(true);
  });

  it('each route answers each role as its declared access level says', async () => {
    const mismatches: string[] = [];
    for (const route of routes()) {
      const answers = await Promise.all(callers.map((caller) => probe(route, caller)));
      for (const [i, caller] of callers.entries()) {
        const { status, code } = answers[i]!;
        if (route.signed) {
          const refused =
            ((status === 401 || status === 403) && code === 'invalid_signature') ||
            (status === 404 && /not_configured$/.test(code ?? ''));
          if (!refused)
            mismatches.push(
              `${route.method} ${route.url} (signed webhook) as ${caller}: ` +
                `expected a refusal, got ${status} ${code ?? ''}`,
            );
          continue;
        }
        if (route.requestToken) {
          // HEAD answers carry no body, so no error code to compare.
          const refused =
            (status === 401 && (code === 'verification_expired' || route.method === 'HEAD')) || status === 400;
          if (!refused)
            mismatches.push(
              `${route.method} ${route.url} (request token) as ${caller}: expected 401 or 400, got ${status} ${code}`,
            );
          continue;
        }
        const want = expected(route.access, caller);
        // HEAD answers carry no body, so no error code to compare.
        const wantCode =
          route.method === 'HEAD'
            ? undefined
            : want === 403
              ? 'forbidden'
              : route.access === 'visitor'
                ? 'invalid_visitor_token'
                : 'unauthorized';
        const ok =
          want === 'in' ? status !== 401 && status !== 403 && status < 500 : status === want && code === wantCode;
        if (!ok)
          mismatches.push(
            `${route.method} ${route.url} (${route.access ?? 'undeclared'}) as ${caller}: ` +
              `expected ${want}, got ${status} ${code ?? ''}`,
          );
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);

  it('refuses every cookie-authenticated write without the CSRF token, whatever the role', async () => {
    const writes = routes().filter(
      (r) => !SAFE.has(r.method) && ['agent', 'manager', 'admin'].includes(r.access ?? ''),
    );
    expect(writes.length).toBeGreaterThan(20);
    const mismatches: string[] = [];
    for (const route of writes) {
      const roles = ['agent', 'manager', 'admin'] as const;
      const answers = await Promise.all(roles.map((caller) => probe(route, caller, false)));
      for (const [i, caller] of roles.entries()) {
        const { status, code } = answers[i]!;
        if (status !== 403 || code !== 'csrf')
          mismatches.push(
            `${route.method} ${route.url} as ${caller} without x-csrf-token: got ${status} ${code ?? ''}`,
          );
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);
});

/**
 * The same walk for an agent an admin restricted to some inboxes (server/domain/scope.ts). Three people, each
 * writing by email and calling (an attachment, a call recording): Alice in the agent's inboxes, Carol only
 * elsewhere, Bob in both. Every agent route whose `:id` names something that lives in an inbox, called with
 * Carol's ids, answers exactly what a nonexistent id gets (404 not_found: existence does not leak); with Alice's
 * ids it works; an unrestricted agent reads Carol's (so the 404 is the scope's doing).
 */
describe(`authorization matrix: an agent restricted to some inboxes on ${dbMode}`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let scoped: AgentClient;
  let unscoped: AgentClient;
  type Person = Awaited<ReturnType<typeof seedPerson>> & {
    mailInbox: string;
    voiceInbox: string;
    messageId: string;
    attachmentId: string;
    recordingId: string;
  };
  const people: Record<'alice' | 'bob' | 'carol', Person> = {} as never;
  let bobInAliceInbox: string;

  async function person(name: string): Promise<Person> {
    const seeded = await seedPerson(server.root, {
      name,
      email: `${name.toLowerCase()}@example.org`,
      phone: `+4930${Math.floor(1e7 + Math.random() * 9e7)}`,
      marker: name.toLowerCase(),
    });
    const { db } = server.root;
    const [mail] = await db.select().from(conversations).where(eq(conversations.id, seeded.emailConversationId));
    const [voice] = await db.select().from(conversations).where(eq(conversations.id, seeded.callConversationId));
    const [file] = await db
      .select({ id: attachments.id, messageId: attachments.messageId })
      .from(attachments)
      .innerJoin(messages, eq(messages.id, attachments.messageId))
      .where(eq(messages.conversationId, mail!.id));
    const [recording] = await db
      .select({ id: recordings.id })
      .from(recordings)
      .where(eq(recordings.conversationId, voice!.id));
    return {
      ...seeded,
      mailInbox: mail!.inboxId,
      voiceInbox: voice!.inboxId,
      messageId: file!.messageId,
      attachmentId: file!.id,
      recordingId: recording!.id,
    };
  }

  /** The id of `kind` belonging to the person (what the route's `:id` names). */
  function idOf(p: Person, kind: ScopedResource): string {
    const ids: Record<ScopedResource, string> = {
      conversation: p.emailConversationId,
      contact: p.contactId,
      wholeContact: p.contactId,
      message: p.messageId,
      attachment: p.attachmentId,
      recording: p.recordingId,
    };
    return ids[kind];
  }

  beforeAll(async () => {
    server = await startTestServer();
    admin = await AgentClient.login(server.url, server.root.config.adminEmail, ADMIN_PASSWORD);
    people.alice = await person('Alice');
    people.bob = await person('Bob');
    people.carol = await person('Carol');
    // Bob also wrote to Alice's mail inbox: his contact is visible, but not all of it.
    const again = await ingest(server.root, {
      channel: 'email',
      inboxId: people.alice.mailInbox,
      sender: { kind: 'email', address: 'bob@example.org', name: 'Bob' },
      threadKey: `<${randomUUID()}@example.org>`,
      externalId: `<${randomUUID()}@example.org>`,
      subject: 'Another question',
      text: 'Bob again',
      occurredAt: new Date(),
    });
    expect(again.contactId).toBe(people.bob.contactId);
    bobInAliceInbox = again.conversation.id;

    scoped = await server.agentClient('agent');
    unscoped = await server.agentClient('agent');
    // Alice's mail inbox chosen for the agent, her phone inbox through a team: the union is what they see.
    const team = await admin.post('/api/teams', {
      name: 'Phones',
      memberIds: [],
      inboxIds: [people.alice.voiceInbox],
    });
    expect(team.status).toBe(201);
    const access = await admin.send('PUT', `/api/agents/${scoped.agent.id}/access`, {
      scope: 'restricted',
      inboxIds: [people.alice.mailInbox],
      teamIds: [team.body.team.id],
    });
    expect(access.status).toBe(200);
    expect([...access.body.access.visibleInboxIds].sort()).toEqual(
      [people.alice.mailInbox, people.alice.voiceInbox].sort(),
    );
  });
  afterAll(() => server.stop());

  const scopedRoutes = () =>
    server.routes.filter((r) => r.access === 'agent' && typeof r.inboxScoped === 'string' && r.method !== 'HEAD');
  const path = (url: string, id: string) => url.replace(':id', id);
  const body = (method: string) => (SAFE.has(method) || method === 'DELETE' ? undefined : {});

  it('every agent route with an id says whether the id lives in an inbox', () => {
    const undeclared = server.routes.filter(
      (r) => (r.access === 'agent' || r.access === 'manager') && r.url.includes('/:') && r.inboxScoped === undefined,
    );
    expect(undeclared.map((r) => `${r.method} ${r.url}`)).toEqual([]);
    const kinds = new Set(scopedRoutes().map((r) => r.inboxScoped));
    for (const kind of scopedResources) expect(kinds.has(kind), kind).toBe(true);
    expect(scopedRoutes().length).toBeGreaterThanOrEqual(15);
  });

  it("answers 404 for another inbox's conversation, message, attachment, recording, contact and export", async () => {
    const mismatches: string[] = [];
    for (const route of scopedRoutes()) {
      const kind = route.inboxScoped as ScopedResource;
      const elsewhere = await scoped.send(route.method, path(route.url, idOf(people.carol, kind)), body(route.method));
      const nowhere = await scoped.send(route.method, path(route.url, randomUUID()), body(route.method));
      if (elsewhere.status !== 404 || elsewhere.body?.code !== 'not_found')
        mismatches.push(`${route.method} ${route.url}: got ${elsewhere.status} ${elsewhere.body?.code}`);
      // Word for word what an id that exists nowhere gets (but the request id).
      if (elsewhere.body?.message !== nowhere.body?.message || nowhere.status !== 404)
        mismatches.push(`${route.method} ${route.url}: "${elsewhere.body?.message}" vs "${nowhere.body?.message}"`);
    }
    expect(mismatches).toEqual([]);
  });

  it("reads its own inboxes' things, and an unrestricted agent reads the others'", async () => {
    const mismatches: string[] = [];
    for (const route of scopedRoutes().filter((r) => SAFE.has(r.method))) {
      const kind = route.inboxScoped as ScopedResource;
      const own = await scoped.get(path(route.url, idOf(people.alice, kind)));
      const others = await unscoped.get(path(route.url, idOf(people.carol, kind)));
      if (own.status !== 200) mismatches.push(`${route.url} own as scoped: ${own.status}`);
      if (others.status !== 200) mismatches.push(`${route.url} others as unscoped: ${others.status}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('lists show only its inboxes: conversations, contacts, inboxes, recordings', async () => {
    const { alice, bob, carol } = people;
    const convs = await scoped.get('/api/conversations?limit=100');
    expect(convs.body.items.map((c: { id: string }) => c.id).sort()).toEqual(
      [alice.emailConversationId, alice.callConversationId, bobInAliceInbox].sort(),
    );
    const inOther = await scoped.get(`/api/conversations?inbox=${carol.mailInbox}`);
    expect(inOther.body.items).toEqual([]);
    const contactList = await scoped.get('/api/contacts?limit=100');
    expect(contactList.body.items.map((c: { id: string }) => c.id).sort()).toEqual(
      [alice.contactId, bob.contactId].sort(),
    );
    const search = await scoped.get('/api/contacts?q=carol');
    expect(search.body.items).toEqual([]);
    const inboxList = await scoped.get('/api/inboxes');
    expect(inboxList.body.items.map((i: { id: string }) => i.id).sort()).toEqual(
      [alice.mailInbox, alice.voiceInbox].sort(),
    );
    const ownRecordings = await scoped.get(`/api/recordings?conversationId=${alice.callConversationId}`);
    expect(ownRecordings.body.items).toHaveLength(1);
    const otherRecordings = await scoped.get(`/api/recordings?conversationId=${carol.callConversationId}`);
    expect(otherRecordings).toEqual({ status: 200, body: { items: [] } });
    // Everyone else still sees everything.
    const all = await unscoped.get('/api/conversations?limit=100');
    expect(all.body.items).toHaveLength(7);
    expect((await unscoped.get('/api/inboxes')).body.items.length).toBeGreaterThanOrEqual(6);
  });

  it('lets any agent log a privacy request for a contact it sees; deciding it stays with the admins', async () => {
    // A conscious change (issue 21): logging a request moved from admin to agent; the desk itself stays admin.
    const desk = server.routes.filter((r) => r.url.startsWith('/api/privacy/requests') && r.method !== 'HEAD');
    expect(desk.map((r) => `${r.method} ${r.url} ${r.access}`).sort()).toEqual([
      'GET /api/privacy/requests admin',
      'POST /api/privacy/requests agent',
      'POST /api/privacy/requests/:id/assign admin',
      'POST /api/privacy/requests/:id/close admin',
      'POST /api/privacy/requests/:id/erase admin',
      'POST /api/privacy/requests/:id/extend admin',
    ]);
    const log = (contactId: string) =>
      scoped.post('/api/privacy/requests', { contactId, kind: 'erasure', verifiedHow: 'same_channel' });
    expect((await log(people.alice.contactId)).status).toBe(201);
    const elsewhere = await log(people.carol.contactId);
    expect({ status: elsewhere.status, code: elsewhere.body.code }).toEqual({ status: 404, code: 'not_found' });
  });

  it('shows a partly visible contact with only its visible conversations, and refuses its export', async () => {
    const { bob } = people;
    const contact = await scoped.get(`/api/contacts/${bob.contactId}`);
    expect(contact.status).toBe(200);
    expect(contact.body.conversations.map((c: { id: string }) => c.id)).toEqual([bobInAliceInbox]);
    const viaConversation = await scoped.get(`/api/conversations/${bobInAliceInbox}`);
    expect(viaConversation.body.contact.conversations.map((c: { id: string }) => c.id)).toEqual([bobInAliceInbox]);
    const rectified = await scoped.send('PATCH', `/api/contacts/${bob.contactId}`, { name: 'Robert' });
    expect(rectified.status).toBe(200);
    expect(rectified.body.conversations).toHaveLength(1);
    const exported = await scoped.get(`/api/contacts/${bob.contactId}/export`);
    expect(exported.status).toBe(403);
    expect(exported.body.code).toBe('outside_scope');
    expect((await unscoped.get(`/api/contacts/${bob.contactId}/export`)).status).toBe(200);
    expect((await unscoped.get(`/api/contacts/${bob.contactId}`)).body.conversations).toHaveLength(3);
  });
});
