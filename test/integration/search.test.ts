import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, AgentClient, startTestServer, type TestJson, type TestServer } from '../helpers/server.ts';
import { emailInbox, seedConversation } from '../helpers/search-seed.ts';

/**
 * The search box's API as agents use it: words (stemmed in the message's language), phrases, names, addresses,
 * phone numbers in any format, ids, filters, highlighted snippets, the inbox scope, and redacted and erased
 * text that is never found again.
 */
describe(`search on ${dbMode}`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let scoped: AgentClient;
  let inboxA: string;
  let inboxB: string;
  let ada: Awaited<ReturnType<typeof seedConversation>>;
  let grace: Awaited<ReturnType<typeof seedConversation>>;
  let anna: Awaited<ReturnType<typeof seedConversation>>;
  let zelda: Awaited<ReturnType<typeof seedConversation>>;

  const search = async (agent: AgentClient, query: Record<string, string>) => {
    const res = await agent.get(`/api/search?${new URLSearchParams(query)}`);
    expect(res.status).toBe(200);
    return res.body.items as TestJson[];
  };
  const ids = (items: TestJson[]) => items.map((i) => i.conversation.id as string);
  const highlighted = (item: TestJson) =>
    (item.snippet as Array<{ text: string; match: boolean }>).filter((p) => p.match).map((p) => p.text);

  beforeAll(async () => {
    server = await startTestServer();
    const db = server.root.db;
    admin = await AgentClient.login(server.url, server.root.config.adminEmail, ADMIN_PASSWORD);
    inboxA = await emailInbox(db, 'Support A');
    inboxB = await emailInbox(db, 'Support B');
    ada = await seedConversation(
      db,
      inboxA,
      { name: 'Ada Lovelace', email: 'ada.lovelace@example.com', phone: '+4915491315660', locale: 'en' },
      {
        at: new Date('2026-03-10T12:00:00Z'),
        texts: ['Hello there', 'I would like a refund for my order 4711, the parcel arrived broken.'],
      },
    );
    grace = await seedConversation(
      db,
      inboxB,
      { name: 'Grace Hopper', email: 'grace@navy.example', phone: '+12025550143', locale: null },
      {
        subject: 'Invoice question',
        status: 'resolved',
        at: new Date('2026-03-12T12:00:00Z'),
        texts: ['Could you send the invoice again? <script>alert(1)</script>'],
      },
    );
    anna = await seedConversation(
      db,
      inboxA,
      { name: 'Anna Schmidt', email: 'anna@beispiel.example', phone: '+4930123456', locale: 'de-DE' },
      {
        at: new Date('2026-03-11T12:00:00Z'),
        texts: ['Meine Rückerstattungen sind noch nicht angekommen.'],
      },
    );
    zelda = await seedConversation(
      db,
      inboxA,
      { name: 'Zelda Quux', email: 'zelda.quux@example.org', phone: '+358401234567', locale: 'fi' },
      {
        at: new Date('2026-03-09T12:00:00Z'),
        texts: ['My backup passphrase is swordfish-orchid, please keep it safe.'],
      },
    );
    // Ada mentions Zelda in her own conversation: erasure redacts the mention there.
    await seedConversation(
      db,
      inboxA,
      { name: 'Bob Mentioner', email: 'bob@example.net', phone: '+4915112345678', locale: 'en' },
      { at: new Date('2026-03-08T12:00:00Z'), texts: ['My friend Zelda Quux (zelda.quux@example.org) sent me.'] },
    );

    scoped = await server.agentClient('agent');
    const access = await admin.send('PUT', `/api/agents/${scoped.agent.id}/access`, {
      scope: 'restricted',
      inboxIds: [inboxA],
      teamIds: [],
    });
    expect(access.status).toBe(200);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('finds a message by a word in another form (stemmed in its language) and highlights it', async () => {
    const items = await search(admin, { q: 'refunds' });
    expect(ids(items)).toEqual([ada.conversationId]);
    expect(items[0].matchedIn).toBe('message');
    expect(items[0].messageId).toBe(ada.messageIds[1]);
    expect(highlighted(items[0])).toEqual(['refund']);
    expect(items[0].snippet.map((p: TestJson) => p.text).join('')).toContain('order 4711');
  });

  it('stems German for a contact whose locale is German', async () => {
    const items = await search(admin, { q: 'Rückerstattung' });
    expect(ids(items)).toEqual([anna.conversationId]);
    expect(highlighted(items[0])).toEqual(['Rückerstattungen']);
  });

  it('matches a phrase only in its order', async () => {
    expect(ids(await search(admin, { q: '"refund for my order"' }))).toEqual([ada.conversationId]);
    expect(await search(admin, { q: '"order for my refund"' })).toEqual([]);
    // Its words side by side, and the same words the other way round, which no message has.
    expect(ids(await search(admin, { q: '"parcel arrived"' }))).toEqual([ada.conversationId]);
    expect(await search(admin, { q: '"arrived parcel"' })).toEqual([]);
  });

  it('finds by contact name, email address, phone number in any format, subject and id', async () => {
    const byName = await search(admin, { q: 'lovelace' });
    expect(ids(byName)).toEqual([ada.conversationId]);
    expect(byName[0].matchedIn).toBe('name');
    expect(highlighted(byName[0])).toEqual(['Lovelace']);

    const byEmail = await search(admin, { q: 'ada.lovelace@example' });
    expect(ids(byEmail)).toEqual([ada.conversationId]);
    expect(byEmail[0].matchedIn).toBe('email');

    for (const phone of ['+49 154 9131 5660', '0154 9131 5660', '(0154) 91315660', '0049-154-91315660']) {
      const byPhone = await search(admin, { q: phone });
      expect(ids(byPhone), phone).toEqual([ada.conversationId]);
      expect(byPhone[0].matchedIn).toBe('phone');
    }

    const bySubject = await search(admin, { q: 'invoice' });
    expect(ids(bySubject)).toEqual([grace.conversationId]);
    expect(bySubject[0].matchedIn).toBe('subject');

    expect(ids(await search(admin, { q: grace.conversationId }))).toEqual([grace.conversationId]);
    expect(ids(await search(admin, { q: grace.conversationId.slice(0, 8) }))).toContain(grace.conversationId);
  });

  it('returns snippets as text parts: markup in a message is never HTML in the answer', async () => {
    const [message] = await search(admin, { q: 'invoice again' });
    expect(message.conversation.id).toBe(grace.conversationId);
    expect(message.matchedIn).toBe('message');
    expect(highlighted(message)).toEqual(['invoice', 'again']);
    for (const part of message.snippet) expect(Object.keys(part).sort()).toEqual(['match', 'text']);
  });

  it('applies the filters: status, channel, inbox, assignee and dates', async () => {
    const everyone = ids(await search(admin, { q: 'example' }));
    expect(everyone).toEqual(expect.arrayContaining([ada.conversationId, zelda.conversationId]));
    expect(ids(await search(admin, { q: 'invoice', status: 'open' }))).toEqual([]);
    expect(ids(await search(admin, { q: 'invoice', status: 'resolved' }))).toEqual([grace.conversationId]);
    expect(ids(await search(admin, { q: 'invoice', channel: 'chat' }))).toEqual([]);
    expect(ids(await search(admin, { q: 'invoice', channel: 'email' }))).toEqual([grace.conversationId]);
    expect(ids(await search(admin, { q: 'refund', inbox: inboxB }))).toEqual([]);
    expect(ids(await search(admin, { q: 'refund', inbox: inboxA }))).toEqual([ada.conversationId]);
    expect(ids(await search(admin, { q: 'refund', assignee: 'me' }))).toEqual([]);
    expect(ids(await search(admin, { q: 'refund', assignee: 'unassigned' }))).toEqual([ada.conversationId]);
    const assigned = await admin.post(`/api/conversations/${ada.conversationId}/assign`, { agentId: admin.agent.id });
    expect(assigned.status).toBe(200);
    expect(ids(await search(admin, { q: 'refund', assignee: 'me' }))).toEqual([ada.conversationId]);
    // Assignment writes a timeline event and touches the conversation; dates filter on the last activity.
    const last = (await admin.get(`/api/conversations/${ada.conversationId}`)).body.conversation.lastMessageAt;
    const day = (last as string).slice(0, 10);
    expect(ids(await search(admin, { q: 'refund', from: day, to: day }))).toEqual([ada.conversationId]);
    expect(ids(await search(admin, { q: 'refund', to: '2026-01-01' }))).toEqual([]);
    for (const bad of ['2026-02-31', '2026-13-01'])
      expect((await admin.get(`/api/search?q=refund&from=${bad}`)).status, bad).toBe(400);
  });

  it('never finds a conversation outside the agent’s inboxes', async () => {
    for (const q of ['invoice', 'Hopper', 'grace@navy.example', '+1 202 555 0143', grace.conversationId]) {
      expect(ids(await search(admin, { q })), q).toEqual([grace.conversationId]);
      expect(await search(scoped, { q }), q).toEqual([]);
    }
    expect(ids(await search(scoped, { q: 'refund' }))).toEqual([ada.conversationId]);
    // Asking for the other inbox by filter changes nothing.
    expect(await search(scoped, { q: 'invoice', inbox: inboxB })).toEqual([]);
  });

  it('never finds redacted text, nor anything of an erased person', async () => {
    expect(ids(await search(admin, { q: 'swordfish-orchid' }))).toEqual([zelda.conversationId]);
    const body = 'My backup passphrase is swordfish-orchid, please keep it safe.';
    const start = body.indexOf('swordfish-orchid');
    const redacted = await admin.post(`/api/messages/${zelda.messageIds[0]}/redact`, {
      start,
      end: start + 'swordfish-orchid'.length,
    });
    expect(redacted.status).toBe(200);
    for (const q of ['swordfish-orchid', 'swordfish', 'orchid', '"passphrase is swordfish"'])
      expect(await search(admin, { q }), q).toEqual([]);

    expect(ids(await search(admin, { q: 'Zelda' })).length).toBe(2); // her conversation and Bob's mention
    const erased = await admin.post(`/api/contacts/${zelda.contactId}/erase`, { confirm: true });
    expect(erased.status).toBe(200);
    for (const q of [
      'Zelda',
      'Quux',
      'zelda.quux@example.org',
      '+358 40 123 4567',
      '040 1234567',
      zelda.conversationId,
    ])
      expect(await search(admin, { q }), q).toEqual([]);
  });
  it('finds a phrase deep in a text too long for all its word pairs, and not in the wrong order', async () => {
    // 13,000 distinct words of 14 letters, 9 of them "ä" (two bytes each), before the phrase: 312 kB of text, over the
    // 300 kB for which the vector holds word pairs (migration 0039), so the text carries the marker instead and is
    // found the slow way.
    const filler = Array.from({ length: 13_000 }, (_, i) => `w${i.toString(36).padStart(4, '0')}äääääääää`).join(' ');
    const long = await seedConversation(
      server.root.db,
      inboxA,
      { name: 'Lena Lang', email: 'lena@lang.example', phone: '+4915799999999', locale: 'en' },
      { at: new Date('2026-03-01T12:00:00Z'), texts: [`${filler} the quokka smiled broadly at dawn`] },
    );
    expect(ids(await search(admin, { q: '"quokka smiled broadly"' }))).toEqual([long.conversationId]);
    expect(await search(admin, { q: '"smiled quokka"' })).toEqual([]);
  });
});
