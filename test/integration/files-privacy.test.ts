import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { startTestServer, type AgentClient, type TestServer, type VisitorClient } from '../helpers/server.ts';
import { dbMode } from '../helpers/db.ts';
import { base64, pdf, png } from '../helpers/files.ts';
import { readZip } from '../helpers/zip.ts';
import { attachments } from '../../drizzle/schema/index.ts';
import { setPolicy, sweepRetention } from '../../server/privacy/retention.ts';

/**
 * Issue 17 item 3: files sent from the widget and the composer are stored, exported, erased and retained like every
 * other attachment (the attachment table and the blob store): they are in the person's export, gone from the disk
 * after their erasure, and gone after the attachments retention period.
 */
describe(`uploaded files under the privacy rules, on ${dbMode}`, () => {
  let server: TestServer;
  let agent: AgentClient;
  let admin: AgentClient;

  beforeAll(async () => {
    server = await startTestServer();
    agent = await server.agentClient('agent');
    admin = await server.agentClient('admin');
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** A visitor who sent a photo, and the agent's PDF in answer: their contact, conversation and attachment rows. */
  const conversationWithFiles = async (visitor: VisitorClient, marker: string) => {
    const photo = png(8, 8, [1, 2, 3]);
    const sent = await visitor.post('/api/widget/files', {
      clientId: `client-${marker}`,
      text: `photo ${marker}`,
      files: [{ name: `photo-${marker}.png`, data: base64(photo) }],
    });
    expect(sent.status).toBe(201);
    const list = await agent.get('/api/conversations');
    const conversation = list.body.items.find((c: { lastMessagePreview: string }) =>
      c.lastMessagePreview?.includes(marker),
    );
    const answer = await agent.post(`/api/conversations/${conversation.id}/files`, {
      text: `label ${marker}`,
      files: [{ name: `label-${marker}.pdf`, data: base64(pdf(marker)) }],
    });
    expect(answer.status).toBe(201);
    const rows = await server.root.db
      .select()
      .from(attachments)
      .where(inArray(attachments.id, [sent.body.message.attachments[0].id, answer.body.message.attachments[0].id]));
    expect(rows).toHaveLength(2);
    return { contactId: conversation.contact.id as string, conversationId: conversation.id as string, rows, photo };
  };

  it('the person’s export holds both files, the one they sent and the one they received', async () => {
    const visitor = await server.visitor();
    const { contactId, rows, photo } = await conversationWithFiles(visitor, 'exp1');
    const res = await fetch(`${server.url}/api/contacts/${contactId}/export`, { headers: { cookie: agent.cookie } });
    expect(res.status).toBe(200);
    const zip = await readZip(Buffer.from(await res.arrayBuffer()));
    const photoRow = rows.find((r) => r.filename === 'photo-exp1.png')!;
    const labelRow = rows.find((r) => r.filename === 'label-exp1.pdf')!;
    expect(zip.get(`files/attachments/${photoRow.id}-photo-exp1.png`)!.equals(photo)).toBe(true);
    expect(zip.get(`files/attachments/${labelRow.id}-label-exp1.pdf`)!.toString('latin1')).toContain('exp1');
    // The visitor's own copy from the widget has them too.
    const own = await fetch(`${server.url}/api/widget/export`, {
      headers: { authorization: `Bearer ${visitor.token}` },
    });
    const ownZip = await readZip(Buffer.from(await own.arrayBuffer()));
    expect(ownZip.get(`files/attachments/${photoRow.id}-photo-exp1.png`)!.equals(photo)).toBe(true);
  });

  it('erasure removes the files from the database and the disk, and their links stop working', async () => {
    const visitor = await server.visitor();
    const { contactId, rows } = await conversationWithFiles(visitor, 'era1');
    const link = server.root.fileLinks.path(rows[0]!.id, rows[0]!.filename);
    expect((await fetch(`${server.url}${link}`)).status).toBe(200);
    const erased = await admin.post(`/api/contacts/${contactId}/erase`, { confirm: true });
    expect(erased.status).toBe(200);
    expect(
      await server.root.db
        .select()
        .from(attachments)
        .where(
          inArray(
            attachments.id,
            rows.map((r) => r.id),
          ),
        ),
    ).toEqual([]);
    const blobs = await server.root.blobs.list();
    for (const row of rows) {
      expect(blobs).not.toContain(row.blobId);
      expect(await server.root.blobs.size(row.blobId)).toBeNull();
    }
    expect((await fetch(`${server.url}${link}`)).status).toBe(404);
  });

  it('the attachments retention period removes them like any other file', async () => {
    const visitor = await server.visitor();
    const { rows } = await conversationWithFiles(visitor, 'ret1');
    await setPolicy(server.root.db, 'attachments', { enabled: true, retainDays: 30 }, admin.agent.id);
    const old = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    await server.root.db
      .update(attachments)
      .set({ createdAt: old })
      .where(
        inArray(
          attachments.id,
          rows.map((r) => r.id),
        ),
      );
    const result = await sweepRetention(server.root);
    expect(result.removed.attachments).toBeGreaterThanOrEqual(2);
    for (const row of rows) {
      expect(await server.root.db.select().from(attachments).where(eq(attachments.id, row.id))).toEqual([]);
      expect(await server.root.blobs.size(row.blobId)).toBeNull();
    }
  });
});
