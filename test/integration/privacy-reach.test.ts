import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { readZip } from '../helpers/zip.ts';
import { openedMessages } from '../helpers/opened-messages.ts';
import { messageEvent, SUPPORT_CHANNEL, TEAM } from '../fixtures/channels/slack.ts';
import { rowsOf } from '../../server/db/client.ts';
import { openSubjects } from '../../server/domain/message-text.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { parseSlackEvent } from '../../channels/slack/parse.ts';
import { placeHold, releaseHold } from '../../server/privacy/legal-holds.ts';
import { attachments, contactIdentities, conversations, inboxes, messages } from '../../drizzle/schema/index.ts';
import type { ConversationDetail } from '../../server/http/views/conversations.ts';
import { identityIs, identityRow } from '../helpers/identities.ts';
import { setContactFields } from '../helpers/contacts.ts';

const ada = {
  name: 'Ada Quartermaine',
  email: 'ada.quartermaine@example.org',
  phone: '+4915491315660',
  slack: 'U0ADA7341',
  secret: 'zq-ada-secret-7341',
};
/** What must be nowhere after her erasure (the phone as digits: every written form contains them, spaced or not). */
const needles = [ada.email, ada.secret, 'Quartermaine', ada.slack];

/**
 * Issue 15 item 1: erasure and export reach every message a person wrote and every conversation they took part
 * in, whoever started it (a reply-all in which she was in Cc, a Slack thread reply), and her identifiers in other
 * people's text in every common spelling; her first name alone is listed for review, not replaced.
 */
