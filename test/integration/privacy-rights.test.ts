import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { dbMode } from '../helpers/db.ts';
import { emitWithAck, nextEvent, startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { recordingProviderSpy, seedPerson } from '../helpers/fixtures.ts';
import { readZip } from '../helpers/zip.ts';
import { rowsOf } from '../../server/db/client.ts';
import { auditLog, messages } from '../../drizzle/schema/index.ts';

const person = {
  name: 'Linus Fairweather',
  email: 'linus.fw@example.org',
  phone: '+15550104477',
  marker: 'zq-linus-5520',
};

describe(`privacy rights on ${dbMode}: export, consent, redaction, rectification`, () => {
  let server: TestServer;
  let agent: AgentClient;
  let seeded: Awaited<ReturnType<typeof seedPerson>>;

  beforeAll(async () => {
    server = await startTestServer();
    server.services.recordingProviders.set('test-provider', recordingProviderSpy());
    agent = await server.agentClient('agent');
    seeded = await seedPerson(server.services, person);
    await agent.post(`/api/conversations/${seeded.emailConversationId}/messages`, {
      text: `Thanks ${person.name}, <b>we are on it</b>.`,
    });
  });
  afterAll(() => server.stop());

  const auditText = async () => JSON.stringify(await server.services.db.select().from(auditLog));

  describe('export (Art. 15/20)', () => {
    it('streams one zip with data.json, a readable index.html, README and the files, with progress and an audit entry', async () => {
      const socket = await agent.socket();
      const jobId = randomUUID();
      const progress: Array<{ done: number; total: number; finished: boolean }> = [];
      socket.on('privacy:progress', (p) => p.jobId === jobId && progress.push(p));
      const finished = nextEvent(socket, 'privacy:progress', (p) => p.jobId === jobId && p.finished);
      const res = await fetch(`${server.url}/api/contacts/${seeded.contactId}/export?progress=${jobId}`, {
        headers: { cookie: agent.cookie },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/zip');
      expect(res.headers.get('content-disposition')).toContain(`contact-${seeded.contactId}.zip`);
      const zip = await readZip(Buffer.from(await res.arrayBuffer()));
      await finished;
      socket.close();

      expect([...zip.keys()].sort()).toEqual(
        [
          'README.txt',
          'data.json',
          `files/attachments/${JSON.parse(zip.get('data.json')!.toString()).tables.attachments[0].id}-invoice-${person.marker}.pdf`,
          `files/recordings/${JSON.parse(zip.get('data.json')!.toString()).tables.recordings[0].id}.audio`,
          'index.html',
        ].sort(),
      );
      const data = JSON.parse(zip.get('data.json')!.toString());
      expect(data).toMatchObject({
        format: 'privacy-inbox/contact-export',
        version: 1,
        subject: { contactId: seeded.contactId },
      });
      expect(data.tables.contacts).toEqual([
        expect.objectContaining({ id: seeded.contactId, name: person.name, email: person.email }),
      ]);
      expect(data.tables.contact_identities.map((i: { address: string }) => i.address).sort()).toEqual(
        [person.phone, person.email].sort(),
      );
      const bodies = data.tables.messages.map((m: { body: string }) => m.body);
      expect(bodies.some((b: string) => b.includes(`${person.marker}-body-one`))).toBe(true);
      expect(bodies.some((b: string) => b.includes(`${person.marker}-body-two`))).toBe(true);
      expect(data.catalog.messages.columns.body).toMatchObject({ personal: true, category: 'message_content' });
      expect(
        zip.get(`files/attachments/${data.tables.attachments[0].id}-invoice-${person.marker}.pdf`)!.toString(),
      ).toContain(`${person.marker}-file-content`);

      const html = zip.get('index.html')!.toString();
      expect(html).toContain(`${person.marker}-body-one`);
      expect(html).toContain('Thanks Linus Fairweather, &lt;b&gt;we are on it&lt;/b&gt;.');
      expect(html).not.toContain('<b>we are on it</b>');

      expect(progress.length).toBeGreaterThan(1);
      expect(progress.at(-1)).toMatchObject({ finished: true });
      expect(progress.at(-1)!.done).toBe(progress.at(-1)!.total);
      await new Promise((r) => setTimeout(r, 100));
      const [entry] = await server.services.db.select().from(auditLog).where(eq(auditLog.action, 'contact.exported'));
      expect(entry).toMatchObject({ actorId: agent.agent.id, targetId: seeded.contactId });
    });

    it('a visitor downloads their own data from the widget, and only their own', async () => {
      const visitor = await server.visitor();
      await visitor.post('/api/widget/messages', { clientId: 'export-client-1', text: 'my own words zq-visitor-88' });
      const res = await fetch(`${server.url}/api/widget/export`, {
        headers: { authorization: `Bearer ${visitor.token}` },
      });
      expect(res.status).toBe(200);
      const zip = await readZip(Buffer.from(await res.arrayBuffer()));
      const data = zip.get('data.json')!.toString();
      expect(data).toContain('zq-visitor-88');
      expect(data).not.toContain(person.marker);
    });
  });

  describe('consent ledger', () => {
    it('an agent records consent given on another channel, with evidence, and the history shows every event', async () => {
      const res = await agent.post(`/api/contacts/${seeded.contactId}/consent`, {
        purpose: 'analytics',
        granted: true,
        sourceChannel: 'email',
        evidence: 'Customer agreed in the email of 2026-11-20 (message <abc@example.org>)',
      });
      expect(res.status).toBe(201);
      expect(res.body.current).toEqual([
        expect.objectContaining({ purpose: 'analytics', granted: true, sourceChannel: 'email' }),
      ]);
      await agent.post(`/api/contacts/${seeded.contactId}/consent`, {
        purpose: 'analytics',
        granted: false,
        sourceChannel: 'sms',
        evidence: 'Texted STOP ANALYTICS',
      });
      const ledger = await agent.get(`/api/contacts/${seeded.contactId}/consent`);
      expect(ledger.body.history.map((e: { granted: boolean }) => e.granted)).toEqual([true, false]);
      expect(ledger.body.history[0]).toMatchObject({
        recordedBy: { id: agent.agent.id },
        evidence: { statement: expect.stringContaining('2026-11-20') },
      });
      expect(ledger.body.current[0]).toMatchObject({ purpose: 'analytics', granted: false });
      expect(
        (
          await agent.post(`/api/contacts/${seeded.contactId}/consent`, {
            purpose: 'analytics',
            granted: true,
            sourceChannel: 'email',
            evidence: '',
          })
        ).status,
      ).toBe(400);
    });

    it('the ledger is append-only: withdrawing adds an event, it never edits one', async () => {
      const visitor = await server.visitor(true);
      const before = await visitor.get('/api/widget/consent');
      expect(before.body.purposes.find((p: { purpose: string }) => p.purpose === 'analytics')).toMatchObject({
        granted: true,
        required: false,
      });
      const after = await visitor.post('/api/widget/consent', { purpose: 'analytics', granted: false });
      expect(after.status).toBe(200);
      expect(after.body.purposes.find((p: { purpose: string }) => p.purpose === 'analytics').granted).toBe(false);
      const events = rowsOf<{ granted: boolean }>(
        await server.services.db.execute(
          sql`select granted from consent_events where evidence->>'visitorId' = ${visitor.visitorId} and purpose = 'analytics' order by occurred_at`,
        ),
      );
      expect(events.map((e) => e.granted)).toEqual([true, false]);
    });

    it('withdrawing the support consent ends the session at once: the socket is cut and the token stops working', async () => {
      const visitor = await server.visitor();
      const socket = await visitor.socket();
      await emitWithAck(socket, 'message:send', { clientId: 'before-end-1', text: 'hello' });
      const disconnected = new Promise((resolve) => socket.on('disconnect', resolve));
      expect((await visitor.post('/api/widget/consent', { purpose: 'support', granted: false })).status).toBe(200);
      await disconnected;
      const res = await visitor.post('/api/widget/messages', { clientId: 'after-end-1', text: 'still here?' });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('session_ended');
      await expect(visitor.socket()).rejects.toThrow(/session_ended/);
    });
  });

  describe('redaction', () => {
    it('replaces the span irreversibly, also in the HTML copy, leaves a timeline marker, and the audit holds no text', async () => {
      const detail = await agent.get(`/api/conversations/${seeded.emailConversationId}`);
      const target = detail.body.messages.find((m: { body: string }) => m.body.includes(`${person.marker}-body-one`));
      const secret = `${person.marker}-body-one`;
      const start = target.body.indexOf(secret);
      const res = await agent.post(`/api/messages/${target.id}/redact`, { start, end: start + secret.length });
      expect(res.status).toBe(200);
      expect(res.body.message.body).toBe(target.body.replace(secret, '[redacted]'));
      expect(res.body.message.redactions).toEqual([
        { start, end: start + '[redacted]'.length, by: agent.agent.id, at: expect.any(String) },
      ]);
      const [row] = await server.services.db.select().from(messages).where(eq(messages.id, target.id));
      expect(row!.html).not.toContain(secret);
      expect(row!.html).toContain('[redacted]');
      const after = await agent.get(`/api/conversations/${seeded.emailConversationId}`);
      expect(after.body.messages.at(-1)).toMatchObject({
        kind: 'event',
        body: `${agent.agent.name} redacted ${secret.length} characters of a message`,
      });
      const all = rowsOf<{ n: number }>(
        await server.services.db.execute(
          sql`select count(*)::int as n from messages where body like ${`%${secret}%`} or html like ${`%${secret}%`}`,
        ),
      );
      expect(all[0]!.n).toBe(0);
      expect(await auditText()).not.toContain(secret);
      expect(await auditText()).toContain('message.redacted');
    });

    it('refuses a span outside the message', async () => {
      const detail = await agent.get(`/api/conversations/${seeded.emailConversationId}`);
      const target = detail.body.messages[0];
      expect((await agent.post(`/api/messages/${target.id}/redact`, { start: 5, end: 5 })).status).toBe(400);
      expect(
        (await agent.post(`/api/messages/${target.id}/redact`, { start: 0, end: target.body.length + 1 })).status,
      ).toBe(400);
      expect((await agent.post(`/api/messages/${randomUUID()}/redact`, { start: 0, end: 1 })).status).toBe(404);
    });
  });

  describe('rectification', () => {
    it('updates contact fields and audits the field names, never the values', async () => {
      const res = await agent.send('PATCH', `/api/contacts/${seeded.contactId}`, {
        name: 'Linus F. Weather',
        phone: '+15550100000',
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'Linus F. Weather', phone: '+15550100000', email: person.email });
      const [entry] = await server.services.db.select().from(auditLog).where(eq(auditLog.action, 'contact.rectified'));
      expect(entry!.details).toEqual({ fields: ['name', 'phone'] });
      const text = await auditText();
      expect(text).not.toContain('Linus F. Weather');
      expect(text).not.toContain('+15550100000');
      expect((await agent.send('PATCH', `/api/contacts/${seeded.contactId}`, {})).status).toBe(400);
    });
  });

  it('no audit entry ever holds personal data', async () => {
    const text = await auditText();
    for (const needle of [person.name, person.email, person.phone, person.marker])
      expect(text.includes(needle), needle).toBe(false);
  });
});
