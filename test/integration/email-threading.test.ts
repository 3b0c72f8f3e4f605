import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { eventually, insertSendOnlyEmailInbox, rawMail, type MailSpec } from '../helpers/email.ts';
import { conversations, inboxes, messages } from '../../drizzle/schema/index.ts';
import { ingestMail } from '../../channels/email/inbound.ts';
import { parseEmailSettings } from '../../channels/email/settings.ts';
import { emailExternalId } from '../../channels/email/message-ids.ts';
import { retryDueDeliveries } from '../../server/domain/conversations.ts';
import { rowsOf } from '../../server/db/client.ts';
import type { MessageView } from '../../server/http/views.ts';
import type { BotDecisionView } from '../../server/bot/views.ts';

/**
 * Threading, loops, automated mail and delivery failures. Mail enters at the channel's ingest step
 * (the IMAP path itself is covered by email-roundtrip and email-reliability); replies leave through a
 * real SMTP server.
 */
describe('email threading, loops, auto-replies and delivery failures', () => {
  let server: TestServer;
  let smtp: SmtpSink;
  let agent: AgentClient;
  let inboxId: string;
  let uid = 0;

  beforeAll(async () => {
    [smtp, server] = await Promise.all([
      startSmtpSink(),
      startTestServer({ BOT_ENABLED: 'true', EMAIL_IMAP_ENABLED: 'false' }),
    ]);
    agent = await server.agentClient('agent');
    inboxId = await insertSendOnlyEmailInbox(server.root.db, smtp);
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.stop();
  });

  const receive = async (spec: MailSpec | string) => {
    const settings = parseEmailSettings(
      (await server.root.db.select().from(inboxes).where(eq(inboxes.id, inboxId)))[0]!.settings,
    );
    const deps = {
      ...server.root,
      adapter: server.root.adapters.email,
      log: server.fastify.log,
      maxTextChars: 10_000,
    };
    return ingestMail(deps, inboxId, settings, Buffer.from(typeof spec === 'string' ? spec : rawMail(spec)), {
      mailbox: 'INBOX',
      uid: ++uid,
      size: 0,
      truncated: false,
    });
  };
  const conversationOf = async (messageId: string) => {
    const [row] = await server.root.db
      .select({ id: messages.conversationId })
      .from(messages)
      .where(eq(messages.externalId, emailExternalId(inboxId, messageId)));
    return row?.id;
  };
  const detail = async (conversationId: string) => (await agent.get(`/api/conversations/${conversationId}`)).body;

  it(
    'joins a reply without References by subject only within the time window ' + 'and only from the same sender',
    async () => {
      await receive({ messageId: '<refund-1@customer.example>', subject: 'Refund for order 77' });
      const first = await conversationOf('<refund-1@customer.example>');
      // The customer's client dropped the threading headers, but the subject and sender match, recently.
      await receive({ messageId: '<refund-2@customer.example>', subject: 'RE: AW: Refund for order 77' });
      expect(await conversationOf('<refund-2@customer.example>')).toBe(first);
      // Someone else with the same subject is someone else's conversation.
      await receive({
        messageId: '<refund-3@other.example>',
        from: 'Olli <olli@other.example>',
        subject: 'Re: Refund for order 77',
      });
      expect(await conversationOf('<refund-3@other.example>')).not.toBe(first);
      // Ten days later the same subject starts a new conversation.
      await server.root.db
        .update(conversations)
        .set({ lastMessageAt: new Date(Date.now() - 10 * 86_400_000) })
        .where(eq(conversations.id, first!));
      await receive({ messageId: '<refund-4@customer.example>', subject: 'Re: Refund for order 77' });
      const later = await conversationOf('<refund-4@customer.example>');
      expect(later).toBeDefined();
      expect(later).not.toBe(first);
    },
  );

  it('recognises our own Message-ID in a reply even when only that reference survived', async () => {
    await receive({ messageId: '<own-1@customer.example>', subject: 'Broken zipper' });
    const conversationId = (await conversationOf('<own-1@customer.example>'))!;
    const sent = await agent.post(`/api/conversations/${conversationId}/messages`, { text: 'We will send a new one.' });
    expect(sent.body.message.deliveryState).toBe('sent');
    const ours = (await smtp.waitFor(1)).at(-1)!.parsed.messageId!;
    // Forget the stored external id: the pi.<message id> form alone must still find the conversation.
    await server.root.db.update(messages).set({ externalId: null }).where(eq(messages.id, sent.body.message.id));
    await receive({ messageId: '<own-2@customer.example>', subject: 'Totally different subject', inReplyTo: ours });
    expect(await conversationOf('<own-2@customer.example>')).toBe(conversationId);
  });

  it(
    'drops our own mail coming back (a copy of a reply, our own address) ' + 'instead of opening a conversation',
    async () => {
      const ownCopy = `<pi.${'0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e'}.abcdef@shop.example>`;
      expect(
        await receive({
          messageId: ownCopy,
          from: 'Shop Support <support@shop.example>',
          to: 'jane@customer.example',
          subject: 'Re: Broken zipper',
        }),
      ).toBe('loop');
      expect(
        await receive({ messageId: '<self-2@shop.example>', from: 'support@shop.example', subject: 'Note to self' }),
      ).toBe('loop');
      expect(
        await receive({ messageId: '<looped@relay.example>', headers: { 'X-Loop': 'support@shop.example' } }),
      ).toBe('loop');
      expect(await conversationOf(ownCopy)).toBeUndefined();
      expect(await conversationOf('<self-2@shop.example>')).toBeUndefined();
    },
  );

  it('never lets the bot answer auto-replies or bounces, while it does answer a person', async () => {
    await receive({ messageId: '<bot-1@customer.example>', subject: 'Opening hours' });
    const conversationId = (await conversationOf('<bot-1@customer.example>'))!;
    await agent.post(`/api/conversations/${conversationId}/status`, { status: 'bot' });
    await receive({
      messageId: '<bot-2@customer.example>',
      inReplyTo: '<bot-1@customer.example>',
      headers: { 'Auto-Submitted': 'auto-replied' },
      text: 'I am out of office until Monday.',
    });
    await receive({
      messageId: '<bot-3@customer.example>',
      inReplyTo: '<bot-1@customer.example>',
      headers: { 'X-Autoreply': 'yes' },
      text: 'Thanks for your mail, we will answer soon.',
    });
    const auto = await detail(conversationId);
    expect(auto.messages.filter((m: MessageView) => m.authorKind === 'contact')).toHaveLength(3);
    for (const text of ['out of office', 'we will answer soon']) {
      expect(auto.messages.find((m: MessageView) => m.body.includes(text)).markers).toEqual([
        { kind: 'automated', detail: 'an automatic reply', event: { code: 'auto_reply', args: {} } },
      ]);
    }
    expect(auto.botDecisions).toEqual([]);
    // A person writing in the same state does get the bot, so its silence above was the auto-reply rule.
    await receive({
      messageId: '<bot-4@customer.example>',
      inReplyTo: '<bot-1@customer.example>',
      text: 'When are you open on Saturday?',
    });
    const answered = await eventually(
      async () => {
        const d = await detail(conversationId);
        return d.botDecisions.length > 0 ? d : undefined;
      },
      10_000,
      'the bot decision',
    );
    expect(answered.botDecisions.map((d: BotDecisionView) => d.messageId)).toEqual([
      answered.messages.find((m: MessageView) => m.body.includes('Saturday')).id,
    ]);
    // The bot's own words go out by mail like an agent's (waited for, so the next test has the SMTP server to itself).
    await eventually(
      async () => {
        const said = (await detail(conversationId)).messages.filter(
          (m: MessageView) => m.authorKind === 'bot' && m.kind === 'message',
        );
        return said.length > 0 && said.every((m: MessageView) => m.deliveryState === 'sent');
      },
      10_000,
      "the bot's mail",
    );
  });

  it('records a refused delivery on the message, retries it, and marks a bounced reply failed', async () => {
    await receive({ messageId: '<fail-1@customer.example>', subject: 'Invoice copy' });
    const conversationId = (await conversationOf('<fail-1@customer.example>'))!;
    // The bot's replies of the test before (its disclosure, then its answer) go out asynchronously: the refusal
    // below is for this reply, so nothing else may be on its way to the SMTP server first.
    await eventually(
      async () =>
        (await server.root.db.select().from(messages).where(eq(messages.deliveryState, 'pending'))).length === 0,
      20_000,
      'earlier deliveries done',
    );
    const before = smtp.received.length;
    smtp.failNext(1, 451);
    const first = await agent.post(`/api/conversations/${conversationId}/messages`, {
      text: 'Attached is your invoice.',
    });
    expect(first.body.message.deliveryState).toBe('pending');
    expect(first.body.message.deliveryError).toMatch(/^SMTP 451/);
    // The retry sweep, once the backoff is due, delivers it.
    await server.root.db
      .update(messages)
      .set({ nextAttemptAt: new Date(Date.now() - 1000) })
      .where(eq(messages.id, first.body.message.id));
    await retryDueDeliveries({
      db: server.root.db,
      events: server.root.events,
      adapters: server.root.adapters,
      messageMaxChars: 10_000,
      dataKeys: server.root.dataKeys,
    });
    const retried = (await detail(conversationId)).messages.find((m: MessageView) => m.id === first.body.message.id);
    expect(retried).toMatchObject({ deliveryState: 'sent', deliveryError: null });
    const mails = await smtp.waitFor(before + 1);
    const ours = mails.at(-1)!.parsed.messageId!;

    // The customer's server bounces it later: a DSN quoting our Message-ID.
    const dsn = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>',
      'To: support@shop.example',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <dsn-1@mx.customer.example>',
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"',
      '',
      '--dsn',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--dsn',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.customer.example',
      '',
      'Final-Recipient: rfc822; jane@customer.example',
      'Action: failed',
      'Status: 5.1.1',
      '--dsn',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: ${ours}`,
      'Subject: Re: Invoice copy',
      '--dsn--',
      '',
    ].join('\r\n');
    expect(await receive(dsn)).toBe('ingested');
    expect(await conversationOf('<dsn-1@mx.customer.example>')).toBe(conversationId);
    const bounced = (await detail(conversationId)).messages.find((m: MessageView) => m.id === first.body.message.id);
    expect(bounced).toMatchObject({
      deliveryState: 'failed',
      deliveryError: "bounced by the recipient's mail server (status 5.1.1)",
    });
    // A permanent refusal (5xx) is not retried: the reply is failed at once, with the reason.
    smtp.failNext(1, 550);
    const refused = await agent.post(`/api/conversations/${conversationId}/messages`, { text: 'One more thing.' });
    expect(refused.body.message).toMatchObject({
      deliveryState: 'failed',
      deliveryError: expect.stringMatching(/^SMTP 550/),
    });

    const decisions = rowsOf<{ n: number }>(
      await server.root.db.execute(
        sql`select count(*)::int as n from bot_decisions where conversation_id = ${conversationId}`,
      ),
    );
    expect(decisions[0]!.n).toBe(0);
  });

  it(
    'gives a reply with an unknown root its own conversation keyed by that root, ' +
      'which later mail of the thread joins (from a participant: here the colleague was in Cc)',
    async () => {
      await receive({
        messageId: '<mid-2@customer.example>',
        subject: 'Fwd: warranty',
        references: ['<root-we-never-saw@customer.example>'],
        headers: { Cc: 'colleague@colleague.example' },
      });
      await receive({
        messageId: '<mid-3@colleague.example>',
        from: 'colleague@colleague.example',
        subject: 'Re: warranty',
        references: ['<root-we-never-saw@customer.example>', '<mid-1@customer.example>'],
      });
      const a = await conversationOf('<mid-2@customer.example>');
      expect(await conversationOf('<mid-3@colleague.example>')).toBe(a);
      const [conv] = await server.root.db
        .select()
        .from(conversations)
        .where(and(eq(conversations.id, a!)));
      expect(conv!.threadKey).toBe('<root-we-never-saw@customer.example>');
    },
  );
});
