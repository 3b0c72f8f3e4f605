import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq, sql } from 'drizzle-orm';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { FakeSlack, deliverEvent } from '../helpers/fake-slack.ts';
import { dbMode } from '../helpers/db.ts';
import { messages, slackEvents, slackFiles } from '../../drizzle/schema/index.ts';
import {
  CUSTOMER,
  DM_CHANNEL,
  OTHER_CHANNEL,
  SUPPORT_CHANNEL,
  messageEvent,
  urlVerification,
} from '../fixtures/channels/slack.ts';
import { openedMessages } from '../helpers/opened-messages.ts';

const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

/** Polls until `check` returns a value (files arrive after Slack has its answer). */
async function eventually<T>(check: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe(`Slack through Bolt inside the server, on ${dbMode}`, () => {
  let slack: FakeSlack;
  let server: TestServer;
  let agent: AgentClient;
  let eventsUrl: string;

  const deliver = (payload: unknown, options?: Parameters<typeof deliverEvent>[3]) =>
    deliverEvent(eventsUrl, SIGNING_SECRET, payload, options);
  const messageCount = async () => (await server.root.db.select({ n: count() }).from(messages))[0]!.n;
  const slackConversations = async () =>
    (await agent.get('/api/conversations?channel=slack')).body.items as Array<{
      id: string;
      contact: { id: string; name: string };
    }>;

  beforeAll(async () => {
    slack = await FakeSlack.start();
    slack.addUser({
      id: CUSTOMER,
      name: 'maria.virtanen',
      realName: 'Maria Virtanen',
      email: 'Maria.Virtanen@customer.example',
    });
    server = await startTestServer({
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_CHANNELS: SUPPORT_CHANNEL,
      SLACK_API_URL: slack.apiUrl,
      OUTBOUND_ALLOW_HOSTS: new URL(slack.apiUrl).host,
    });
    eventsUrl = `${server.url}/api/slack/events`;
    agent = await server.agentClient('agent');
  });
  afterAll(async () => {
    await server?.stop();
    await slack?.close();
  });

  it('answers the url_verification challenge when the request URL is saved in the app settings', async () => {
    const res = await deliver(urlVerification);
    expect(res).toEqual({ status: 200, body: { challenge: urlVerification.challenge } });
  });

  const root = messageEvent({ text: 'Hi, our invoices page shows an error &amp; I can&apos;t pay' });

  it(
    'turns a signed message in a configured channel into a conversation ' + 'under the Slack user as a contact',
    async () => {
      const res = await deliver(root);
      expect(res.status).toBe(200);
      const [conversation, ...others] = await slackConversations();
      expect(others).toEqual([]);
      expect(conversation!.contact.name).toBe('Maria Virtanen');
      const detail = (await agent.get(`/api/conversations/${conversation!.id}`)).body;
      expect(detail.conversation).toMatchObject({ channel: 'slack', status: 'open', inboxName: 'Slack' });
      expect(detail.messages.map((m: { body: string; direction: string }) => [m.direction, m.body])).toEqual([
        ['inbound', 'Hi, our invoices page shows an error & I can&apos;t pay'],
      ]);
      // users.info gave the name and the address; the Slack identity and the email identity are both the contact's.
      expect(detail.contact.email).toBe('maria.virtanen@customer.example');
      expect(
        detail.contact.identities.map((i: { kind: string; address: string }) => `${i.kind} ${i.address}`).sort(),
      ).toEqual(['email maria.virtanen@customer.example', `slack T0TEAM0001:${CUSTOMER}`]);
      expect(slack.callsOf('users.info').map((c) => c.params.user)).toEqual([CUSTOMER]);
    },
  );

  it('puts a reply in the thread into the same conversation, and a new top-level message into a new one', async () => {
    await deliver(messageEvent({ text: 'It says 502 Bad Gateway', threadTs: root.event.ts }));
    const fresh = messageEvent({ text: 'Another thing: can I change my plan?' });
    await deliver(fresh);
    const conversations = await slackConversations();
    expect(conversations).toHaveLength(2);
    const all = await Promise.all(
      conversations.map(async (c) =>
        (await agent.get(`/api/conversations/${c.id}`)).body.messages.map((m: { body: string }) => m.body),
      ),
    );
    expect(all.sort((a, b) => a.length - b.length)).toEqual([
      ['Another thing: can I change my plan?'],
      ['Hi, our invoices page shows an error & I can&apos;t pay', 'It says 502 Bad Gateway'],
    ]);
    // One person, one contact; users.info was asked once, for the first message.
    expect(new Set(conversations.map((c) => c.contact.id)).size).toBe(1);
    expect(slack.callsOf('users.info')).toHaveLength(1);
  });

  it('stores nothing new for a retry of the same event id (X-Slack-Retry-Num), and still answers 200', async () => {
    const before = await messageCount();
    const retry = await deliver(root, { retryNum: 1 });
    expect(retry.status).toBe(200);
    const [handled] = await server.root.db.select().from(slackEvents).where(eq(slackEvents.eventId, root.event_id));
    expect(handled).toBeDefined();
    // The same message under another event id (e.g. a second subscription) is still one message: ingest is
    // idempotent on its ts.
    const again = await deliver({ ...root, event_id: 'Ev0OTHERID01' });
    expect(again.status).toBe(200);
    expect(await messageCount()).toBe(before);
  });

  it('rejects forged, tampered, stale and unsigned requests with 401 and stores nothing', async () => {
    const before = await messageCount();
    const forged = messageEvent({ text: 'forged' });
    const wrongSecret = await deliverEvent(eventsUrl, 'not-the-signing-secret', forged);
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body).toMatchObject({ code: 'invalid_signature', requestId: expect.any(String) });
    const tampered = await deliver(messageEvent({ text: 'original' }), {
      tamper: (raw) => raw.replace('original', 'tampered'),
    });
    expect(tampered.status).toBe(401);
    // A genuine signature replayed after Slack's five-minute window.
    const stale = await deliver(messageEvent({ text: 'stale' }), { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(401);
    const unsigned = await fetch(eventsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(messageEvent({ text: 'unsigned' })),
    });
    expect(unsigned.status).toBe(401);
    expect(await messageCount()).toBe(before);
  });

  it('ignores channels that are not configured, other bots, and edits', async () => {
    const before = await messageCount();
    expect((await deliver(messageEvent({ channel: OTHER_CHANNEL, text: 'in #random' }))).status).toBe(200);
    expect((await deliver(messageEvent({ botId: 'B0OTHERBOT', text: 'a bot post' }))).status).toBe(200);
    expect((await deliver(messageEvent({ subtype: 'message_changed', text: 'edited' }))).status).toBe(200);
    expect(await messageCount()).toBe(before);
  });

  it("posts an agent's reply into the customer's thread with chat.postMessage", async () => {
    const conversations = await slackConversations();
    const threaded = await Promise.all(
      conversations.map(async (c) => ({
        id: c.id,
        n: (await agent.get(`/api/conversations/${c.id}`)).body.messages.length,
      })),
    );
    const conversationId = threaded.find((c) => c.n === 2)!.id;
    const res = await agent.post(`/api/conversations/${conversationId}/messages`, {
      text: 'Sorry about that! Fixed now, please try again.',
    });
    expect(res.status).toBe(201);
    expect(res.body.message).toMatchObject({ deliveryState: 'sent', deliveryError: null });
    const [post] = slack.callsOf('chat.postMessage');
    expect(post).toMatchObject({
      token: slack.botToken,
      params: {
        channel: SUPPORT_CHANNEL,
        thread_ts: root.event.ts,
        text: 'Sorry about that! Fixed now, please try again.',
      },
    });
    // Slack echoes the bot's own post back as a message event: Bolt's ignoreSelf drops it.
    const before = await messageCount();
    await deliver(
      messageEvent({
        text: 'Sorry about that! Fixed now, please try again.',
        user: slack.team.botUserId,
        botId: slack.team.botId,
        threadTs: root.event.ts,
      }),
    );
    expect(await messageCount()).toBe(before);
  });

  it('keeps a direct message as one running conversation and replies in the DM itself', async () => {
    const first = messageEvent({ channel: DM_CHANNEL, text: 'Hello, a private question about my account' });
    await deliver(first);
    await deliver(messageEvent({ channel: DM_CHANNEL, text: 'It is about billing' }));
    const details = await Promise.all(
      (await slackConversations()).map(async (c) => (await agent.get(`/api/conversations/${c.id}`)).body),
    );
    const direct = details.find((d) => d.messages[0].body.startsWith('Hello, a private'))!;
    expect(direct.messages.map((m: { body: string }) => m.body)).toEqual([
      'Hello, a private question about my account',
      'It is about billing',
    ]);
    const res = await agent.post(`/api/conversations/${direct.conversation.id}/messages`, { text: 'Happy to help.' });
    expect(res.body.message.deliveryState).toBe('sent');
    const post = slack.callsOf('chat.postMessage').at(-1)!;
    expect(post.params.channel).toBe(DM_CHANNEL);
    expect(post.params.thread_ts).toBeUndefined();
  });

  it('keeps a reply pending with the reason when Slack refuses it, for the delivery sweep to retry', async () => {
    const conversationId = (await slackConversations())[0]!.id;
    slack.failures.set('chat.postMessage', 'channel_not_found');
    try {
      const res = await agent.post(`/api/conversations/${conversationId}/messages`, { text: 'Are you still there?' });
      expect(res.body.message.deliveryState).toBe('pending');
      expect(res.body.message.deliveryError).toContain('channel_not_found');
    } finally {
      slack.failures.delete('chat.postMessage');
    }
  });

  it('turns a file share into an attachment an agent can download, and only an agent', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(64 * 1024, 7), Buffer.from('\n%%EOF\n')]);
    const file = slack.addFile('F0INVOICE1', 'invoice 2026-11 (Mär).pdf', pdf, 'application/pdf');
    const share = messageEvent({ text: 'Here is the invoice', threadTs: root.event.ts, files: [file] });
    expect((await deliver(share)).status).toBe(200);
    // The text is stored sealed (issue 22): the row is found by its Slack id and its text checked opened.
    const [shared] = await openedMessages(
      server.root.db,
      server.root.dataKeys,
      eq(messages.externalId, `${share.event.channel}:${share.event.ts}`),
    );
    expect(shared!.body).toBe('Here is the invoice');
    const conversationId = shared!.conversationId;
    const sharedView = async () =>
      (await agent.get(`/api/conversations/${conversationId}`)).body.messages.find(
        (m: { id: string }) => m.id === shared!.id,
      ) as { attachments?: Array<{ id: string }> };
    const [attachment] = await eventually(async () =>
      (await sharedView()).attachments?.length ? (await sharedView()).attachments : undefined,
    );
    expect(attachment!).toMatchObject({
      filename: 'invoice 2026-11 (Mär).pdf',
      contentType: 'application/pdf',
      size: pdf.length,
    });
    const res = await fetch(`${server.url}/api/attachments/${attachment!.id}`, { headers: { cookie: agent.cookie } });
    expect(res.status).toBe(200);
    // Served as an inert download whatever Slack (or the sender) declared: server/http/downloads.ts.
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''invoice%202026-11%20(M%C3%A4r).pdf");
    expect(Buffer.from(await res.arrayBuffer()).equals(pdf)).toBe(true);
    expect((await fetch(`${server.url}/api/attachments/${attachment!.id}`)).status).toBe(401);
    // Redelivered, under its own and under another event id, the share adds no second copy.
    await deliver(share, { retryNum: 1 });
    await deliver({ ...share, event_id: 'Ev0SHAREDUP1' });
    await server.root.channels.slack.sweep();
    expect((await sharedView()).attachments).toHaveLength(1);
    expect(slack.downloads).toEqual(['F0INVOICE1']);
  });

  it('leaves a file the bot may not read pending with the reason, and fetches it once it can', async () => {
    const file = slack.addFile('F0SCREEN01', 'screenshot.png', Buffer.from('\x89PNG fake image bytes'), 'image/png');
    slack.fileAccessDenied.add('F0SCREEN01');
    await deliver(messageEvent({ text: 'And a screenshot', threadTs: root.event.ts, files: [file] }));
    const [pending] = await eventually(async () => {
      const rows = await server.root.db.select().from(slackFiles).where(eq(slackFiles.fileId, 'F0SCREEN01'));
      return rows[0]?.attempts ? rows : undefined;
    });
    expect(pending).toMatchObject({ storedAt: null, lastError: expect.stringContaining('web page') });
    expect(pending!.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
    slack.fileAccessDenied.delete('F0SCREEN01');
    // The retry is due after a minute; the sweep picks it up then.
    await server.root.db
      .update(slackFiles)
      .set({ nextAttemptAt: new Date(Date.now() - 1000) })
      .where(eq(slackFiles.fileId, 'F0SCREEN01'));
    expect(await server.root.channels.slack.sweep()).toBe(1);
    const [stored] = await server.root.db.select().from(slackFiles).where(eq(slackFiles.fileId, 'F0SCREEN01'));
    // Once stored, the Slack URL and the file name are no longer kept beside the attachment.
    expect(stored).toMatchObject({ name: null, urlPrivate: null, storedAt: expect.any(Date) });
  });

  it('answers 500 when the message could not be stored, so that Slack retries, and the retry stores it', async () => {
    const db = server.root.db;
    const event = messageEvent({ text: 'Lost in a failing commit' });
    // The database refuses this one message (as a full disk or a lost connection would). Its text is stored
    // sealed (issue 22), so the trigger knows the message by its Slack id.
    const externalId = `${event.event.channel}:${event.event.ts}`;
    await db.execute(sql`create function refuse_slack_test() returns trigger language plpgsql as $$
      begin if new.external_id = ${sql.raw(`'${externalId}'`)} then raise exception 'refused for the test'; end if;
      return new; end $$`);
    await db.execute(
      sql`create trigger refuse_slack_test before insert on messages for each row execute function refuse_slack_test()`,
    );
    try {
      const first = await deliver(event);
      expect(first.status).toBe(500);
      expect(await db.select().from(slackEvents).where(eq(slackEvents.eventId, event.event_id))).toEqual([]);
    } finally {
      await db.execute(sql`drop trigger refuse_slack_test on messages`);
      await db.execute(sql`drop function refuse_slack_test()`);
    }
    const retry = await deliver(event, { retryNum: 1 });
    expect(retry.status).toBe(200);
    const stored = await openedMessages(db, server.root.dataKeys, eq(messages.externalId, externalId));
    expect(stored.filter((m) => m.body === 'Lost in a failing commit')).toHaveLength(1);
  });

  it("erases a Slack contact's messages, files and identities like any other contact's", async () => {
    const contactId = (await slackConversations())[0]!.contact.id;
    const blobsBefore = await server.root.blobs.list();
    expect(blobsBefore.length).toBeGreaterThanOrEqual(2);
    const admin = await server.agentClient('admin');
    const res = await admin.post(`/api/contacts/${contactId}/erase`, { confirm: true });
    expect(res.status).toBe(200);
    expect(await slackConversations()).toEqual([]);
    expect(await server.root.db.select().from(slackFiles)).toEqual([]);
    expect(await server.root.blobs.list()).toEqual([]);
    expect((await agent.get(`/api/contacts?q=maria`)).body.items).toEqual([]);
  });

  it('writes no message text, name or email into the log', () => {
    const logs = server.logs();
    for (const secret of [
      'Lost in a failing',
      'invoices page',
      'Maria',
      'customer.example',
      'Bad Gateway',
      'invoice 2026',
      SIGNING_SECRET,
      slack.botToken,
    ]) {
      expect(logs).not.toContain(secret);
    }
  });
});
