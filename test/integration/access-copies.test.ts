import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer, type VisitorClient } from '../helpers/server.ts';
import { readZip } from '../helpers/zip.ts';
import { attachments, botDecisions, conversations, messages } from '../../drizzle/schema/index.ts';
import { sealedDecision } from '../../server/bot/decision-scores.ts';

const NOTE = 'Internal: customer sounds annoyed, zq-note-5173';
const VISITOR_WORDS = 'my parcel never came zq-visitor-2290';
const REPLY = 'Sorry about that, a new parcel is on its way zq-reply-6604';
// The bot's internals: a confidence and a candidate's score no customer-facing text contains.
const CONFIDENCE = 0.6171875; // exact as a float4 (real) column
const SCORE = 0.581249;
const ARTICLE = randomUUID();

/** Every file of an archive as one text: what someone searching the unzipped folder would find. */
const archiveText = async (res: Response) => {
  expect(res.status).toBe(200);
  const zip = await readZip(Buffer.from(await res.arrayBuffer()));
  return { zip, all: [...zip.values()].map((b) => b.toString()).join('\n') };
};

/** The two access copies: the visitor's own download, and the formal Art. 15 copy staff export. */
describe(`two access copies on ${dbMode}`, () => {
  let server: TestServer;
  let agent: AgentClient;
  let visitor: VisitorClient;
  let contactId: string;
  let agentEmail: string;

  beforeAll(async () => {
    server = await startTestServer();
    agent = await server.agentClient('admin');
    agentEmail = `admin1@test.example`;
    visitor = await server.visitor();
    expect((await visitor.post('/api/widget/messages', { clientId: 'copies-1', text: VISITOR_WORDS })).status).toBe(
      201,
    );
    const conversationId = (await visitor.get('/api/widget/messages')).body.conversationId as string;
    const [conversation] = await server.root.db
      .select()
      .from(conversations)
      .where(eq(conversations.id, conversationId));
    contactId = conversation!.contactId;
    // What only the company sees: a note, a timeline event (assignment), the bot's decision with its scores.
    const note = await agent.post(`/api/conversations/${conversationId}/notes`, { text: NOTE });
    expect(note.status).toBe(201);
    // A file on the note (as an integration would attach one): it goes where the note goes.
    const blob = await server.root.blobs.put(Buffer.from('scan of the courier form'), {
      messageId: note.body.message.id,
    });
    await server.root.db.insert(attachments).values({
      messageId: note.body.message.id,
      blobId: blob.id,
      filename: 'courier-form-zq-7719.pdf',
      contentType: 'application/pdf',
      size: blob.size,
    });
    expect((await agent.post(`/api/conversations/${conversationId}/assign`, { agentId: agent.agent.id })).status).toBe(
      200,
    );
    expect((await agent.post(`/api/conversations/${conversationId}/messages`, { text: REPLY })).status).toBe(201);
    const [inbound] = await server.root.db
      .select({ id: messages.id })
      .from(messages)
      .where(eq(messages.conversationId, conversationId));
    // Stored as the bot stores it: the scores sealed with the contact's data key.
    await server.root.db.insert(botDecisions).values(
      await sealedDecision(server.root.dataKeys, contactId, {
        conversationId,
        messageId: inbound!.id,
        action: 'handoff',
        reason: 'low_confidence',
        confidence: CONFIDENCE,
        candidates: [{ articleId: ARTICLE, score: SCORE }],
      }),
    );
  });
  afterAll(() => server?.stop());

  it("the visitor's copy holds what was said and their data; no notes, timeline, bot scores, agent data", async () => {
    const { zip, all } = await archiveText(
      await fetch(`${server.url}/api/widget/export`, { headers: { authorization: `Bearer ${visitor.token}` } }),
    );
    // What the customer and the company said to each other, the agent by display name only.
    expect(all).toContain(VISITOR_WORDS);
    expect(all).toContain(REPLY);
    expect(zip.get('index.html')!.toString()).toContain(agent.agent.name);
    // Nothing internal.
    expect(all).not.toContain('zq-note-5173');
    expect(all).not.toContain('zq-7719');
    expect(all).not.toContain('scan of the courier form');
    expect(all).not.toContain('Assigned to');
    expect(all).not.toContain(String(CONFIDENCE));
    expect(all).not.toContain(String(SCORE));
    expect(all).not.toContain('low_confidence');
    expect(all).not.toContain(agentEmail);
    expect(all).not.toContain(agent.agent.id);
    const data = JSON.parse(zip.get('data.json')!.toString());
    expect(data.copy).toBe('self-service');
    expect(Object.keys(data.tables)).not.toContain('bot_decisions');
    expect(data.tables.messages.map((m: { kind: string }) => m.kind)).toEqual(['message', 'message']);
    expect(data.tables.messages).toContainEqual(expect.objectContaining({ authorAgentName: agent.agent.name }));
    expect(data.tables.conversations).toEqual([expect.objectContaining({ assigneeName: agent.agent.name })]);
    // The consent history, with the notice text the visitor saw.
    expect(data.tables.consent_events).toContainEqual(
      expect.objectContaining({ purpose: 'support', granted: true, textHash: server.root.notice.textHash }),
    );
    expect(data.notices[server.root.notice.textHash]).toMatchObject({ text: server.root.notice.text });
    expect(zip.get('index.html')!.toString()).toContain(server.root.notice.text.slice(0, 60));
  });

  it("the admin's formal access copy includes the internal notes, the timeline and the bot's decisions", async () => {
    const { zip, all } = await archiveText(
      await fetch(`${server.url}/api/contacts/${contactId}/export`, { headers: { cookie: agent.cookie } }),
    );
    expect(all).toContain(VISITOR_WORDS);
    expect(all).toContain(REPLY);
    const html = zip.get('index.html')!.toString();
    expect(html).toContain('zq-note-5173');
    expect([...zip.keys()].some((name) => name.endsWith('courier-form-zq-7719.pdf'))).toBe(true);
    expect(html).toContain(`Assigned to ${agent.agent.name}`);
    const data = JSON.parse(zip.get('data.json')!.toString());
    expect(data.copy).toBe('formal');
    expect(data.tables.messages.map((m: { kind: string }) => m.kind).sort()).toEqual([
      'event',
      'message',
      'message',
      'note',
    ]);
    // Opened for the person: the scores as the bot computed them, not their sealed form.
    expect(data.tables.bot_decisions).toEqual([
      expect.objectContaining({ confidence: CONFIDENCE, candidates: [{ articleId: ARTICLE, score: SCORE }] }),
    ]);
    expect(data.tables.bot_decisions[0]).not.toHaveProperty('scores');
    expect(data.notices[server.root.notice.textHash]).toMatchObject({ text: server.root.notice.text });
  });

  it('the visitor copy needs a live token: refused once the visitor withdrew the support consent', async () => {
    const other = await server.visitor();
    await other.post('/api/widget/messages', { clientId: 'copies-2', text: 'hello' });
    expect((await other.get('/api/widget/export')).status).toBe(200);
    expect((await other.post('/api/widget/consent', { purpose: 'support', granted: false })).status).toBe(200);
    expect(await other.get('/api/widget/export')).toMatchObject({ status: 401, body: { code: 'session_ended' } });
  });
});
