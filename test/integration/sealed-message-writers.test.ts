import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray, sql } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { emitWithAck, nextEvent, startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { insertSendOnlyEmailInbox, rawMail } from '../helpers/email.ts';
import { openedMessages } from '../helpers/opened-messages.ts';
import { conversations, inboxes, messages } from '../../drizzle/schema/index.ts';
import { rowsOf } from '../../server/db/client.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { openSubjects } from '../../server/domain/message-text.ts';
import { ingestMail } from '../../channels/email/inbound.ts';
import { parseEmailSettings } from '../../channels/email/settings.ts';
import { emailExternalId } from '../../channels/email/message-ids.ts';
import { kbSeedFor } from '../../server/demo/kb.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API bodies are checked by the assertions
type Json = any;

/**
 * Issue 22, the switch: every writer stores a message's text sealed and its search entries as keyed tokens. Real
 * messages go in the ways users send them (a chat visitor, a mail, an agent's reply, the bot's answer); the database
 * read directly then holds none of their words or the phone number's digits, in the text or in the index, while
 * the search box (words, a phrase, the phone number) and erasure's redaction of mentions work as before.
 */
describe(`message text written sealed, the index blinded, on ${dbMode}`, () => {
  let server: TestServer;
  let smtp: SmtpSink;
  let agent: AgentClient;
  let admin: AgentClient;
  let emailInbox: string;

  const CHAT = 'My quexoplant arrived wilted, call me on +49 154 9131 5660 please';
  const MAIL = 'The brazzlewick heater from order 7731 trips the breaker. Regards, Ottilie Vrandsen';
  const REPLY = 'We will send a new snorgleton fuse for the brazzlewick heater';
  const SUBJECT = 'Heater zomplifrax fault';
  const MARKERS = [
    'quexoplant',
    'wilted',
    'brazzlewick',
    'snorgleton',
    'vrandsen',
    'zomplifrax',
    '91315660',
    '1549131',
    '7731',
  ];

  beforeAll(async () => {
    smtp = await startSmtpSink();
    server = await startTestServer({ EMAIL_IMAP_ENABLED: 'false', BOT_ENABLED: 'true', BOT_EMBEDDER: 'lexical' });
    agent = await server.agentClient('agent');
    admin = await server.agentClient('admin');
    emailInbox = await insertSendOnlyEmailInbox(server.root.db, smtp);
    for (const article of kbSeedFor('en')) expect((await admin.post('/api/kb/articles', article)).status).toBe(201);
    await server.bot.whenReady();
  }, 240_000);
  afterAll(async () => {
    await server?.stop();
    await smtp?.stop();
  });

  const search = async (q: string) =>
    (await agent.get(`/api/search?${new URLSearchParams({ q })}`)).body.items as Array<Json>;

  let chatConversation: string;
  let mailConversation: string;
  let mailContact: string;

  it('stores chat, mail, an agent reply and a bot answer sealed, with no word or digit readable', async () => {
    const visitor = await server.visitor();
    const socket = await visitor.socket();
    try {
      const answer = nextEvent(
        socket,
        'message:created',
        (p) => p.message.from === 'bot' && p.message.body.includes('Forgot password'),
      );
      await emitWithAck(socket, 'message:send', { clientId: 'sealed-0001', text: 'How do I reset my password?' });
      await answer;
      await emitWithAck(socket, 'message:send', { clientId: 'sealed-0002', text: CHAT });
    } finally {
      socket.disconnect();
    }
    chatConversation = (await visitor.get('/api/widget/messages')).body.conversationId;

    const settings = parseEmailSettings(
      (await server.root.db.select().from(inboxes).where(eq(inboxes.id, emailInbox)))[0]!.settings,
    );
    const deps = { ...server.root, adapter: server.root.adapters.email, log: server.fastify.log, maxTextChars: 10_000 };
    const messageId = '<sealed-writers-1@customer.example>';
    await ingestMail(
      deps,
      emailInbox,
      settings,
      Buffer.from(
        rawMail({ messageId, from: 'Ottilie Vrandsen <ottilie@customer.example>', subject: SUBJECT, text: MAIL }),
      ),
      { mailbox: 'INBOX', uid: 1, size: 0, truncated: false },
    );
    const [mail] = await server.root.db
      .select({ conversationId: messages.conversationId })
      .from(messages)
      .where(eq(messages.externalId, emailExternalId(emailInbox, messageId)));
    mailConversation = mail!.conversationId;
    expect((await agent.post(`/api/conversations/${mailConversation}/messages`, { text: REPLY })).status).toBe(201);
    mailContact = (await agent.get(`/api/conversations/${mailConversation}`)).body.contact.id;

    // What an agent sees is what was written.
    const chat = (await agent.get(`/api/conversations/${chatConversation}`)).body.messages.map((m: Json) => m.body);
    expect(chat).toContain(CHAT);
    expect(chat.some((b: string) => b.includes('Forgot password'))).toBe(true);
    const thread = (await agent.get(`/api/conversations/${mailConversation}`)).body.messages.map((m: Json) => m.body);
    expect(thread).toEqual(expect.arrayContaining([expect.stringContaining('brazzlewick heater'), REPLY]));
    expect((await agent.get(`/api/conversations/${mailConversation}`)).body.conversation.subject).toBe(SUBJECT);

    // The database holds every message sealed, and neither the words nor the digits in any column of them.
    const stored = rowsOf<{ kind: string; body: string; html: string | null; v: string | null; t: string }>(
      await server.root.db.execute(sql`select m.kind, m.body, m.html, m.search_vector::text as v,
        m.mention_tokens::text as t from messages m where m.conversation_id in (${chatConversation}::uuid,
        ${mailConversation}::uuid)`),
    );
    expect(stored.length).toBeGreaterThanOrEqual(6);
    for (const row of stored) {
      expect(row.body.startsWith('pdk:v1:'), row.kind).toBe(true);
      if (row.html !== null) expect(row.html.startsWith('pdk:v1:')).toBe(true);
    }
    // The mail's subject too, and the subject's index holds tokens only.
    const [conversation] = rowsOf<{ subject: string; v: string }>(
      await server.root.db.execute(sql`select subject, subject_vector::text as v from conversations
        where id = ${mailConversation}::uuid`),
    );
    expect(conversation!.subject.startsWith('pdk:v1:')).toBe(true);
    expect(conversation!.v.length).toBeGreaterThan(0);
    const dump = JSON.stringify([stored, conversation]).toLowerCase();
    for (const marker of MARKERS) expect(dump).not.toContain(marker);
    expect(dump).not.toContain('heater');
    expect(dump).not.toContain('password');
    expect(stored.some((r) => r.t !== '{}')).toBe(true);
  });

  it('the search box finds them by a word, a phrase and the phone number in any format', async () => {
    expect((await search('quexoplant')).map((h) => h.conversation.id)).toEqual([chatConversation]);
    expect((await search('quexoplant'))[0].matchedIn).toBe('message');
    // Stemmed: "heaters" finds "heater" (the message's language is English).
    expect((await search('brazzlewick heaters')).map((h) => h.conversation.id)).toEqual([mailConversation]);
    expect((await search('"brazzlewick heater"')).map((h) => h.conversation.id)).toEqual([mailConversation]);
    expect(await search('"heater brazzlewick"')).toEqual([]);
    expect((await search('snorgleton')).map((h) => h.conversation.id)).toEqual([mailConversation]);
    const snippet = (await search('snorgleton'))[0].snippet.map((p: Json) => p.text).join('');
    expect(snippet).toContain('snorgleton');
    // The sealed subject by its words, whole (a part of a word no longer finds it), shown opened.
    const bySubject = await search('zomplifrax');
    expect(bySubject.map((h) => [h.conversation.id, h.matchedIn])).toEqual([[mailConversation, 'subject']]);
    expect(bySubject[0].conversation.subject).toBe(SUBJECT);
    expect(bySubject[0].snippet).toEqual(expect.arrayContaining([{ text: 'zomplifrax', match: true }]));
    expect((await search('"zomplifrax fault"')).map((h) => h.conversation.id)).toEqual([mailConversation]);
    expect(await search('zomplif')).toEqual([]);
    for (const phone of ['+49 154 9131 5660', '0154 91315660', '0154-9131-5660'])
      expect(
        (await search(phone)).some((h) => h.conversation.id === chatConversation && h.matchedIn === 'message'),
        phone,
      ).toBe(true);
  });

  it('ingest seals a new conversation’s subject in its planned id’s context, alone and in a batch', async () => {
    // Sent together, so that most go through one group-commit statement (ingest-batch.ts), the first alone.
    const subjects = Array.from({ length: 8 }, (_, i) => `Batch subject ${i} plumbix`);
    const thread = (i: number) => `<batch-subject-${i}@customer.example>`;
    const results = await Promise.all(
      subjects.map((subject, i) =>
        ingest(server.root, {
          channel: 'email',
          inboxId: emailInbox,
          sender: { kind: 'email', address: `batch-${i}@customer.example`, name: `Batch Sender ${i}` },
          threadKey: thread(i),
          externalId: thread(i),
          subject,
          text: `Batch text ${i}`,
          occurredAt: new Date(),
        }),
      ),
    );
    // The answer (and the event) shows the subject as it came.
    expect(results.map((r) => r.conversation.subject)).toEqual(subjects);
    const stored = await server.root.db
      .select({ id: conversations.id, subject: conversations.subject })
      .from(conversations)
      .where(
        inArray(
          conversations.id,
          results.map((r) => r.conversation.id),
        ),
      );
    expect(stored).toHaveLength(subjects.length);
    for (const row of stored) expect(row.subject!.startsWith('pdk:v1:')).toBe(true);
    // Each opens in its own conversation's context: the id the statement stored is the one it was sealed for.
    const opened = new Map((await openSubjects(server.root.dataKeys, stored)).map((c) => [c.id, c.subject]));
    expect(results.map((r) => opened.get(r.conversation.id))).toEqual(subjects);
    // A reply in one of those threads goes to its conversation, whose stored subject is shown opened.
    const reply = await ingest(server.root, {
      channel: 'email',
      inboxId: emailInbox,
      sender: { kind: 'email', address: 'batch-0@customer.example', name: 'Batch Sender 0' },
      threadKey: thread(0),
      externalId: '<batch-subject-0-reply@customer.example>',
      subject: `Re: ${subjects[0]}`,
      text: 'A reply',
      occurredAt: new Date(),
    });
    expect(reply.conversation.id).toBe(results[0]!.conversation.id);
    expect(reply.conversation.subject).toBe(subjects[0]);
    expect((await search('plumbix')).map((h) => h.conversation.id).sort()).toEqual(
      results.map((r) => r.conversation.id).sort(),
    );
  });

  it("erasure finds and redacts the person's name in someone else's sealed message", async () => {
    // Someone else mentions the mail's sender by name and address, in a chat.
    const visitor = await server.visitor();
    const socket = await visitor.socket();
    try {
      await emitWithAck(socket, 'message:send', {
        clientId: 'sealed-0003',
        text: 'Ottilie Vrandsen (ottilie@customer.example) asked me to write',
      });
    } finally {
      socket.disconnect();
    }
    const other = (await visitor.get('/api/widget/messages')).body.conversationId as string;
    const found = (await admin.get(`/api/privacy/people?q=${encodeURIComponent('Ottilie Vrandsen')}`)).body;
    expect(found.mentionItems.map((m: Json) => m.conversationId)).toContain(other);

    const res = await admin.post(`/api/contacts/${mailContact}/erase`, { confirm: true });
    expect(res.status).toBe(200);
    expect(res.body.receipt.mentionsRedacted).toBeGreaterThanOrEqual(1);
    const [mentioning] = await openedMessages(
      server.root.db,
      server.root.dataKeys,
      // The visitor's own message (the bot's greeting is in the conversation too; rows come in no set order).
      sql`${messages.conversationId} = ${other}::uuid and ${messages.kind} = 'message'
        and ${messages.authorKind} = 'contact'`,
    );
    expect(mentioning!.body).toBe('[erased] ([erased]) asked me to write');
    expect(mentioning!.body.startsWith('pdk:')).toBe(false);
    const [raw] = await server.root.db.select().from(messages).where(eq(messages.id, mentioning!.id));
    expect(raw!.body.startsWith('pdk:v1:')).toBe(true);
    // The erased words left the index with the text: neither the word nor the address finds it any more.
    expect(await search('Vrandsen')).toEqual([]);
  });
});
