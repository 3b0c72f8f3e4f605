import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openedMessages } from '../helpers/opened-messages.ts';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq, isNull } from 'drizzle-orm';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { FakeSlack, deliverEvent } from '../helpers/fake-slack.ts';
import { dbMode } from '../helpers/db.ts';
import { attachments, messages, slackFiles } from '../../drizzle/schema/index.ts';
import { CUSTOMER, messageEvent } from '../fixtures/channels/slack.ts';

const SIGNING_SECRET = '0c7e1f3a9b2d4e6f8a0b1c2d3e4f5a6b';

/** A listener on the server's own loopback that records every request it gets (what an attacker would read). */
async function startRecorder(): Promise<{ url: string; requests: IncomingHttpHeaders[]; close(): Promise<void> }> {
  const requests: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end('internal secret');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

/** Polls until `check` returns a value (files are fetched after Slack has its answer). */
async function eventually<T>(check: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe(`Slack files cannot be used to reach other hosts (SSRF), on ${dbMode}`, () => {
  let slack: FakeSlack;
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  let server: TestServer;
  let agent: AgentClient;

  beforeAll(async () => {
    slack = await FakeSlack.start();
    slack.addUser({ id: CUSTOMER, name: 'maria.virtanen', realName: 'Maria Virtanen' });
    recorder = await startRecorder();
    server = await startTestServer({
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_CHANNELS: 'C0SUPPORT1',
      SLACK_API_URL: slack.apiUrl,
      // Only the fake Slack is allowed although it is on loopback; the recorder (same address, other port) is not.
      OUTBOUND_ALLOW_HOSTS: new URL(slack.apiUrl).host,
    });
    agent = await server.agentClient('agent');
  });
  afterAll(async () => {
    await server?.stop();
    await slack?.close();
    await recorder?.close();
  });

  const deliver = (payload: unknown) => deliverEvent(`${server.url}/api/slack/events`, SIGNING_SECRET, payload);
  // The text is stored sealed (issue 22): Slack's messages are opened and the one with the text is taken.
  const storedMessage = async (text: string) =>
    eventually(async () =>
      (await openedMessages(server.root.db, server.root.dataKeys, eq(messages.channel, 'slack'))).find(
        (m) => m.body === text,
      ),
    );
  const messageView = async (conversationId: string, id: string) =>
    (await agent.get(`/api/conversations/${conversationId}`)).body.messages.find((m: { id: string }) => m.id === id);
  /** Waits until no file of the message is still on its first try (downloaded, refused or failed once). */
  const settled = (messageId: string) =>
    eventually(async () => {
      const waiting = await server.root.db
        .select()
        .from(slackFiles)
        .where(and(eq(slackFiles.messageId, messageId), isNull(slackFiles.storedAt), eq(slackFiles.attempts, 0)));
      return waiting.length === 0 ? true : undefined;
    });

  it('never fetches a url_private that points at the server itself; the message arrives with a note', async () => {
    const internal = `${recorder.url}/latest/meta-data/iam/security-credentials/`;
    const forged = {
      ...slack.addFile('F0FORGED01', 'credentials.txt', Buffer.from('x'), 'text/plain'),
      url_private: internal,
      url_private_download: `${internal}?download=1`,
    };
    const event = messageEvent({ text: 'Please see the attached file', files: [forged] });
    expect((await deliver(event)).status).toBe(200);
    const message = await storedMessage('Please see the attached file');
    await settled(message.id);
    await server.root.channels.slack.sweep();

    expect(recorder.requests).toEqual([]);
    expect(await server.root.db.select().from(attachments).where(eq(attachments.messageId, message.id))).toEqual([]);
    const view = await messageView(message.conversationId, message.id);
    expect(view.body).toBe('Please see the attached file');
    expect(view.attachments ?? []).toEqual([]);
    expect(view.markers).toEqual([
      {
        kind: 'file_not_fetched',
        detail: "credentials.txt: its address is not on Slack's file hosts, so it was not downloaded",
        event: { code: 'foreign_file_host', args: { name: 'credentials.txt' } },
      },
    ]);
  });

  it('does not follow a redirect from the Slack file host elsewhere: the token stays with Slack', async () => {
    const file = slack.addFile('F0REDIRECT', 'report.pdf', Buffer.from('%PDF-1.7'), 'application/pdf');
    slack.fileRedirects.set('F0REDIRECT', `${recorder.url}/collect`);
    const event = messageEvent({ text: 'The report, as promised', files: [file] });
    expect((await deliver(event)).status).toBe(200);
    const message = await storedMessage('The report, as promised');
    await settled(message.id);

    expect(recorder.requests).toEqual([]);
    expect(await server.root.db.select().from(attachments).where(eq(attachments.messageId, message.id))).toEqual([]);
    const [row] = await server.root.db.select().from(slackFiles).where(eq(slackFiles.messageId, message.id));
    // Refused for good: no retry will follow the redirect later either.
    expect(row).toMatchObject({
      storedAt: null,
      nextAttemptAt: null,
      lastError: expect.stringMatching(/^OutboundRefused/),
    });
    const view = await eventually(async () => {
      const v = await messageView(message.conversationId, message.id);
      return v.markers ? v : undefined;
    });
    expect(view.markers).toEqual([
      {
        kind: 'file_not_fetched',
        detail: 'report.pdf: could not be downloaded from Slack',
        event: { code: 'slack_download_failed', args: { name: 'report.pdf' } },
      },
    ]);
  });

  it('still downloads a file that Slack itself serves, with the token', async () => {
    const file = slack.addFile('F0GENUINE1', 'photo.png', Buffer.from('\x89PNG genuine'), 'image/png');
    expect((await deliver(messageEvent({ text: 'A genuine photo', files: [file] }))).status).toBe(200);
    const message = await storedMessage('A genuine photo');
    const [attachment] = await eventually(async () => {
      const rows = await server.root.db.select().from(attachments).where(eq(attachments.messageId, message.id));
      return rows.length ? rows : undefined;
    });
    expect(attachment).toMatchObject({ filename: 'photo.png', size: Buffer.from('\x89PNG genuine').length });
    expect(slack.downloads).toContain('F0GENUINE1');
    expect(recorder.requests).toEqual([]);
  });
});
