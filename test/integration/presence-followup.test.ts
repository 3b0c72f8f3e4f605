import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvidence } from '../../server/privacy/consent-evidence.ts';
import { and, eq } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { emitWithAck, nextEvent, startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { createEmailInbox, eventually, rawMail } from '../helpers/email.ts';
import { kbSeed } from '../../server/demo/kb.ts';
import { HANDOFF_TEXTS } from '../../server/bot/actions.ts';
import { followupConsentHash, sendDueFollowups } from '../../server/domain/presence-followup.ts';
import { chatVisitorStates, consentEvents, consentNoticeTexts } from '../../drizzle/schema/index.ts';
import type { MessageView } from '../../server/http/views.ts';

/** Local calendar date (YYYY-MM-DD) in a zone, `plusDays` from now. */
function localDate(timeZone: string, plusDays: number): string {
  const today = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + plusDays);
  return d.toISOString().slice(0, 10);
}

/**
 * The customer who asks for a person outside business hours and then leaves: the hand-off is honest, a second
 * request is answered, the address they leave is recorded with their consent, and the agent's reply reaches them
 * by real SMTP once their widget is gone; their answer by email comes back into the same chat conversation.
 */
describe(`hand-off honesty and the customer who left, on ${dbMode}`, () => {
  let server: TestServer;
  let dovecot: Dovecot;
  let smtp: SmtpSink;
  let admin: AgentClient;
  let agent: AgentClient;

  beforeAll(async () => {
    [dovecot, smtp, server] = await Promise.all([
      startDovecot(),
      startSmtpSink(),
      startTestServer({ BOT_ENABLED: 'true', BOT_EMBEDDER: 'lexical' }),
    ]);
    [admin, agent] = await Promise.all([server.agentClient('admin'), server.agentClient('agent')]);
    for (const article of kbSeed) expect((await admin.post('/api/kb/articles', article)).status).toBe(201);
    await server.bot.whenReady();
    await createEmailInbox(admin, dovecot, smtp);
    const zone = 'America/New_York';
    const put = await admin.send('PUT', `/api/inboxes/${server.chatInboxId}/business-hours`, {
      timeZone: zone,
      windows: [1, 2, 3, 4, 5].map((day) => ({ day, open: '08:00', close: '18:00' })),
      // Closed today and for the week ahead, whenever the test runs.
      holidays: [0, 1, 2, 3, 4, 5, 6, 7].map((d) => localDate(zone, d)),
      visitorGoneMinutes: 0,
    });
    expect(put.status).toBe(200);
    // The whole demo KB (45 articles of 16 questions) builds once per language; slow on a loaded machine.
  }, 240_000);
  afterAll(async () => {
    await server?.stop();
    await Promise.all([dovecot?.stop(), smtp?.stop()]);
  });

  it('says a colleague was asked (not that one joined), answers a repeated request, and emails the reply', async () => {
    const visitor = await server.visitor();
    const widget = await visitor.socket();
    const botLines: string[] = [];
    widget.on('message:created', (p) => p.message.from === 'bot' && botLines.push(p.message.body));

    const handedOff = nextEvent(widget, 'conversation:status', (p) => p.status === 'open');
    await emitWithAck(widget, 'message:send', { clientId: 'human-1-abcdef', text: 'I want to talk to a human' });
    expect(await handedOff).toEqual({ status: 'open', joined: false });
    await eventually(async () => botLines.includes(HANDOFF_TEXTS.askedClosed), 10_000, 'the hand-off line');

    const before = await emitWithAck(widget, 'presence:get', {});
    expect(before.value).toMatchObject({ joined: false, followupEmail: null });
    expect(before.value.availability).toMatchObject({ open: false, emailFollowup: true });
    expect(Date.parse(before.value.availability.backAt)).toBeGreaterThan(Date.now() + 6 * 86_400_000);

    // Asking again while nobody has joined is acknowledged, not met with silence.
    await emitWithAck(widget, 'message:send', { clientId: 'human-2-abcdef', text: 'Hello?? A real person please' });
    await eventually(async () => botLines.includes(HANDOFF_TEXTS.repeated), 10_000, 'the acknowledgement');

    // The address only with consent, and only a real-looking one.
    const noConsent = await emitWithAck(widget, 'followup:email', { email: 'jane@customer.example', consent: false });
    expect(noConsent.error.code).toBe('consent_required');
    const notAnAddress = await emitWithAck(widget, 'followup:email', { email: 'jane at customer', consent: true });
    expect(notAnAddress.error.code).toBe('invalid_email');
    // A visitor reading the German notice is told in German (the widget shows the message as it is).
    const german = await emitWithAck(widget, 'followup:email', {
      email: 'jane at customer',
      consent: true,
      consentTextHash: before.value.followupConsentTexts.de.textHash,
    });
    expect(german.error).toMatchObject({
      code: 'invalid_email',
      message: 'Das sieht nicht nach einer E-Mail-Adresse aus',
    });
    const left = await emitWithAck(widget, 'followup:email', {
      email: 'Jane@Customer.example',
      consent: true,
      consentTextHash: before.value.followupConsent.textHash,
    });
    expect(left).toEqual({ ok: true, value: { email: 'j•••@customer.example' } });

    const { conversationId, messages } = (await visitor.get('/api/widget/messages')).body;
    const contactId = (await agent.get(`/api/conversations/${conversationId}`)).body.contact.id;
    const [consent] = await server.root.db
      .select()
      .from(consentEvents)
      .where(and(eq(consentEvents.contactId, contactId), eq(consentEvents.textHash, followupConsentHash)));
    expect(consent).toMatchObject({ purpose: 'support', granted: true, sourceChannel: 'chat', language: 'en' });
    // The widget shows (and sends the hash of) the line in its own language; each language is its own text.
    expect(before.value.followupConsentTexts.de.text).toContain('Schicken Sie mir die Antworten des Teams');
    expect(
      new Set(Object.values(before.value.followupConsentTexts).map((t) => (t as { textHash: string }).textHash)).size,
    ).toBe(5);
    const [evidence] = await openEvidence(server.root.dataKeys, [consent!]);
    expect(evidence).toMatchObject({ event: 'widget.email_followup', conversationId });
    const [text] = await server.root.db
      .select()
      .from(consentNoticeTexts)
      .where(eq(consentNoticeTexts.textHash, followupConsentHash));
    expect(text!.text).toContain('Email me the team’s replies');
    expect(messages.map((m: { body: string }) => m.body)).not.toContain(expect.stringContaining('email address'));

    // While the visitor is here, nothing goes by email.
    expect(await sendDueFollowups(server.root, conversationId)).toBe(0);

    // The visitor closes the widget; the agent's reply then goes to the address they left, over real SMTP.
    widget.close();
    await eventually(
      async () => {
        const [s] = await server.root.db
          .select()
          .from(chatVisitorStates)
          .where(eq(chatVisitorStates.conversationId, conversationId));
        return s?.visitorLeftAt ?? undefined;
      },
      5_000,
      'the visitor marked as gone',
    );
    const reply = await agent.post(`/api/conversations/${conversationId}/messages`, {
      text: 'Sorry for the wait! Your parcel left our warehouse today.',
    });
    expect(reply.status).toBe(201);
    const [mail] = await smtp.waitFor(1, 15_000);
    expect(mail!.envelope.to).toEqual(['jane@customer.example']);
    expect(mail!.parsed.from?.value[0]?.address).toBe('support@shop.example');
    expect(mail!.parsed.text).toContain('Sorry for the wait! Your parcel left our warehouse today.');
    const ourId = mail!.parsed.messageId!;
    expect(ourId).toMatch(new RegExp(`^<pi\\.${reply.body.message.id}\\.`));

    // The agent sees in the timeline that it went by email.
    const timeline = await eventually(
      async () => {
        const d = (await agent.get(`/api/conversations/${conversationId}`)).body;
        return d.messages.some((m: MessageView) => m.body.includes('sent to the email address they left'))
          ? d.messages
          : undefined;
      },
      5_000,
      'the email marker',
    );
    expect(timeline.some((m: MessageView) => m.body.startsWith('The customer left an email address'))).toBe(true);

    // The customer answers the mail: it lands in the same chat conversation.
    await dovecot.append(
      rawMail({
        messageId: '<jane-answer-1@customer.example>',
        subject: 'Re: Your chat with our team',
        inReplyTo: ourId,
        references: [ourId],
        text: 'Thank you, that is great news.',
      }),
    );
    const answered = await eventually(
      async () => {
        const d = (await agent.get(`/api/conversations/${conversationId}`)).body;
        return d.messages.find((m: MessageView) => m.body.trim() === 'Thank you, that is great news.');
      },
      15_000,
      'the email answer in the chat conversation',
    );
    expect(answered).toMatchObject({ channel: 'email', direction: 'inbound', authorKind: 'contact' });

    // Back in the widget: a person has joined now, and the email answer is part of the history.
    const back = await visitor.socket();
    try {
      const view = await emitWithAck(back, 'presence:get', {});
      expect(view.value).toMatchObject({ joined: true, followupEmail: 'j•••@customer.example' });
      const history = (await visitor.get('/api/widget/messages')).body.messages.map((m: { body: string }) => m.body);
      expect(history).toContain('Sorry for the wait! Your parcel left our warehouse today.');
    } finally {
      back.close();
    }
    // Exactly one mail: the reply was emailed once.
    expect(smtp.received).toHaveLength(1);
  });

  it('emails no follow-up to a restricted contact (Art. 18): a sending the law does not require', async () => {
    const visitor = await server.visitor();
    const widget = await visitor.socket();
    const handedOff = nextEvent(widget, 'conversation:status', (p) => p.status === 'open');
    await emitWithAck(widget, 'message:send', { clientId: 'restricted-h-1', text: 'I want to talk to a human' });
    await handedOff;
    const presence = await emitWithAck(widget, 'presence:get', {});
    const left = await emitWithAck(widget, 'followup:email', {
      email: 'rita@customer.example',
      consent: true,
      consentTextHash: presence.value.followupConsent.textHash,
    });
    expect(left.ok).toBe(true);
    const { conversationId } = (await visitor.get('/api/widget/messages')).body;
    const contactId = (await agent.get(`/api/conversations/${conversationId}`)).body.contact.id;
    const placed = await admin.post(`/api/privacy/contacts/${contactId}/restrictions`, {
      kind: 'restriction',
      reason: 'Customer contests the accuracy of their data',
    });
    expect(placed.status).toBe(201);
    widget.close();
    await eventually(
      async () => {
        const [s] = await server.root.db
          .select()
          .from(chatVisitorStates)
          .where(eq(chatVisitorStates.conversationId, conversationId));
        return s?.visitorLeftAt ?? undefined;
      },
      5_000,
      'the visitor marked as gone',
    );
    const toRita = () => smtp.received.filter((m) => m.envelope.to.includes('rita@customer.example'));
    // The reply is stored and shown in the widget, but not emailed: not by the send after the reply, nor the sweep.
    const reply = await agent.post(`/api/conversations/${conversationId}/messages`, { text: 'We are checking.' });
    expect(reply.status).toBe(201);
    expect(await sendDueFollowups(server.root, conversationId)).toBe(0);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(toRita().map((m) => m.parsed.text)).toEqual([]);

    // Lifted: the same reply goes out, so it was the restriction that held it back.
    const lifted = await admin.post(`/api/privacy/restrictions/${placed.body.restriction.id}/lift`, {
      reason: 'Accuracy verified',
    });
    expect(lifted.status).toBe(200);
    await eventually(async () => toRita().length > 0, 15_000, 'the follow-up after the lift');
    expect(toRita()).toHaveLength(1);
    expect(toRita()[0]!.parsed.text).toContain('We are checking.');
  });
});
