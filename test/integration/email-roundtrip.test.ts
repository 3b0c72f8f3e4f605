import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { createEmailInbox, eventually, rawMail } from '../helpers/email.ts';
import type { ConversationView, MessageView } from '../../server/http/views.ts';

/**
 * The whole email round trip against a real Dovecot and a real SMTP server: a customer's mail
 * appears as a conversation, the agent's reply leaves with the headers mail clients thread by, and
 * the customer's answer to it lands in the same conversation.
 */
describe('email round trip (Dovecot IMAP in, SMTP out)', () => {
  let server: TestServer;
  let dovecot: Dovecot;
  let smtp: SmtpSink;
  let admin: AgentClient;
  let agent: AgentClient;
  let inboxId: string;

  beforeAll(async () => {
    [dovecot, smtp, server] = await Promise.all([startDovecot(), startSmtpSink(), startTestServer()]);
    admin = await server.agentClient('admin');
    agent = await server.agentClient('agent');
    inboxId = (await createEmailInbox(admin, dovecot, smtp)).id;
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all([dovecot?.stop(), smtp?.stop()]);
  });

  const conversationsOfInbox = async () =>
    (await agent.get(`/api/conversations?inbox=${inboxId}`)).body.items as ConversationView[];

  it('never returns the stored passwords', async () => {
    const res = await admin.get(`/api/inboxes/${inboxId}/email`);
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(dovecot.password);
    expect(text).not.toContain(smtp.password);
    expect(res.body.inbox.settings.imap.passwordSet).toBe(true);
    expect(res.body.inbox.settings.smtp.passwordSet).toBe(true);
    expect((await agent.get(`/api/inboxes/${inboxId}/email`)).status).toBe(403);
    const list = await agent.get('/api/inboxes');
    expect(JSON.stringify(list.body)).not.toContain(dovecot.password);
  });

  it('customer mail -> conversation -> agent reply over SMTP -> customer reply in the same conversation', async () => {
    const first = '<order-question-1@customer.example>';
    await dovecot.append(
      rawMail({ messageId: first, subject: 'Where is order 1234?', text: 'Hello, order 1234 has not arrived yet.' }),
    );

    const conversation = await eventually(async () => (await conversationsOfInbox())[0], 10_000, 'the conversation');
    expect(conversation.channel).toBe('email');
    expect(conversation.subject).toBe('Where is order 1234?');
    expect(conversation.lastMessagePreview).toContain('order 1234 has not arrived');
    const detail = (await agent.get(`/api/conversations/${conversation.id}`)).body;
    expect(detail.contact.identities).toContainEqual({ kind: 'email', address: 'jane@customer.example' });
    expect(detail.contact.name).toBe('Jane Customer');

    const sent = await agent.post(`/api/conversations/${conversation.id}/messages`, { text: 'Sorry! It ships today.' });
    expect(sent.status).toBe(201);
    expect(sent.body.message.deliveryState).toBe('sent');
    const [mail] = await smtp.waitFor(1);
    const parsed = mail!.parsed;
    expect(mail!.envelope.to).toEqual(['jane@customer.example']);
    expect(parsed.from?.value[0]).toMatchObject({ address: 'support@shop.example', name: 'Shop Support' });
    expect(parsed.replyTo?.value[0]?.address).toBe('support@shop.example');
    expect(parsed.subject).toBe('Re: Where is order 1234?');
    expect(parsed.inReplyTo).toBe(first);
    expect([parsed.references].flat()).toEqual([first]);
    expect(parsed.text?.trim()).toBe('Sorry! It ships today.');
    const ourId = parsed.messageId!;
    expect(ourId).toMatch(new RegExp(`^<pi\\.${sent.body.message.id}\\.[0-9a-f]+@shop\\.example>$`));

    // The customer answers from a client that changes the subject: the headers, not the subject, thread it.
    await dovecot.append(
      rawMail({
        messageId: '<order-question-2@customer.example>',
        subject: 'Re: Where is order 1234? (tracking)',
        inReplyTo: ourId,
        references: [first, ourId],
        text: 'Great, thanks! Is there tracking?',
      }),
    );
    const thread = await eventually(
      async () => {
        const d = (await agent.get(`/api/conversations/${conversation.id}`)).body;
        return d.messages.length === 3 ? d : undefined;
      },
      10_000,
      'the reply in the conversation',
    );
    expect(thread.messages.map((m: MessageView) => [m.direction, m.body.trim()])).toEqual([
      ['inbound', 'Hello, order 1234 has not arrived yet.'],
      ['outbound', 'Sorry! It ships today.'],
      ['inbound', 'Great, thanks! Is there tracking?'],
    ]);
    expect(await conversationsOfInbox()).toHaveLength(1);

    // A second agent reply continues the customer's thread: In-Reply-To the latest mail, the whole chain in References.
    await agent.post(`/api/conversations/${conversation.id}/messages`, { text: 'Tracking: ZX-42.' });
    const [, second] = await smtp.waitFor(2);
    expect(second!.parsed.inReplyTo).toBe('<order-question-2@customer.example>');
    expect([second!.parsed.references].flat()).toEqual([first, ourId, '<order-question-2@customer.example>']);
  });

  it('marks ingested mail as read on the server and deletes nothing', async () => {
    const client = await dovecot.client();
    try {
      const mailbox = await client.mailboxOpen('INBOX');
      expect(mailbox.exists).toBe(2);
      const flags: string[][] = [];
      for await (const m of client.fetch('1:*', { flags: true })) flags.push([...(m.flags ?? [])]);
      expect(flags).toEqual([['\\Seen'], ['\\Seen']]);
    } finally {
      await client.logout();
    }
  });
});
