import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { emitWithAck, nextEvent, startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { eventually } from '../helpers/email.ts';
import { kbSeedFor } from '../../server/demo/kb.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { verifyAuditChain } from '../../server/privacy/audit-verify.ts';
import { auditStaged, contactIdentities, inboxes, privacyRequests } from '../../drizzle/schema/index.ts';
import type { InboundMessage } from '../../channels/types.ts';
import { identityIs } from '../helpers/identities.ts';

type AuditItem = { action: string; actor: { kind: string }; targetType: string; fields: string[] };

/**
 * Issue 21, acceptance 3 and 7: a restricted contact (Art. 18) is kept but left out of the bot, the dashboards and
 * the sendings the law does not require; an objection (Art. 21) does the same for what it names; and every add,
 * update and delete of a person's data leaves an audit entry with ids and field names, never values.
 */
describe(`restriction, objection and the contact's audit trail (${dbMode})`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let manager: AgentClient;

  beforeAll(async () => {
    server = await startTestServer({ BOT_ENABLED: 'true', BOT_EMBEDDER: 'lexical', ANALYTICS_MIN_COHORT: '1' });
    [admin, manager] = await Promise.all([server.agentClient('admin'), server.agentClient('manager')]);
    const reset = kbSeedFor('en').find((a) => a.title === 'Resetting your password')!;
    expect((await admin.post('/api/kb/articles', reset)).status).toBe(201);
    await server.bot.whenReady();
  }, 240_000);
  afterAll(() => server?.stop());

  const contactOf = async (conversationId: string) =>
    (await admin.get(`/api/conversations/${conversationId}`)).body.contact.id as string;
  const restrict = (contactId: string, body: Record<string, unknown>) =>
    admin.post(`/api/privacy/contacts/${contactId}/restrictions`, body);
  const audit = async (contactId: string): Promise<AuditItem[]> => {
    const res = await admin.get(`/api/privacy/contacts/${contactId}/audit`);
    expect(res.status).toBe(200);
    return res.body.items;
  };

  /** A widget visitor who agreed to analysis and wrote one message; the conversation starts with the bot. */
  async function chatting(text: string) {
    const visitor = await server.visitor(true);
    const socket = await visitor.socket();
    const botLines: string[] = [];
    socket.on('message:created', (p) => p.message.from === 'bot' && botLines.push(p.message.body));
    await emitWithAck(socket, 'message:send', { clientId: `r-${Math.random().toString(36).slice(2, 12)}`, text });
    const conversationId = (await visitor.get('/api/widget/messages')).body.conversationId as string;
    // The bot has decided (answered or handed off) before the test goes on.
    await eventually(
      async () => (await admin.get(`/api/conversations/${conversationId}`)).body.botDecisions.length > 0,
      15_000,
      'the bot decision',
    );
    return { visitor, socket, botLines, conversationId, contactId: await contactOf(conversationId) };
  }

  it('keeps the bot silent for a restricted contact and hands the conversation to a person', async () => {
    // Control: the same question from a contact under no restriction gets the bot's answer.
    const free = await chatting('How do I reset my password? I forgot it');
    await eventually(async () => free.botLines.some((l) => l.includes('Forgot password')), 15_000, 'the answer');
    free.socket.close();

    // The widget session made the contact (with the visitor's consent) before any message: restrict it now.
    const visitor = await server.visitor(true);
    const { db } = server.root;
    const [identity] = await db
      .select({ contactId: contactIdentities.contactId })
      .from(contactIdentities)
      .where(identityIs(db, 'visitor', visitor.visitorId));
    const contactId = identity!.contactId;
    const placed = await restrict(contactId, { kind: 'restriction', reason: 'Accuracy contested (Art. 18(1)(a))' });
    expect(placed.status).toBe(201);
    expect(placed.body.restriction).toMatchObject({
      kind: 'restriction',
      purposes: ['analytics', 'bot', 'optional_messages', 'processors'],
      liftedAt: null,
      setBy: { id: admin.agent.id },
    });

    const socket = await visitor.socket();
    const botLines: string[] = [];
    socket.on('message:created', (p) => p.message.from === 'bot' && botLines.push(p.message.body));
    const handedOff = nextEvent(socket, 'conversation:status', (p) => p.status === 'open');
    await emitWithAck(socket, 'message:send', {
      clientId: 'restricted-0001',
      text: 'How do I reset my password? I forgot it',
    });
    await handedOff;
    const conversationId = (await visitor.get('/api/widget/messages')).body.conversationId as string;
    const detail = (await admin.get(`/api/conversations/${conversationId}`)).body;
    expect(detail.conversation.status).toBe('open');
    expect(detail.messages.map((m: { authorKind: string; kind: string }) => `${m.authorKind} ${m.kind}`)).toEqual([
      'contact message',
      'bot event',
    ]);
    expect(detail.messages[1].body).toContain('restriction or objection (Art. 18/21): no automated answers');
    // No answer, no disclosure, no decision logged: the bot did not process what they wrote.
    expect(detail.botDecisions).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(botLines).toEqual([]);
    socket.close();
    // The contact panel's view says so (the inbox shows the badge from it).
    const contact = (await admin.get(`/api/contacts/${contactId}`)).body;
    expect(contact.restrictions).toHaveLength(1);
  });

  it('leaves a restricted contact out of the dashboard, an objection to analytics too; lifting restores', async () => {
    const figures = async () => (await manager.get('/api/analytics/dashboard')).body;
    const a = await chatting('Hello, a question about my order');
    const b = await chatting('Hello, another question');
    a.socket.close();
    b.socket.close();
    const before = await figures();
    expect(before.coverage.consenting).toBeGreaterThanOrEqual(2);

    expect((await restrict(a.contactId, { kind: 'restriction', reason: 'Processing unlawful, kept' })).status).toBe(
      201,
    );
    const objection = await restrict(b.contactId, {
      kind: 'objection',
      purposes: ['analytics'],
      reason: 'Objects to analysis of their conversations',
    });
    expect(objection.status).toBe(201);
    expect(objection.body.restriction.purposes).toEqual(['analytics']);
    const during = await figures();
    expect(during.coverage.consenting).toBe(before.coverage.consenting - 2);
    expect(during.volume.conversations.value).toBe(before.volume.conversations.value - 2);

    // An objection to analytics alone leaves the bot and the survey alone.
    const rating = await b.visitor.get('/api/widget/rating');
    expect(rating.body.ask).toBe(true);

    const lifted = await admin.post(`/api/privacy/restrictions/${objection.body.restriction.id}/lift`, {
      reason: 'Objection withdrawn by the customer',
    });
    expect(lifted.status).toBe(200);
    expect(lifted.body.restriction.liftedAt).not.toBeNull();
    expect(
      (await admin.post(`/api/privacy/restrictions/${objection.body.restriction.id}/lift`, { reason: 'again' })).status,
    ).toBe(409);
    const after = await figures();
    expect(after.coverage.consenting).toBe(before.coverage.consenting - 1);
    expect(after.volume.conversations.value).toBe(before.volume.conversations.value - 1);
  });

  it('asks a restricted contact no satisfaction survey and refuses one', async () => {
    const c = await chatting('Hello there');
    c.socket.close();
    await admin.post(`/api/conversations/${c.conversationId}/status`, { status: 'resolved' });
    expect((await c.visitor.get('/api/widget/rating')).body).toMatchObject({ status: 'resolved', ask: true });
    expect(
      (await restrict(c.contactId, { kind: 'objection', purposes: ['optional_messages'], reason: 'No surveys' }))
        .status,
    ).toBe(201);
    expect((await c.visitor.get('/api/widget/rating')).body).toMatchObject({ status: 'resolved', ask: false });
    const refused = await c.visitor.post('/api/widget/rating', { score: 5 });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('not_asked');
  });

  it('answers a restriction request from the desk: the contact is restricted and the request closed', async () => {
    const c = await chatting('Please stop processing my data while you check it');
    c.socket.close();
    const filed = await admin.post('/api/privacy/requests', {
      contactId: c.contactId,
      kind: 'restriction',
      verifiedHow: 'same_channel',
    });
    expect(filed.status).toBe(201);
    const requestId = filed.body.request.id as string;
    // The wrong kind of restriction for the request is refused, and nothing is placed.
    expect(
      (await restrict(c.contactId, { kind: 'objection', purposes: ['bot'], reason: 'x-y-z', requestId })).status,
    ).toBe(400);
    const placed = await restrict(c.contactId, { kind: 'restriction', reason: 'As requested', requestId });
    expect(placed.status).toBe(201);
    expect(placed.body.restriction.requestId).toBe(requestId);
    const [request] = await server.root.db.select().from(privacyRequests).where(eq(privacyRequests.id, requestId));
    expect(request).toMatchObject({ status: 'completed', outcome: { kind: 'fulfilled', produced: 'restriction' } });
    expect((await admin.get(`/api/contacts/${c.contactId}`)).body.restrictions).toHaveLength(1);
    const actions = (await audit(c.contactId)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['contact.restricted', 'privacy_request.closed']));
  });

  it('keeps restriction for admins, with a reason', async () => {
    const agent = await server.agentClient('agent');
    const c = await chatting('Hi');
    c.socket.close();
    expect(
      (await agent.post(`/api/privacy/contacts/${c.contactId}/restrictions`, { kind: 'restriction', reason: 'abc' }))
        .status,
    ).toBe(403);
    expect((await restrict(c.contactId, { kind: 'restriction', reason: '' })).status).toBe(400);
    expect((await restrict(c.contactId, { kind: 'objection', purposes: [], reason: 'No purposes' })).status).toBe(400);
    expect(
      (await restrict('00000000-0000-4000-8000-000000000000', { kind: 'restriction', reason: 'abc' })).status,
    ).toBe(404);
  });

  it("lists ingest, rectification, consent and restriction in the contact's audit, with field names only", async () => {
    const { db } = server.root;
    const [mailInbox] = await db.insert(inboxes).values({ name: 'Audit mail', channel: 'email' }).returning();
    const deps = { db, events: server.root.events, inboxNames: server.root.inboxNames, dataKeys: server.root.dataKeys };
    const mail = (n: number, over: Partial<InboundMessage> = {}): InboundMessage => ({
      channel: 'email',
      inboxId: mailInbox!.id,
      sender: { kind: 'email', address: 'greta.gardener@example.org', name: 'Greta Gardener' },
      threadKey: '<audit-thread-1@example.org>',
      externalId: `<audit-${n}@example.org>`,
      subject: 'My hedge trimmer order',
      text: 'The hedge trimmer arrived broken',
      occurredAt: new Date(),
      ...over,
    });
    // A new sender (one statement), then their second message (the known-thread statement), then a batch of new
    // senders arriving together (the group-commit statement).
    const first = await ingest(deps, mail(1));
    await ingest(deps, mail(2, { text: 'Any news on the trimmer?' }));
    const together = await Promise.all(
      [1, 2, 3, 4].map((i) =>
        ingest(
          deps,
          mail(10 + i, {
            sender: { kind: 'email', address: `batch${i}@example.org`, name: `Batch Person ${i}` },
            threadKey: `<audit-batch-${i}@example.org>`,
          }),
        ),
      ),
    );
    const contactId = first.contactId;

    // An agent's reply, a rectification by an agent, and a consent recorded by an agent.
    const answered = await admin.post(`/api/conversations/${first.conversation.id}/messages`, {
      text: 'Sorry Greta, a new trimmer is on its way',
    });
    expect(answered.status).toBe(201);
    expect((await admin.send('PATCH', `/api/contacts/${contactId}`, { name: 'Greta Gardner' })).status).toBe(200);
    const consent = await admin.post(`/api/contacts/${contactId}/consent`, {
      purpose: 'analytics',
      granted: true,
      sourceChannel: 'email',
      evidence: 'phone call',
    });
    expect(consent.status).toBe(201);
    const restricted = await restrict(contactId, { kind: 'restriction', reason: 'Accuracy contested' });
    await admin.post(`/api/privacy/restrictions/${restricted.body.restriction.id}/lift`, { reason: 'Verified' });

    const items = await audit(contactId);
    const brief = items.map((e) => `${e.actor.kind} ${e.action} ${e.targetType} [${e.fields.join(',')}]`).reverse();
    expect(brief).toEqual([
      'system contact.created contact [name,email,identity.email]',
      'system message.received message [body,subject]',
      'system message.received message [body]',
      'agent message.sent message [body]',
      'agent contact.rectified contact [name]',
      'agent consent.granted contact [consent.analytics]',
      'agent contact.restricted contact []',
      'agent contact.restriction_lifted contact []',
    ]);
    const text = JSON.stringify(items);
    for (const value of ['Greta', 'Gardner', 'greta.gardener@example.org', 'hedge', 'trimmer', 'phone call'])
      expect(text).not.toContain(value);

    // Each of the batch's people has their own entries.
    for (const r of together) {
      const theirs = (await audit(r.contactId)).map((e) => e.action).reverse();
      expect(theirs).toEqual(['contact.created', 'message.received']);
    }
    // Everything staged joined the hash chain, and the chain verifies.
    expect(await db.select().from(auditStaged)).toEqual([]);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});
