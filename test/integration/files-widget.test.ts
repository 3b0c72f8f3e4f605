import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestServer, type AgentClient, type TestServer, type VisitorClient } from '../helpers/server.ts';
import { dbMode } from '../helpers/db.ts';
import { base64, linuxProgram, pdf, png, windowsProgram } from '../helpers/files.ts';
import { attachments, messages } from '../../drizzle/schema/index.ts';

/**
 * Issue 17 item 3, files both ways on the chat: the visitor sends files from the widget (checked by their bytes,
 * limits from UPLOAD_*), the agent sees them and answers with files, the visitor sees those through signed links
 * that expire.
 */
describe(`files in the chat, on ${dbMode}`, () => {
  let server: TestServer;
  let agent: AgentClient;
  let visitor: VisitorClient;
  let conversationId: string;
  const photo = png(40, 30, [200, 40, 40]);

  beforeAll(async () => {
    server = await startTestServer({ UPLOAD_MAX_BYTES: String(64 * 1024), UPLOAD_MAX_FILES: '3' });
    agent = await server.agentClient('agent');
    visitor = await server.visitor();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const clientId = () => `c${Math.random().toString(36).slice(2, 12)}`;
  const fetchBytes = async (path: string) => {
    const res = await fetch(`${server.url}${path}`);
    return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
  };

  it('the visitor sends a photo with text; the agent sees it, named and typed by its bytes', async () => {
    const res = await visitor.post('/api/widget/files', {
      clientId: clientId(),
      text: 'This is what arrived',
      // The declared name says PDF; the bytes are a PNG, and the bytes decide.
      files: [{ name: 'C:\\Users\\me\\broken-lamp.pdf', data: base64(photo) }],
    });
    expect(res.status).toBe(201);
    expect(res.body.message.body).toBe('This is what arrived');
    const [file] = res.body.message.attachments;
    expect(file).toMatchObject({ filename: 'broken-lamp.pdf', contentType: 'image/png', size: photo.length });
    expect(file.url).toMatch(/^\/api\/files\/[0-9a-f-]{36}\.\d+\.[\w-]+\.[\w-]+\/broken-lamp\.pdf$/);

    const list = await agent.get('/api/conversations');
    conversationId = list.body.items[0].id;
    const detail = await agent.get(`/api/conversations/${conversationId}`);
    const inbound = detail.body.messages.find((m: { body: string }) => m.body === 'This is what arrived');
    expect(inbound.attachments).toEqual([
      { id: file.id, filename: 'broken-lamp.pdf', contentType: 'image/png', size: photo.length },
    ]);
    const download = await fetch(`${server.url}/api/attachments/${file.id}`, { headers: { cookie: agent.cookie } });
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await download.arrayBuffer()).equals(photo)).toBe(true);
  });

  it('a photo alone (no text) is a message too; the widget history shows it with a working link', async () => {
    const res = await visitor.post('/api/widget/files', {
      clientId: clientId(),
      text: '',
      files: [{ name: 'second.png', data: base64(photo) }],
    });
    expect(res.status).toBe(201);
    const history = await visitor.get('/api/widget/messages');
    const shown = history.body.messages.find((m: { attachments?: unknown[] }) => m.attachments?.length);
    const link = await fetchBytes(shown.attachments[0].url);
    expect(link).toMatchObject({ status: 200, type: 'image/png' });
    expect(link.body.equals(photo)).toBe(true);
  });

  it('refuses programs by their bytes whatever their name, too large and too many files; stores nothing', async () => {
    const before = (await server.root.db.select().from(attachments)).length;
    const messagesBefore = (await server.root.db.select().from(messages)).length;
    const exe = await visitor.post('/api/widget/files', {
      clientId: clientId(),
      text: 'my invoice',
      files: [{ name: 'invoice.pdf', data: base64(windowsProgram()) }],
    });
    expect(exe.status).toBe(415);
    expect(exe.body).toMatchObject({ code: 'executable_file' });
    expect(exe.body.message).toContain('invoice.pdf');
    const elf = await agent.post(`/api/conversations/${conversationId}/files`, {
      text: 'tool',
      files: [{ name: 'photo.jpg', data: base64(linuxProgram()) }],
    });
    expect(elf.status).toBe(415);
    const script = await visitor.post('/api/widget/files', {
      clientId: clientId(),
      text: 'x',
      files: [{ name: 'readme.txt', data: base64(Buffer.from('#!/bin/sh\necho hi\n')) }],
    });
    expect(script.status).toBe(415);
    const big = await visitor.post('/api/widget/files', {
      clientId: clientId(),
      text: 'x',
      files: [{ name: 'big.png', data: base64(Buffer.concat([photo, Buffer.alloc(64 * 1024)])) }],
    });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ code: 'file_too_large', message: 'big.png is larger than the 64 KB limit' });
    const many = await visitor.post('/api/widget/files', {
      clientId: clientId(),
      text: 'x',
      files: Array.from({ length: 4 }, (_, i) => ({ name: `p${i}.png`, data: base64(photo) })),
    });
    expect(many.status).toBe(413);
    expect(many.body.code).toBe('too_many_files');
    expect((await server.root.db.select().from(attachments)).length).toBe(before);
    expect((await server.root.db.select().from(messages)).length).toBe(messagesBefore);
  });

  it('the agent answers with a PDF; the visitor gets it live and in the history through a signed link', async () => {
    const socket = await visitor.socket();
    const live = new Promise<{ message: { attachments: Array<{ url: string; filename: string }> } }>((resolve) =>
      socket.on(
        'message:created',
        (p: { message: { from: string } }) => p.message.from === 'agent' && resolve(p as never),
      ),
    );
    const leaflet = pdf('Return label 4711');
    const res = await agent.post(`/api/conversations/${conversationId}/files`, {
      text: 'Here is your return label',
      files: [{ name: 'return-label.pdf', data: base64(leaflet) }],
    });
    expect(res.status).toBe(201);
    expect(res.body.message).toMatchObject({ deliveryState: 'sent', body: 'Here is your return label' });
    expect(res.body.message.attachments).toMatchObject([
      { filename: 'return-label.pdf', contentType: 'application/pdf' },
    ]);
    const event = await live;
    socket.disconnect();
    expect(event.message.attachments[0]!.filename).toBe('return-label.pdf');
    const got = await fetchBytes(event.message.attachments[0]!.url);
    // Served as an inert download, never as a document the browser renders.
    expect(got).toMatchObject({ status: 200, type: 'application/octet-stream' });
    expect(got.body.equals(leaflet)).toBe(true);

    const note = await agent.post(`/api/conversations/${conversationId}/files`, {
      text: 'internal copy',
      kind: 'note',
      files: [{ name: 'label-copy.pdf', data: base64(leaflet) }],
    });
    expect(note.status).toBe(201);
    expect(note.body.message.kind).toBe('note');
    const history = await visitor.get('/api/widget/messages');
    const names = history.body.messages.flatMap((m: { attachments?: Array<{ filename: string }> }) =>
      (m.attachments ?? []).map((a) => a.filename),
    );
    // The note's file never reaches the visitor.
    expect(names).toEqual(['broken-lamp.pdf', 'second.png', 'return-label.pdf']);
  });

  it('a link answers 410 once expired and 404 when forged, tampered or its file is gone', async () => {
    const [row] = await server.root.db.select().from(attachments).where(eq(attachments.filename, 'second.png'));
    const old = server.root.fileLinks.path(row!.id, row!.filename, new Date(Date.now() - 8 * 24 * 3600 * 1000));
    expect((await fetchBytes(old)).status).toBe(410);
    const fresh = server.root.fileLinks.path(row!.id, row!.filename);
    expect((await fetchBytes(fresh)).status).toBe(200);
    const [, , , token, name] = fresh.split('/');
    const [id, expires, keyId, mac] = token!.split('.');
    const later = `/api/files/${id}.${Number(expires) + 3600}.${keyId}.${mac}/${name}`;
    expect((await fetchBytes(later)).status).toBe(404);
    const other = `/api/files/${crypto.randomUUID()}.${expires}.${keyId}.${mac}/${name}`;
    expect((await fetchBytes(other)).status).toBe(404);
    await server.root.db.delete(attachments).where(eq(attachments.id, row!.id));
    expect((await fetchBytes(fresh)).status).toBe(404);
  });
});
