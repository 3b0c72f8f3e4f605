import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { rowsOf } from '../../server/db/client.ts';
import { emitWithAck, startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';

type Message = { body: string; markers?: Array<{ kind: string; detail: string }> };

describe(`automatic PII redaction on arrival, per inbox (${dbMode})`, () => {
  let server: TestServer;
  let admin: AgentClient;

  beforeAll(async () => {
    server = await startTestServer();
    admin = await server.agentClient('admin');
  });
  afterAll(() => server.stop());

  /** A visitor writes through the widget socket; answers what the agent's conversation view shows of it. */
  async function visitorWrites(text: string, clientId: string): Promise<{ agentSees: Message; visitorSees: string }> {
    const visitor = await server.visitor();
    const socket = await visitor.socket();
    try {
      const ack = await emitWithAck(socket, 'message:send', { clientId, text });
      expect(ack.ok).toBe(true);
    } finally {
      socket.close();
    }
    const history = await visitor.get('/api/widget/messages');
    const detail = await admin.get(`/api/conversations/${history.body.conversationId}`);
    return { agentSees: detail.body.messages.at(-1), visitorSees: history.body.messages.at(-1).body };
  }

  const stored = async (fragment: string) => {
    const rows = await server.root.db.execute(
      sql`select count(*)::int as n from messages where body like ${`%${fragment}%`} or html like ${`%${fragment}%`}`,
    );
    return rowsOf<{ n: number }>(rows)[0]!.n;
  };

  it('by default removes cards (keeping the last four) and passwords before storage, and flags the rest', async () => {
    const iban = 'DE89 3704 0044 0532 0130 00';
    const { agentSees, visitorSees } = await visitorWrites(
      `Card 4111 1111 1111 1111 was charged twice, password: Zebra!42. Refund to ${iban}, I have diabetes`,
      'pii-default-1',
    );
    expect(agentSees.body).toBe(
      `Card [redacted] (…1111) was charged twice, password: [redacted]. Refund to ${iban}, I have diabetes`,
    );
    expect(visitorSees).toBe(agentSees.body);
    expect(agentSees.markers).toEqual([
      { kind: 'pii_redacted', detail: 'removed before storage: payment card number (1), password (1)' },
      { kind: 'pii_flagged', detail: 'may contain: IBAN (1), special-category term (Art. 9): health (1)' },
    ]);
    expect(await stored('4111 1111')).toBe(0);
    expect(await stored('Zebra!42')).toBe(0);
  });

  it("an admin's policy per inbox redacts what it names from the next message on; agents can't change it", async () => {
    const agent = await server.agentClient('agent');
    expect((await agent.get(`/api/inboxes/${server.chatInboxId}/pii-policy`)).status).toBe(403);
    expect((await admin.get(`/api/inboxes/${server.chatInboxId}/pii-policy`)).body).toEqual({
      card: 'redact',
      iban: 'flag',
      national_id: 'flag',
      password: 'redact',
      special_category: 'flag',
    });
    const policy = {
      card: 'flag',
      iban: 'redact',
      national_id: 'redact',
      password: 'redact',
      special_category: 'redact',
    };
    const put = await admin.send('PUT', `/api/inboxes/${server.chatInboxId}/pii-policy`, policy);
    expect(put.status).toBe(200);
    expect((await admin.get(`/api/inboxes/${server.chatInboxId}/pii-policy`)).body).toEqual(policy);

    const { agentSees } = await visitorWrites(
      'Olen raskaana. Henkilötunnus 131052-308T, tili FI21 1234 5600 0007 85, kortti 4111111111111111',
      'pii-policy-1',
    );
    expect(agentSees.body).toBe('Olen [redacted]. Henkilötunnus [redacted], tili [redacted], kortti 4111111111111111');
    expect(agentSees.markers?.map((m) => m.kind)).toEqual(['pii_redacted', 'pii_flagged']);
    expect(await stored('131052-308T')).toBe(0);
    // The audit entry names the inbox and the choices, nothing a customer wrote.
    const audit = await admin.get('/api/privacy/audit?limit=5');
    expect(JSON.stringify(audit.body)).toContain('inbox.pii_policy_set');

    expect((await admin.send('PUT', `/api/inboxes/${server.chatInboxId}/pii-policy`, { card: 'delete' })).status).toBe(
      400,
    );
  });
});
