import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { auditLog, webhookDeliveries, webhookSubscriptions } from '../../drizzle/schema/index.ts';
import { deliverDueWebhooks } from '../../server/webhooks/deliveries.ts';
import { verifyWebhook } from '../../packages/client/examples/verify-webhook.ts';

type Received = { headers: IncomingHttpHeaders; body: string };
type Event = { id: string; type: string; createdAt: string; data: Record<string, unknown>; content?: TestContent };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the content is checked by the assertions
type TestContent = any;

/**
 * Outgoing webhooks as a receiver sees them: a local HTTP endpoint (allowed through the outbound guard by
 * OUTBOUND_ALLOW_HOSTS, as an egress exception would be) checks every delivery with the README's verification
 * snippet, gets ids only unless content was chosen, sees a retry after a 500, and hears of an erasure.
 */
describe(`outgoing webhooks on ${dbMode}`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let agent: AgentClient;
  let receiver: Server;
  let base: string;
  const received = new Map<string, Received[]>();
  const failNext = new Map<string, number>();

  const subscribe = async (path: string, events: string[], includeContent = false) => {
    const res = await admin.post('/api/webhooks', {
      name: `Receiver ${path}`,
      url: `${base}${path}`,
      events,
      includeContent,
    });
    expect(res.status).toBe(201);
    return res.body as { subscription: { id: string }; secret: string };
  };
  /** The verified events a path received (every delivery must pass the README's check). */
  const eventsAt = (path: string, secret: string): Event[] =>
    (received.get(path) ?? []).map((r) => verifyWebhook(secret, r.headers, r.body) as Event);
  /** Waits until `path` received `count` deliveries (events are published right after the request's commit). */
  const arrived = async (path: string, count: number) => {
    await expect.poll(() => received.get(path)?.length ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(count);
    await server.webhooks.settled();
  };
  /** The deliveries an admin sees, once `count` of them exist. */
  const deliveriesOf = async (id: string, count = 1) => {
    await expect
      .poll(async () => (await admin.get(`/api/webhooks/${id}/deliveries`)).body.items.length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(count);
    await server.webhooks.settled();
    return (await admin.get(`/api/webhooks/${id}/deliveries`)).body.items;
  };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const path = req.url!;
        received.set(path, [...(received.get(path) ?? []), { headers: req.headers, body }]);
        const failures = failNext.get(path) ?? 0;
        failNext.set(path, Math.max(0, failures - 1));
        res.writeHead(failures > 0 ? 500 : 204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    base = `http://127.0.0.1:${port}`;
    server = await startTestServer({ OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${port}` });
    admin = await server.agentClient('admin');
    agent = await server.agentClient('agent');
  });
  afterAll(async () => {
    await server.stop();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('is for admins; the secret is shown once, sealed at rest, and creating and deleting is audited', async () => {
    expect((await agent.get('/api/webhooks')).status).toBe(403);
    const bad = await admin.post('/api/webhooks', {
      name: 'x',
      url: 'http://example.com/hook',
      events: ['message.created'],
    });
    expect(bad).toMatchObject({ status: 400, body: { code: 'invalid_webhook_url' } });
    expect(bad.body.message).toContain('https');

    const { subscription, secret } = await subscribe('/audit', ['message.created']);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const [row] = await server.root.db
      .select()
      .from(webhookSubscriptions)
      .where(eq(webhookSubscriptions.id, subscription.id));
    expect(row!.secret).not.toContain(secret.slice(6));
    expect(row!.includeContent).toBe(false);
    const list = await admin.get('/api/webhooks');
    expect(JSON.stringify(list.body)).not.toContain(secret.slice(6));
    expect(list.body.items.map((s: { id: string }) => s.id)).toContain(subscription.id);

    expect((await admin.send('DELETE', `/api/webhooks/${subscription.id}`)).status).toBe(204);
    expect((await admin.send('DELETE', `/api/webhooks/${subscription.id}`)).status).toBe(404);
    const audit = await server.root.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetId, subscription.id))
      .orderBy(auditLog.id);
    expect(audit.map((a) => a.action)).toEqual(['webhook.created', 'webhook.deleted']);
  });

  it('sends signed events with ids only: a new conversation, its message, an assignment, a resolution', async () => {
    const { secret } = await subscribe('/minimal', [
      'conversation.created',
      'message.created',
      'conversation.assigned',
      'conversation.resolved',
      'consent.changed',
    ]);
    const visitor = await server.visitor();
    await visitor.post('/api/widget/messages', { clientId: 'webhook-min-1', text: 'My parcel 4711 is missing' });
    const conversationId = (await visitor.get('/api/widget/messages')).body.conversationId as string;
    await admin.post(`/api/conversations/${conversationId}/notes`, { text: 'Internal: check the depot' });
    await admin.post(`/api/conversations/${conversationId}/assign`, { agentId: agent.agent.id });
    await admin.post(`/api/conversations/${conversationId}/status`, { status: 'resolved' });
    await arrived('/minimal', 6);

    const events = eventsAt('/minimal', secret);
    // The widget session records two consents (support given, analytics refused), then the conversation opens.
    expect(events.map((e) => e.type)).toEqual([
      'consent.changed',
      'consent.changed',
      'conversation.created',
      'message.created',
      'conversation.assigned',
      'conversation.resolved',
    ]);
    expect(events.slice(0, 2).map((e) => e.data.purpose)).toEqual(['support', 'analytics']);
    const created = events[2]!;
    expect(created.data).toMatchObject({ conversationId, inboxId: server.chatInboxId });
    expect(events[4]!.data.assigneeId).toBe(agent.agent.id);
    // Ids only: no text, no note, no content object; every event id is its Webhook-Id and unique.
    const raw = (received.get('/minimal') ?? []).map((r) => r.body).join('\n');
    expect(raw).not.toContain('parcel');
    expect(raw).not.toContain('depot');
    expect(events.every((e) => e.content === undefined)).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('sends the content only when chosen, and lists that receiver in the Art. 30 record', async () => {
    const { subscription, secret } = await subscribe('/content', ['message.created'], true);
    const visitor = await server.visitor();
    await visitor.post('/api/widget/messages', { clientId: 'webhook-content-1', text: 'Please call me back' });
    await arrived('/content', 1);
    const [event] = eventsAt('/content', secret);
    expect(event!.content.message.body).toBe('Please call me back');
    expect(event!.content.conversation.id).toBe(event!.data.conversationId);

    const record = (await admin.get('/api/privacy/record')).body;
    const names = record.processors.map((p: { name: string }) => p.name);
    expect(names).toContain(`Webhook receiver "Receiver /content" (${new URL(base).host})`);
    expect(names).not.toContain(`Webhook receiver "Receiver /minimal" (${new URL(base).host})`);
    const support = record.processingActivities.find((a: { name: string }) => a.name === 'Customer support');
    expect(support.recipients).toContain(`Webhook receiver "Receiver /content" (${new URL(base).host})`);
    await admin.send('DELETE', `/api/webhooks/${subscription.id}`);
  });

  it('retries after a 500 with backoff, with the same event id, and shows each attempt to admins', async () => {
    const { subscription, secret } = await subscribe('/flaky', ['message.created']);
    failNext.set('/flaky', 1);
    const visitor = await server.visitor();
    await visitor.post('/api/widget/messages', { clientId: 'webhook-retry-1', text: 'Hello?' });
    await arrived('/flaky', 1);
    let [delivery] = await deliveriesOf(subscription.id);
    expect(delivery).toMatchObject({ state: 'pending', attempts: 1, log: [{ status: 500, error: 'HTTP 500' }] });
    const wait = Date.parse(delivery.nextAttemptAt) - Date.parse(delivery.log[0].at);
    expect(wait).toBe(30_000);

    // Not due yet: nothing is sent. Once due (the deadline is in the database), the retry goes out.
    expect(await deliverDueWebhooks(server.root.webhooks, new Date(Date.now() + 5_000))).toBe(0);
    expect(await deliverDueWebhooks(server.root.webhooks, new Date(Date.now() + 31_000))).toBe(1);
    [delivery] = (await admin.get(`/api/webhooks/${subscription.id}/deliveries`)).body.items;
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(delivery.log.map((a: { status: number }) => a.status)).toEqual([500, 204]);
    const events = eventsAt('/flaky', secret);
    expect(events).toHaveLength(2);
    expect(events[0]!.id).toBe(events[1]!.id);
    expect(events[0]!.id).toBe(delivery.eventId);
  });

  it('goes through the outbound guard: a host it does not allow is refused and logged as such', async () => {
    const res = await admin.post('/api/webhooks', {
      name: 'Local',
      url: 'http://localhost:9/hook',
      events: ['message.created'],
    });
    const visitor = await server.visitor();
    await visitor.post('/api/widget/messages', { clientId: 'webhook-guard-1', text: 'Hi' });
    await expect
      .poll(async () => (await deliveriesOf(res.body.subscription.id))[0].attempts, { timeout: 10_000 })
      .toBe(1);
    const [delivery] = await deliveriesOf(res.body.subscription.id);
    expect(delivery).toMatchObject({
      state: 'pending',
      attempts: 1,
      log: [{ status: null, error: 'EOUTBOUNDREFUSED' }],
    });
    await admin.send('DELETE', `/api/webhooks/${res.body.subscription.id}`);
  });

  it('tells the receiver of an erasure (ids only) and keeps none of the erased contact’s deliveries', async () => {
    const { secret } = await subscribe('/erasure', ['contact.erased', 'message.created']);
    const visitor = await server.visitor();
    await visitor.post('/api/widget/messages', { clientId: 'webhook-erase-1', text: 'Delete me please' });
    const conversationId = (await visitor.get('/api/widget/messages')).body.conversationId as string;
    const contactId = (await admin.get(`/api/conversations/${conversationId}`)).body.conversation.contact.id;
    await arrived('/erasure', 1);
    expect((await admin.post(`/api/contacts/${contactId}/erase`, { confirm: true })).status).toBe(200);
    await arrived('/erasure', 2);

    const erased = eventsAt('/erasure', secret).find((e) => e.type === 'contact.erased')!;
    expect(erased.data).toEqual({ contactId, conversationIds: [conversationId] });
    expect(
      received
        .get('/erasure')!
        .map((r) => r.body)
        .join('\n'),
    ).not.toContain('Delete me');
    const left = await server.root.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.contactId, contactId));
    expect(left).toEqual([]);
  });

  it('records nothing for a paused subscription, and resumes', async () => {
    const { subscription, secret } = await subscribe('/paused', ['message.created']);
    const paused = await admin.send('PATCH', `/api/webhooks/${subscription.id}`, { paused: true });
    expect(paused.body.subscription).toMatchObject({ paused: true });
    const visitor = await server.visitor();
    const first = await visitor.post('/api/widget/messages', { clientId: 'webhook-pause-1', text: 'One' });
    await server.webhooks.settled();
    await admin.send('PATCH', `/api/webhooks/${subscription.id}`, { paused: false });
    await visitor.post('/api/widget/messages', { clientId: 'webhook-pause-2', text: 'Two' });
    await arrived('/paused', 1);
    // Only the message sent after resuming: nothing was recorded for the first one (it would go out now).
    const [event] = eventsAt('/paused', secret);
    expect(received.get('/paused')).toHaveLength(1);
    expect(event!.data.messageId).not.toBe(first.body.message.id);
    const audit = await server.root.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(and(eq(auditLog.targetId, subscription.id), eq(auditLog.targetType, 'webhook_subscription')))
      .orderBy(auditLog.id);
    expect(audit.map((a) => a.action)).toEqual(['webhook.created', 'webhook.paused', 'webhook.resumed']);
  });

  it('documents the receiver’s check: the README quotes packages/client/examples/verify-webhook.ts', () => {
    const snippet = readFileSync('packages/client/examples/verify-webhook.ts', 'utf8');
    expect(readFileSync('README.md', 'utf8')).toContain(snippet.trim());
  });
});
