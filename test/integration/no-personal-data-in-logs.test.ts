import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMode } from '../helpers/db.ts';
import { emitWithAck, startTestServer, type TestServer } from '../helpers/server.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { inboxes } from '../../drizzle/schema/index.ts';

describe(`logs hold no personal data (${dbMode})`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ LOG_LEVEL: 'trace' });
  });
  afterAll(() => server.stop());

  it('after real traffic, no message text, address, phone, name or search term appears in the log output', async () => {
    const secrets = {
      text: 'my-secret-message-body-7731',
      email: 'grace.hopper.7731@example.org',
      phone: '+15550107731',
      name: 'Grace Hopper 7731',
      search: 'hopper-search-7731',
    };
    const agent = await server.agentClient('agent');
    const visitor = await server.visitor(true);
    const widget = await visitor.socket();
    await emitWithAck(widget, 'message:send', { clientId: 'log-client-01', text: secrets.text });
    await visitor.post('/api/widget/messages', { clientId: 'log-client-02', text: `${secrets.text} again` });
    widget.close();
    const [mail] = await server.root.db.insert(inboxes).values({ name: 'Mail', channel: 'email' }).returning();
    const result = await ingest(server.root, {
      channel: 'email',
      inboxId: mail!.id,
      sender: { kind: 'email', address: secrets.email, name: secrets.name },
      threadKey: `<${secrets.email}>`,
      externalId: 'log-test-1',
      text: `${secrets.text} by mail from ${secrets.phone}`,
      occurredAt: new Date(),
    });
    await agent.post(`/api/conversations/${result.conversation.id}/messages`, { text: `reply to ${secrets.name}` });
    await agent.get(`/api/contacts?q=${secrets.search}`);
    await agent.post(`/api/conversations/${result.conversation.id}/notes`, '{"text": "broken json ' + secrets.text);
    await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: secrets.email, password: 'whatever-password' }),
    });
    // The failing reply path (no email adapter yet) logs nothing about the address either.
    await new Promise((r) => setTimeout(r, 200));

    const logs = server.logs();
    expect(logs.length).toBeGreaterThan(500);
    for (const [what, value] of Object.entries(secrets)) {
      expect(logs.includes(value), `${what} leaked into the logs`).toBe(false);
    }
    expect(logs.includes('7731')).toBe(false);
  });
});
