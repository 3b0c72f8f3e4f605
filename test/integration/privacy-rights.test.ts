import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvidence } from '../../server/privacy/consent-evidence.ts';
import { type Readable } from 'node:stream';
import { asc, eq, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { dbMode } from '../helpers/db.ts';
import { privacyDeps } from '../helpers/privacy-deps.ts';
import { emitWithAck, nextEvent, startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { recordingProviderSpy, seedPerson } from '../helpers/fixtures.ts';
import { readZip } from '../helpers/zip.ts';
import { openedMessages } from '../helpers/opened-messages.ts';
import { rowsOf } from '../../server/db/client.ts';
import { auditLog, messages } from '../../drizzle/schema/index.ts';
import { exportContact } from '../../server/privacy/export.ts';
import { consentHistory, currentConsent, recordConsent } from '../../server/privacy/consent.ts';
import { redactMessage } from '../../server/privacy/redact.ts';
import { rectifyContact } from '../../server/privacy/rectify.ts';
import { NOTICE_POLICY_VERSION, NOTICE_TEXT_HASH } from '../helpers/server.ts';

const person = {
  name: 'Linus Fairweather',
  email: 'linus.fw@example.org',
  phone: '+15550104477',
  marker: 'zq-linus-5520',
};
const bytesOf = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** Export, consent, redaction and rectification as operations: a real database and their declared deps, no HTTP. */
describe(`privacy rights on ${dbMode}: export, consent, redaction, rectification`, () => {
  let harness: Awaited<ReturnType<typeof privacyDeps>>;
  let agent: { id: string; name: string };
  let seeded: Awaited<ReturnType<typeof seedPerson>>;

  beforeAll(async () => {
    harness = await privacyDeps({ recordingProviders: new Map([['test-provider', recordingProviderSpy()]]) });
    agent = await harness.agent('agent');
    seeded = await seedPerson(harness.deps, person);
    // An agent's reply quoting the person, with markup that the readable export must escape.
    await harness.deps.db.insert(messages).values({
      conversationId: seeded.emailConversationId,
      channel: 'email',
      direction: 'outbound',
      kind: 'message',
      authorKind: 'agent',
      authorAgentId: agent.id,
      body: `Thanks ${person.name}, <b>we are on it</b>.`,
      deliveryState: 'sent',
    });
  });
  afterAll(() => harness?.close());

  const auditText = async () => JSON.stringify(await harness.deps.db.select().from(auditLog));

  describe('export (Art. 15/20)', () => {
    it('streams one zip: data.json, index.html, README and the files, with progress and an audit entry', async () => {
      const progress: Array<{ done: number; total: number }> = [];
      const { stream, filename } = await exportContact(
        harness.deps,
        seeded.contactId,
        { kind: 'agent', id: agent.id },
        (done, total) => progress.push({ done, total }),
      );
      expect(filename).toBe(`contact-${seeded.contactId}.zip`);
      const zip = await readZip(await bytesOf(stream));

      const tables = JSON.parse(zip.get('data.json')!.toString()).tables;
      expect([...zip.keys()].sort()).toEqual(
        [
          'README.txt',
          'data.json',
          `files/attachments/${tables.attachments[0].id}-invoice-${person.marker}.pdf`,
          `files/recordings/${tables.recordings[0].id}.audio`,
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
      expect(progress.at(-1)!.done).toBe(progress.at(-1)!.total);
      await new Promise((r) => setTimeout(r, 100));
      const [entry] = await harness.deps.db.select().from(auditLog).where(eq(auditLog.action, 'contact.exported'));
      expect(entry).toMatchObject({ actorId: agent.id, targetId: seeded.contactId });
    });
  });

  describe('consent ledger', () => {
    it('records consent given elsewhere, with evidence; dashboards hear after commit', async () => {
      const { deps } = harness;
      const record = (granted: boolean, sourceChannel: 'email' | 'sms', statement: string) =>
        recordConsent(deps, {
          contactId: seeded.contactId,
          purpose: 'analytics',
          granted,
          policyVersion: NOTICE_POLICY_VERSION,
          textHash: NOTICE_TEXT_HASH,
          sourceChannel,
          evidence: { recordedBy: 'agent', statement },
          recordedByAgentId: agent.id,
          actor: { kind: 'agent', id: agent.id },
        });
      const publishedBefore = harness.published.filter((p) => p.name === 'consent.changed').length;
      await record(true, 'email', 'Customer agreed in the email of 2026-11-20 (message <abc@example.org>)');
      expect(await currentConsent(deps.db, seeded.contactId)).toEqual([
        expect.objectContaining({ purpose: 'analytics', granted: true, sourceChannel: 'email' }),
      ]);
      await record(false, 'sms', 'Texted STOP ANALYTICS');
      const history = await consentHistory(deps, seeded.contactId);
      expect(history.map((e) => e.granted)).toEqual([true, false]);
      expect(history[0]).toMatchObject({
        recordedBy: { id: agent.id },
        evidence: { statement: expect.stringContaining('2026-11-20') },
      });
      expect((await currentConsent(deps.db, seeded.contactId))[0]).toMatchObject({
        purpose: 'analytics',
        granted: false,
      });
      expect(harness.published.filter((p) => p.name === 'consent.changed').slice(publishedBefore)).toEqual([
        { name: 'consent.changed', event: { purpose: 'analytics' } },
        { name: 'consent.changed', event: { purpose: 'analytics' } },
      ]);
    });
  });

  describe('redaction', () => {
    it('replaces the span for good, in the HTML copy too, marks the timeline; no text in audit', async () => {
      const { db, dataKeys } = harness.deps;
      const secret = `${person.marker}-body-one`;
      // Stored text is sealed (issue 22): rows are opened before their words are looked at.
      const conversation = () => openedMessages(db, dataKeys, eq(messages.conversationId, seeded.emailConversationId));
      const target = (await conversation()).find((m) => m.body.includes(secret));
      const start = target!.body.indexOf(secret);
      const redacted = await redactMessage(harness.deps, target!.id, { start, end: start + secret.length }, agent);
      expect(redacted.body).toBe(target!.body.replace(secret, '[redacted]'));
      expect(redacted.redactions).toEqual([
        { start, end: start + '[redacted]'.length, by: agent.id, at: expect.any(String) },
      ]);
      const [row] = await openedMessages(db, dataKeys, eq(messages.id, target!.id));
      expect(row!.html).not.toContain(secret);
      expect(row!.html).toContain('[redacted]');
      const timeline = (await conversation()).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
      expect(timeline.at(-1)).toMatchObject({
        kind: 'event',
        body: `${agent.name} redacted ${secret.length} characters of a message`,
      });
      const all = rowsOf<{ n: number }>(
        await db.execute(
          sql`select count(*)::int as n from messages where body like ${`%${secret}%`} or html like ${`%${secret}%`}`,
        ),
      );
      expect(all[0]!.n).toBe(0);
      const opened = await openedMessages(db, dataKeys);
      expect(opened.filter((m) => `${m.body} ${m.html ?? ''}`.includes(secret))).toEqual([]);
      expect(await auditText()).not.toContain(secret);
      expect(await auditText()).toContain('message.redacted');
      expect(harness.published.map((p) => p.name)).toEqual(
        expect.arrayContaining(['message.updated', 'message.created']),
      );
    });

    it('refuses a span outside the message', async () => {
      const { db } = harness.deps;
      const [target] = await db
        .select()
        .from(messages)
        .where(eq(messages.conversationId, seeded.emailConversationId))
        .orderBy(asc(messages.createdAt))
        .limit(1);
      const redact = (id: string, start: number, end: number) =>
        redactMessage(harness.deps, id, { start, end }, agent).catch((e) => e);
      expect(await redact(target!.id, 5, 5)).toMatchObject({ statusCode: 400 });
      expect(await redact(target!.id, 0, target!.body.length + 1)).toMatchObject({ statusCode: 400 });
      expect(await redact(randomUUID(), 0, 1)).toMatchObject({ statusCode: 404 });
    });
  });

  describe('rectification', () => {
    it('updates contact fields and audits the field names, never the values', async () => {
      const { db } = harness.deps;
      const contact = await rectifyContact(
        harness.deps,
        seeded.contactId,
        { name: 'Linus F. Weather', phone: '+442079460000' },
        agent.id,
      );
      expect(contact).toMatchObject({ name: 'Linus F. Weather', phone: '+442079460000', email: person.email });
      const [entry] = await db.select().from(auditLog).where(eq(auditLog.action, 'contact.rectified'));
      expect(entry!.details).toEqual({ fields: ['name', 'phone'] });
      const text = await auditText();
      expect(text).not.toContain('Linus F. Weather');
      expect(text).not.toContain('+442079460000');
      // After commit, agents' screens hear of it through the inboxes of the contact's conversations.
      const [announced] = harness.published.filter((p) => p.name === 'contact.rectified');
      expect(announced!.event).toEqual({
        contact: { id: seeded.contactId, name: 'Linus F. Weather', email: person.email, phone: '+442079460000' },
        inboxIds: expect.arrayContaining([expect.any(String)]),
      });
      expect((announced!.event as { inboxIds: string[] }).inboxIds).toHaveLength(2);
    });
  });

  it('no audit entry ever holds personal data', async () => {
    const text = await auditText();
    for (const needle of [person.name, person.email, person.phone, person.marker])
      expect(text.includes(needle), needle).toBe(false);
  });
});

/** The HTTP side: the streamed download with socket progress, the widget's own export and consent, statuses. */
describe(`privacy rights API on ${dbMode}`, () => {
  let server: TestServer;
  let agent: AgentClient;
  let seeded: Awaited<ReturnType<typeof seedPerson>>;

  beforeAll(async () => {
    server = await startTestServer();
    server.root.recordingProviders.set('test-provider', recordingProviderSpy());
    agent = await server.agentClient('agent');
    seeded = await seedPerson(server.root, person);
  });
  afterAll(() => server.stop());

  it('streams the export as a zip download, with progress on the agent socket and an audit entry', async () => {
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
    expect(JSON.parse(zip.get('data.json')!.toString())).toMatchObject({ subject: { contactId: seeded.contactId } });
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatchObject({ finished: true });
    expect(progress.at(-1)!.done).toBe(progress.at(-1)!.total);
    await new Promise((r) => setTimeout(r, 100));
    const [entry] = await server.root.db.select().from(auditLog).where(eq(auditLog.action, 'contact.exported'));
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

  it('an agent records consent given on another channel, with evidence; the history shows every event', async () => {
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
    const events = rowsOf<{ id: string; granted: boolean; evidence: Record<string, string> }>(
      await server.root.db.execute(
        sql`select id, granted, evidence from consent_events where purpose = 'analytics' order by occurred_at`,
      ),
    );
    const evidence = await openEvidence(server.root.dataKeys, events);
    expect(events.filter((_, i) => evidence[i]!.visitorId === visitor.visitorId).map((e) => e.granted)).toEqual([
      true,
      false,
    ]);
  });

  it('withdrawing the support consent ends the session at once: socket cut, token refused', async () => {
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

  it('redaction over HTTP: 200 with the message; a span outside it 400, an unknown message 404', async () => {
    const detail = await agent.get(`/api/conversations/${seeded.emailConversationId}`);
    const secret = `${person.marker}-body-one`;
    const target = detail.body.messages.find((m: { body: string }) => m.body.includes(secret));
    const start = target.body.indexOf(secret);
    const res = await agent.post(`/api/messages/${target.id}/redact`, { start, end: start + secret.length });
    expect(res.status).toBe(200);
    expect(res.body.message.body).toBe(target.body.replace(secret, '[redacted]'));
    expect((await agent.post(`/api/messages/${target.id}/redact`, { start: 5, end: 5 })).status).toBe(400);
    expect(
      (await agent.post(`/api/messages/${target.id}/redact`, { start: 0, end: target.body.length + 1 })).status,
    ).toBe(400);
    expect((await agent.post(`/api/messages/${randomUUID()}/redact`, { start: 0, end: 1 })).status).toBe(404);
  });

  it('rectification over HTTP: 200 with the contact; an empty patch 400', async () => {
    const res = await agent.send('PATCH', `/api/contacts/${seeded.contactId}`, {
      name: 'Linus F. Weather',
      phone: '0044 20 7946 0000',
    });
    expect(res.status).toBe(200);
    // Stored in E.164 whatever the agent typed.
    expect(res.body).toMatchObject({ name: 'Linus F. Weather', phone: '+442079460000', email: person.email });
    expect((await agent.send('PATCH', `/api/contacts/${seeded.contactId}`, {})).status).toBe(400);
  });

  it('rectification refuses a phone number that names no real number, with a clear 400', async () => {
    for (const phone of ['12345', '+1 555 010 0000', '+44 12']) {
      const res = await agent.send('PATCH', `/api/contacts/${seeded.contactId}`, { phone });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid_phone');
      expect(res.body.message).toContain('country code');
    }
    const after = await agent.get(`/api/contacts/${seeded.contactId}`);
    expect(after.body.phone).toBe('+442079460000');
    // An empty value clears the number.
    const cleared = await agent.send('PATCH', `/api/contacts/${seeded.contactId}`, { phone: '' });
    expect(cleared.status).toBe(200);
    expect(cleared.body.phone).toBeNull();
  });
});
