import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray, sql } from 'drizzle-orm';
import type { Socket } from 'socket.io-client';
import { dbMode } from '../helpers/db.ts';
import {
  startTestServer,
  nextEvent,
  type AgentClient,
  type TestServer,
  type VisitorClient,
} from '../helpers/server.ts';
import { readZip } from '../helpers/zip.ts';
import { openedMessages } from '../helpers/opened-messages.ts';
import { rowsOf } from '../../server/db/client.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { consentEvents, contactIdentities, conversations, inboxes } from '../../drizzle/schema/index.ts';
import { identityIs } from '../helpers/identities.ts';

const person = {
  name: 'Mira Tollenbeck',
  email: 'mira.tollenbeck@example.org',
  phone: '+4915491315660',
  marker: 'zq-mira-5521',
};
const needles = [person.name, 'Tollenbeck', person.email, person.phone, person.marker, '15491315660'];

/**
 * One person wrote by email, by SMS and from the chat widget: three contacts. The inbox suggests merging them (the
 * same phone in another format, the same email in other capitals), an agent merges them, and from then on the
 * person is one contact: their export holds all three histories, and their erasure leaves no row about them.
 */
describe(`merging contacts on ${dbMode}`, () => {
  let server: TestServer;
  let agent: AgentClient;
  let admin: AgentClient;
  let manager: AgentClient;
  let socket: Socket;
  let emailContact: string;
  let smsContact: string;
  let chatContact: string;
  let strangerContact: string;
  let smsConversation: string;
  let chatVisitor: VisitorClient;

  beforeAll(async () => {
    server = await startTestServer();
    [agent, admin, manager] = await Promise.all([
      server.agentClient('agent'),
      server.agentClient('admin'),
      server.agentClient('manager'),
    ]);
    const { root } = server;
    const [mail, sms] = await root.db
      .insert(inboxes)
      .values([
        { name: 'Mail', channel: 'email' },
        { name: 'SMS', channel: 'sms', settings: { phoneNumber: '+15550100000' } },
      ])
      .returning();
    const email = await ingest(root, {
      channel: 'email',
      inboxId: mail!.id,
      sender: { kind: 'email', address: person.email, name: person.name },
      threadKey: '<merge-1@example.org>',
      externalId: '<merge-1@example.org>',
      subject: 'My order',
      text: `Hello, ${person.marker}-by-email.`,
      occurredAt: new Date(),
    });
    emailContact = email.contactId;
    const text = await ingest(root, {
      channel: 'sms',
      inboxId: sms!.id,
      sender: { kind: 'phone', address: person.phone },
      threadKey: person.phone,
      externalId: 'SM-merge-1',
      text: `It is me again, ${person.marker}-by-sms.`,
      occurredAt: new Date(),
    });
    smsContact = text.contactId;
    smsConversation = text.conversation.id;
    const stranger = await ingest(root, {
      channel: 'email',
      inboxId: mail!.id,
      sender: { kind: 'email', address: 'someone.else@example.net', name: 'Someone Else' },
      threadKey: '<other-1@example.net>',
      externalId: '<other-1@example.net>',
      text: 'Please call my colleague on 0154 9131-5660 about the invoice.',
      occurredAt: new Date(),
    });
    strangerContact = stranger.contactId;
    // The chat visitor gives their email in other capitals, the agent writes the phone the mail signature shows.
    const visitor = await server.visitor(true);
    chatVisitor = visitor;
    expect(
      (await visitor.post('/api/widget/messages', { clientId: 'merge-c1', text: `${person.marker}-by-chat` })).status,
    ).toBe(201);
    const [identity] = await root.db
      .select()
      .from(contactIdentities)
      .where(identityIs(root.db, 'visitor', visitor.visitorId));
    chatContact = identity!.contactId;
    expect(
      (await agent.send('PATCH', `/api/contacts/${chatContact}`, { email: 'Mira.Tollenbeck@Example.ORG' })).status,
    ).toBe(200);
    expect((await agent.send('PATCH', `/api/contacts/${emailContact}`, { phone: '+49 154 9131 5660' })).status).toBe(
      200,
    );
    expect(
      (
        await agent.post(`/api/contacts/${smsContact}/consent`, {
          purpose: 'analytics',
          granted: false,
          sourceChannel: 'sms',
          evidence: 'Replied NO to the survey text',
        })
      ).status,
    ).toBe(201);
    socket = await agent.socket();
  });
  afterAll(async () => {
    socket?.disconnect();
    await server?.stop();
  });

  it('suggests the contacts that share an email or a phone, whatever its format or capitals', async () => {
    const res = await agent.get(`/api/contacts/${emailContact}/merge-suggestions`);
    expect(res.status).toBe(200);
    const byId = new Map(res.body.items.map((s: { id: string; matchedOn: string[] }) => [s.id, s.matchedOn]));
    expect(byId.get(smsContact)).toEqual(['phone']);
    expect(byId.get(chatContact)).toEqual(['email']);
    expect(byId.has(strangerContact)).toBe(false);
    expect(byId.size).toBe(2);
    // And the other way round: the SMS contact finds the email contact by the phone written on it.
    const back = await agent.get(`/api/contacts/${smsContact}/merge-suggestions`);
    expect(back.body.items.map((s: { id: string }) => s.id)).toEqual([emailContact]);
    // The visitor who gave their email finds the contact whose email identity it is.
    const chat = await agent.get(`/api/contacts/${chatContact}/merge-suggestions`);
    expect(chat.body.items.map((s: { id: string }) => s.id)).toEqual([emailContact]);
    expect((await agent.get(`/api/contacts/${strangerContact}/merge-suggestions`)).body.items).toEqual([]);
  });

  it('find this person: contacts by name, email or phone in any format, and the messages mentioning it', async () => {
    expect((await agent.get('/api/privacy/people?q=Tollenbeck')).status).toBe(403);
    const byName = await manager.get('/api/privacy/people?q=tollenbeck');
    expect(byName.status).toBe(200);
    expect(byName.body.contacts.map((c: { id: string }) => c.id).sort()).toEqual([emailContact, chatContact].sort());
    const national = await manager.get(`/api/privacy/people?q=${encodeURIComponent('0154 9131 5660')}`);
    expect(national.body.contacts.map((c: { id: string }) => c.id).sort()).toEqual([emailContact, smsContact].sort());
    // The stranger's message names the number as 0154 9131-5660: listed with where it is, whichever form is searched.
    expect(national.body.mentions).toBe(1);
    for (const form of ['0154 9131 5660', '+49 154 9131 5660', '0049-154-91315660']) {
      const found = (await manager.get(`/api/privacy/people?q=${encodeURIComponent(form)}`)).body;
      expect(found.mentions, form).toBe(1);
      expect(found.mentionItems[0]).toMatchObject({
        contactId: strangerContact,
        channel: 'email',
        contactName: 'Someone Else',
      });
      expect(found.mentionItems[0].snippet).toContain('0154 9131-5660');
    }
    // Names by the start of their words, through the word index; a word inside another word is not a mention.
    const [mail] = await server.root.db.select().from(inboxes).where(eq(inboxes.channel, 'email'));
    await ingest(server.root, {
      channel: 'email',
      inboxId: mail!.id,
      sender: { kind: 'email', address: 'third.person@example.net', name: 'Third Person' },
      threadKey: '<third-1@example.net>',
      externalId: '<third-1@example.net>',
      text: 'My neighbour TOLLENBECK, Mira said you would call back.',
      occurredAt: new Date(),
    });
    const partial = (await manager.get('/api/privacy/people?q=mira%20tollen')).body;
    expect(partial.mentionItems.map((m: { snippet: string }) => m.snippet)).toEqual([
      'My neighbour TOLLENBECK, Mira said you would call back.',
    ]);
    // A contact's sealed name and email are found by whole words (keyed tokens): part of a word does not find the
    // chat contact, whose email an agent typed in. (Identity addresses still match by substring until they are sealed.)
    const inner = (await manager.get('/api/privacy/people?q=ollenbeck')).body;
    expect(inner.mentions).toBe(0);
    expect(inner.contacts.map((c: { id: string }) => c.id)).not.toContain(chatContact);
    const byEmail = await manager.get(`/api/privacy/people?q=${encodeURIComponent('MIRA.TOLLENBECK@example.org')}`);
    expect(byEmail.body.contacts.map((c: { id: string }) => c.id).sort()).toEqual([emailContact, chatContact].sort());
    const sms = byEmail.body.contacts.find((c: { id: string }) => c.id === emailContact);
    expect(sms).toMatchObject({ conversations: 1, messagesWritten: 1 });
  });

  it('asks for confirmation (400)', async () => {
    const res = await agent.post(`/api/contacts/${emailContact}/merge`, { otherContactId: smsContact });
    expect(res.status).toBe(400);
    expect((await agent.get(`/api/contacts/${smsContact}`)).status).toBe(200);
  });

  it('is refused with 409 legal_hold under a hold on either contact, and nothing moves', async () => {
    const onOther = await admin.post('/api/privacy/legal-holds', {
      conversationId: smsConversation,
      reason: 'Dispute 4471',
    });
    expect(onOther.status).toBe(201);
    const onKept = await admin.post('/api/privacy/legal-holds', { contactId: emailContact, reason: 'Audit 12' });
    expect(onKept.status).toBe(201);
    const both = await agent.post(`/api/contacts/${emailContact}/merge`, { otherContactId: smsContact, confirm: true });
    expect(both.status).toBe(409);
    expect(both.body).toMatchObject({ code: 'legal_hold', message: expect.stringContaining('Audit 12') });
    expect((await admin.post(`/api/privacy/legal-holds/${onKept.body.hold.id}/release`)).status).toBe(200);
    const other = await agent.post(`/api/contacts/${emailContact}/merge`, {
      otherContactId: smsContact,
      confirm: true,
    });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: 'legal_hold', message: expect.stringContaining('Dispute 4471') });
    // The same from the other side.
    const reverse = await agent.post(`/api/contacts/${smsContact}/merge`, {
      otherContactId: emailContact,
      confirm: true,
    });
    expect(reverse.status).toBe(409);
    const [conversation] = await server.root.db
      .select({ contactId: conversations.contactId })
      .from(conversations)
      .where(eq(conversations.id, smsConversation));
    expect(conversation!.contactId).toBe(smsContact);
    expect((await agent.get(`/api/contacts/${smsContact}`)).status).toBe(200);
    expect((await admin.post(`/api/privacy/legal-holds/${onOther.body.hold.id}/release`)).status).toBe(200);
  });

  it('moves identities, conversations, consent and message authors; audited by id; agents told live', async () => {
    const { db } = server.root;
    const consentBefore = await db
      .select({ id: consentEvents.id })
      .from(consentEvents)
      .where(inArray(consentEvents.contactId, [emailContact, smsContact, chatContact]));
    const merged = nextEvent(
      socket,
      'contact:merged',
      (p: { mergedContactId: string }) => p.mergedContactId === smsContact,
    );
    const first = await agent.post(`/api/contacts/${emailContact}/merge`, {
      otherContactId: smsContact,
      confirm: true,
    });
    expect(first.status).toBe(200);
    expect(first.body.moved).toEqual({ identities: 1, conversations: 1, consentEvents: 1 });
    expect(await merged).toMatchObject({ contact: { id: emailContact, name: person.name } });
    const second = await agent.post(`/api/contacts/${emailContact}/merge`, {
      otherContactId: chatContact,
      confirm: true,
    });
    expect(second.status).toBe(200);

    for (const gone of [smsContact, chatContact]) expect((await agent.get(`/api/contacts/${gone}`)).status).toBe(404);
    const contact = (await agent.get(`/api/contacts/${emailContact}`)).body;
    expect(contact.identities.map((i: { kind: string }) => i.kind).sort()).toEqual(['email', 'phone', 'visitor']);
    expect(contact.conversations.map((c: { channel: string }) => c.channel).sort()).toEqual(['chat', 'email', 'sms']);
    // The kept contact's own fields stay; it takes the other's where its own were empty.
    // Rectified numbers are stored in E.164.
    expect(contact).toMatchObject({ name: person.name, phone: '+4915491315660' });
    expect(contact.email?.toLowerCase()).toBe(person.email);
    // The whole consent ledger, each event unchanged but now the kept contact's; the latest statement counts.
    const consentAfter = await db
      .select({ id: consentEvents.id })
      .from(consentEvents)
      .where(eq(consentEvents.contactId, emailContact));
    expect(consentAfter.map((e) => e.id).sort()).toEqual(consentBefore.map((e) => e.id).sort());
    expect(consentAfter.length).toBeGreaterThanOrEqual(3);
    // Every message the person wrote is authored by one of the kept contact's identities.
    // The text is stored sealed: the messages are opened before their words are looked at.
    const written = (await openedMessages(db, server.root.dataKeys)).filter((m) => m.body.includes(person.marker));
    const authors = rowsOf<{ contact_id: string }>(
      await db.execute(sql`select distinct i.contact_id from ${contactIdentities} i
        where i.id in (${sql.join(
          written.map((m) => sql`${m.authorIdentityId}::uuid`),
          sql`, `,
        )})`),
    );
    expect(authors).toEqual([{ contact_id: emailContact }]);
    const audit = (await admin.get('/api/privacy/audit?limit=20')).body.items;
    const entries = audit.filter((e: { action: string }) => e.action === 'contact.merged');
    expect(entries).toHaveLength(2);
    expect(entries.map((e: { details: { mergedContactId: string } }) => e.details.mergedContactId).sort()).toEqual(
      [smsContact, chatContact].sort(),
    );
    const auditText = JSON.stringify(entries);
    for (const needle of needles) expect(auditText.includes(needle), `audit holds ${needle}`).toBe(false);
    expect((await agent.get(`/api/contacts/${emailContact}/merge-suggestions`)).body.items).toEqual([]);
  });

  it("the chat visitor's session goes on as the merged contact: no new notice, history and sending work", async () => {
    // The token still names the contact that was merged away; the door admits it as the kept contact.
    const history = await chatVisitor.get('/api/widget/messages');
    expect(history.status).toBe(200);
    expect(JSON.stringify(history.body)).toContain(`${person.marker}-by-chat`);
    const sent = await chatVisitor.post('/api/widget/messages', {
      clientId: 'merge-c2',
      text: 'Still me, after the merge',
    });
    expect(sent.status).toBe(201);
    const socket = await chatVisitor.socket();
    socket.disconnect();
    const [row] = await server.root.db
      .select({ contactId: conversations.contactId })
      .from(conversations)
      .where(eq(conversations.threadKey, chatVisitor.visitorId));
    expect(row!.contactId).toBe(emailContact);
  });

  it("the merged contact's export holds all three histories", async () => {
    const res = await fetch(`${server.url}/api/contacts/${emailContact}/export`, { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    const zip = await readZip(Buffer.from(await res.arrayBuffer()));
    const data = zip.get('data.json')!.toString('utf8');
    for (const channel of ['email', 'sms', 'chat']) expect(data).toContain(`${person.marker}-by-${channel}`);
  });

  it('erasing the merged contact leaves no row about either of the three (row scan)', async () => {
    const res = await admin.post(`/api/contacts/${emailContact}/erase`, { confirm: true });
    expect(res.status).toBe(200);
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
    }
    expect(hits).toEqual([]);
    for (const id of [emailContact, smsContact, chatContact]) {
      const left = rowsOf<{ n: number }>(
        await db.execute(sql`select (select count(*) from contacts where id = ${id})
          + (select count(*) from contact_identities where contact_id = ${id})
          + (select count(*) from conversations where contact_id = ${id})
          + (select count(*) from consent_events where contact_id = ${id}) as n`),
      );
      expect(Number(left[0]!.n)).toBe(0);
    }
  });
});