describe(`erasure and export reach everything a person wrote, on ${dbMode}`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let adminId: string;
  let adaId: string;
  let bobConversationId: string;
  let adaReplyId: string;
  let bobMessageId: string;
  let slackConversationId: string;
  let adaSlackReplyId: string;
  let carolMessageId: string;
  let carolConversationId: string;
  let danMessageId: string;
  let carolAttachmentId: string;

  beforeAll(async () => {
    server = await startTestServer();
    admin = await server.agentClient('admin');
    adminId = admin.agent.id;
    const deps = server.root;
    const [mail] = await deps.db.insert(inboxes).values({ name: 'Mail', channel: 'email' }).returning();
    const [slack] = await deps.db.insert(inboxes).values({ name: 'Slack', channel: 'slack' }).returning();

    // Bob writes to support with Ada in Cc: she becomes a participant (and a contact) of Bob's conversation.
    const bob = await ingest(deps, {
      channel: 'email',
      inboxId: mail!.id,
      sender: { kind: 'email', address: 'bob@example.net', name: 'Bob Other' },
      participants: [{ kind: 'email', address: ada.email, name: ada.name, role: 'cc' }],
      threadKey: '<bob-1@example.net>',
      externalId: '<bob-1@example.net>',
      subject: 'Our shared order',
      text: 'Bob here: the order arrived broken, bob-own-words-55.',
      occurredAt: new Date(),
    });
    bobConversationId = bob.conversation.id;
    bobMessageId = bob.message.id;
    // Ada replies to all: her message joins Bob's conversation, with a file of hers.
    const reply = await ingest(deps, {
      channel: 'email',
      inboxId: mail!.id,
      sender: { kind: 'email', address: ada.email, name: ada.name },
      participants: [{ kind: 'email', address: 'bob@example.net', name: 'Bob Other', role: 'to' }],
      threadKey: '<bob-1@example.net>',
      externalId: '<ada-1@example.org>',
      subject: 'Re: Our shared order',
      text: `Ada here, my reference is ${ada.secret}.`,
      html: `<p>Ada here, my reference is <b>${ada.secret}</b>.</p>`,
      attachments: [{ filename: 'ada-receipt.pdf', contentType: 'application/pdf', content: Buffer.from(ada.secret) }],
      occurredAt: new Date(),
    });
    adaReplyId = reply.message.id;
    expect(reply.conversation.id).toBe(bobConversationId);
    adaId = (
      await deps.db
        .select()
        .from(contactIdentities)
        .where(identityIs(deps.db, 'email', ada.email))
    )[0]!.contactId;
    // Her phone is on her contact; the Slack app linked her Slack user to her by email (channels/slack/contacts.ts).
    await setContactFields(deps.db, adaId, { phone: ada.phone });
    await deps.db.insert(contactIdentities).values(await identityRow(deps.db, adaId, 'slack', `${TEAM}:${ada.slack}`));

    // A Slack thread someone else started, and Ada's reply in it, as the Slack adapter parses them.
    const options = { inboxId: slack!.id, channelIds: [SUPPORT_CHANNEL], apiUrl: 'https://slack.com/api/' };
    const top = parseSlackEvent(
      messageEvent({ user: 'U0OWNER1', ts: '1764578200.000100', text: 'Export fails' }),
      options,
    );
    slackConversationId = (await ingest(deps, top[0]!)).conversation.id;
    const threadReply = parseSlackEvent(
      messageEvent({ user: ada.slack, ts: '1764578300.000200', threadTs: '1764578200.000100', text: ada.secret }),
      options,
    );
    const adaSlack = await ingest(deps, threadReply[0]!);
    adaSlackReplyId = adaSlack.message.id;
    expect(adaSlack.conversation.id).toBe(slackConversationId);

    // Carol, another customer, mentions Ada in every spelling, in her text, HTML, subject and a file name.
    const carol = await ingest(deps, {
      channel: 'email',
      inboxId: mail!.id,
      sender: { kind: 'email', address: 'carol@example.com', name: 'Carol Third' },
      threadKey: '<carol-1@example.com>',
      externalId: '<carol-1@example.com>',
      subject: 'Call back quartermaine ada',
      text:
        'Numbers: +49 154 9131 5660, 0154-9131-5660, (0154) 91315660, 0049 1549 1315 660. ' +
        'QUARTERMAINE, ada asked too. Ada will come on Monday.',
      html: '<p>Numbers: <i>+49 154 9131 5660</i>. Ada   Quartermaine asked.</p>',
      attachments: [
        { filename: 'Invoice Quartermaine, Ada.pdf', contentType: 'application/pdf', content: Buffer.from('x') },
      ],
      occurredAt: new Date(),
    });
    carolMessageId = carol.message.id;
    carolConversationId = carol.conversation.id;
    carolAttachmentId = (await deps.db.select().from(attachments).where(eq(attachments.messageId, carolMessageId)))[0]!
      .id;
    // Dan names a first name only: possibly Ada, possibly anyone.
    danMessageId = (
      await ingest(deps, {
        channel: 'email',
        inboxId: mail!.id,
        sender: { kind: 'email', address: 'dan@example.com', name: 'Dan Fourth' },
        threadKey: '<dan-1@example.com>',
        externalId: '<dan-1@example.com>',
        subject: 'Hello',
        text: 'Ada from the other team said hello; call 0154 9131 5661 (not hers).',
        occurredAt: new Date(),
      })
    ).message.id;
  });
  afterAll(() => server?.stop());

  const detail = async (id: string) =>
    (await admin.get(`/api/conversations/${id}`)).body as ConversationDetail & {
      participants: Array<{ contactId: string; kind: string; address: string }>;
    };

  it('a Slack thread reply makes its writer a participant of the thread’s conversation', async () => {
    const d = await detail(slackConversationId);
    expect(d.participants).toContainEqual(
      expect.objectContaining({ contactId: adaId, kind: 'slack', address: `${TEAM}:${ada.slack}` }),
    );
    expect(d.participants.map((p) => p.address)).toContain(`${TEAM}:U0OWNER1`);
  });

  it('the export holds her own messages in conversations others started, and nobody else’s', async () => {
    const res = await fetch(`${server.url}/api/contacts/${adaId}/export`, { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    const zip = await readZip(Buffer.from(await res.arrayBuffer()));
    const data = JSON.parse(zip.get('data.json')!.toString()) as { tables: Record<string, Array<{ id: string }>> };
    const messageIds = data.tables.messages!.map((m) => m.id).sort();
    expect(messageIds).toEqual([adaReplyId, adaSlackReplyId].sort());
    // Her words, not the search vector the database derives from them.
    expect(Object.keys(data.tables.messages![0]!)).not.toContain('searchVector');
    expect(data.tables.attachments).toHaveLength(1);
    expect([...zip.keys()].some((k) => k.endsWith('ada-receipt.pdf'))).toBe(true);
    const html = zip.get('index.html')!.toString();
    expect(html).toContain(ada.secret);
    expect(html).not.toContain('bob-own-words-55');
    expect(html).not.toContain('Export fails');
    expect(JSON.stringify(data)).not.toContain('bob-own-words-55');
  });

  it('a legal hold on a conversation she wrote in (started by someone else) blocks her erasure', async () => {
    const hold = await placeHold(server.root.db, { conversationId: bobConversationId, reason: 'Dispute #12' }, adminId);
    const blocked = await admin.post(`/api/contacts/${adaId}/erase`, { confirm: true });
    expect(blocked.status).toBe(409);
    expect(blocked.body).toMatchObject({ code: 'legal_hold', message: expect.stringContaining('Dispute #12') });
    expect(await server.root.db.select().from(messages).where(eq(messages.id, adaReplyId))).toHaveLength(1);
    await releaseHold(server.root.db, hold.id, adminId);
  });

  it('erasure removes her messages and her mentions in every spelling; a first name alone is listed', async () => {
    // Another customer who shares her first name: a possible mention, reviewed beside their latest conversation.
    const [mail] = await server.root.db.select().from(inboxes).where(eq(inboxes.channel, 'email'));
    const namesake = await ingest(server.root, {
      channel: 'email',
      inboxId: mail!.id,
      sender: { kind: 'email', address: 'ada.wexford@example.net', name: 'Ada Wexford' },
      threadKey: '<namesake-1@example.net>',
      externalId: '<namesake-1@example.net>',
      text: 'Where is my parcel?',
      occurredAt: new Date(),
    });
    // Agents with one of those other conversations open are told to load it again.
    const socket = await admin.socket();
    const changed = new Set<string>();
    socket.on('conversation:changed', ({ conversationId }: { conversationId: string }) => changed.add(conversationId));
    const res = await admin.post(`/api/contacts/${adaId}/erase`, { confirm: true });
    expect(res.status).toBe(200);
    await expect
      .poll(() => [...changed].sort())
      .toEqual([bobConversationId, slackConversationId, carolConversationId].sort());
    socket.disconnect();
    const receipt = res.body.receipt as {
      database: Record<string, number>;
      possibleMentions: Array<{ table: string; id: string }>;
    };
    expect(receipt.database.messages).toBe(2);
    expect(receipt.database.attachments).toBe(1);
    expect(receipt.possibleMentions).toEqual(
      expect.arrayContaining([
        { table: 'messages', id: carolMessageId, conversationId: carolConversationId },
        { table: 'messages', id: danMessageId, conversationId: expect.any(String) },
        { table: 'contacts', id: namesake.contactId, conversationId: namesake.conversation.id },
      ]),
    );

    const { db, dataKeys } = server.root;
    // Stored text is sealed (issue 22): rows are opened before their words are compared.
    const opened = (where: Parameters<typeof openedMessages>[2]) => openedMessages(db, dataKeys, where);
    // Bob's conversation and message stay; hers are gone from it.
    const bobMessages = await opened(eq(messages.conversationId, bobConversationId));
    expect(bobMessages.map((m) => m.id)).toEqual([bobMessageId]);
    const slackMessages = await opened(eq(messages.conversationId, slackConversationId));
    expect(slackMessages.map((m) => m.body)).toEqual(['Export fails']);

    const [carol] = await opened(eq(messages.id, carolMessageId));
    expect(carol!.body).toBe(
      'Numbers: [erased], [erased], [erased], [erased]. [erased] asked too. Ada will come on Monday.',
    );
    expect(carol!.html).toBe('<p>Numbers: <i>[erased]</i>. [erased] asked.</p>');
    // Her subject is stored sealed (issue 22): found by its tokens, redacted and sealed again.
    const [carolConversation] = await db
      .select({ id: conversations.id, subject: conversations.subject })
      .from(conversations)
      .where(eq(conversations.id, carolConversationId));
    expect(carolConversation!.subject).toMatch(/^pdk:v1:/);
    const [carolSubject] = await openSubjects(dataKeys, [carolConversation!]);
    expect(carolSubject!.subject).toBe('Call back [erased]');
    const [file] = await db.select().from(attachments).where(eq(attachments.id, carolAttachmentId));
    expect(file!.filename).toBe('Invoice [erased].pdf');
    // A first name alone and a different number are not hers to replace.
    const [dan] = await opened(eq(messages.id, danMessageId));
    expect(dan!.body).toBe('Ada from the other team said hello; call 0154 9131 5661 (not hers).');
  });

  it('proof: no text column of any table holds her identifiers or her words', async () => {
    const { db } = server.root;
    const columns = rowsOf<{ table_name: string; column_name: string }>(
      await db.execute(sql`
        select table_name, column_name from information_schema.columns
        where table_schema = 'public' and data_type in ('text', 'character varying', 'jsonb', 'json', 'ARRAY')`),
    );
    const hits: string[] = [];
    for (const { table_name, column_name } of columns) {
      for (const needle of needles) {
        const found = rowsOf<{ n: number }>(
          await db.execute(
            sql`select count(*)::int as n from ${sql.identifier(table_name)}
              where ${sql.identifier(column_name)}::text ilike ${`%${needle}%`}`,
          ),
        );
        if (found[0]!.n > 0) hits.push(`${table_name}.${column_name} contains ${needle}`);
      }
      const digits = rowsOf<{ n: number }>(
        await db.execute(
          sql`select count(*)::int as n from ${sql.identifier(table_name)}
            where regexp_replace(${sql.identifier(column_name)}::text, '[^0-9]', '', 'g') like '%91315660%'`,
        ),
      );
      if (digits[0]!.n > 0) hits.push(`${table_name}.${column_name} contains her phone number`);
    }
    expect(hits).toEqual([]);
  });
});
