import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { rowsOf } from '../../server/db/client.ts';
import { eq } from 'drizzle-orm';
import { inboxes, messages } from '../../drizzle/schema/index.ts';
import { ingestMail } from '../../channels/email/inbound.ts';
import { parseEmailSettings } from '../../channels/email/settings.ts';
import { emailExternalId } from '../../channels/email/message-ids.ts';
import { openedMessages } from '../helpers/opened-messages.ts';
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
      {
        kind: 'pii_redacted',
        detail: 'removed before storage: payment card number (1), password (1)',
        event: { code: 'pii_removed', args: { card: 1, password: 1 } },
      },
      {
        kind: 'pii_flagged',
        detail: 'may contain: IBAN (1), special-category term (Art. 9): health (1)',
        event: { code: 'pii_may_contain', args: { iban: 1, 'special_category:health': 1 } },
      },
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

  it('applies to email too: the text and the sanitized HTML lose what the policy redacts', async () => {
    // Straight into the email channel's ingest step (IMAP is the email tests' job); the inbox has no server to read.
    const [inbox] = await server.root.db.insert(inboxes).values({ name: 'Mail', channel: 'email' }).returning();
    const policy = {
      card: 'redact',
      iban: 'redact',
      national_id: 'flag',
      password: 'redact',
      special_category: 'flag',
    };
    expect((await admin.send('PUT', `/api/inboxes/${inbox!.id}/pii-policy`, policy)).status).toBe(200);
    const settings = parseEmailSettings({
      address: 'support@shop.example',
      imap: { host: 'imap.invalid', user: 'u', password: 'p' },
      smtp: { host: 'smtp.invalid', user: 'u', password: 'p' },
    });
    const raw = [
      'From: Kim <kim@customer.example>',
      'To: support@shop.example',
      'Subject: Refund',
      'Message-ID: <pii-mail-1@customer.example>',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>Please refund to <b>DE89 3704 0044 0532 0130 00</b>; my card was 5555 5555 5555 4444.</p>',
      '',
    ].join('\r\n');
    const deps = { ...server.root, adapter: server.root.adapters.email, log: server.fastify.log, maxTextChars: 10_000 };
    const context = { mailbox: 'INBOX', uid: 1, size: 0, truncated: false };
    expect(await ingestMail(deps, inbox!.id, settings, Buffer.from(raw), context)).toBe('ingested');
    const [row] = await openedMessages(
      server.root.db,
      server.root.dataKeys,
      eq(messages.externalId, emailExternalId(inbox!.id, '<pii-mail-1@customer.example>')),
    );
    expect(row!.body).toContain('Please refund to [redacted]; my card was [redacted] (…4444).');
    expect(row!.html).not.toMatch(/DE89|3704|5555/);
    expect(row!.html).toContain('[redacted]');
  });
});
