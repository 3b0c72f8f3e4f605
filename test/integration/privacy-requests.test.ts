import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { requestPageClient } from '../helpers/request-page.ts';
import { type AgentClient, startTestServer, type TestServer } from '../helpers/server.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { auditLog, contactIdentities, contacts, privacyRequestCodes } from '../../drizzle/schema/index.ts';
import { addMonths } from '../../server/privacy/request-desk.ts';
import { identityRow } from '../helpers/identities.ts';
import { insertContact } from '../helpers/contacts.ts';

/** Issue 21 items 1 and 8: the request desk's lifecycle on a moved clock, and the public page's one-time codes. */
describe(`data-subject request desk (${dbMode})`, () => {
  let server: TestServer;
  let smtp: SmtpSink;
  let admin: AgentClient;
  // The server's clock: each test moves it explicitly.
  let now = new Date('2026-01-31T09:00:00Z');
  const clock = () => new Date(now);
  const DAY = 86_400_000;
  const { api, clientAddress } = requestPageClient(() => server.url, '10.0.0');

  async function customer(address: string, name: string, locale = 'en') {
    const c = await insertContact(server.root.db, { name, email: address, locale });
    await server.root.db.insert(contactIdentities).values(await identityRow(server.root.db, c!.id, 'email', address));
    return c!.id;
  }
  /** Asks for a code and reads it from the mail the person received. */
  async function codeFor(address: string, language = 'en') {
    const before = smtp.received.length;
    const sent = await api('/code', { address, language });
    expect(sent.status).toBe(202);
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail!.envelope.to).toEqual([address]);
    const code = /\b(\d{6})\b/.exec(mail!.parsed.text ?? '')![1]!;
    return { challengeId: sent.body.challengeId as string, code, mail: mail! };
  }

  beforeAll(async () => {
    [smtp, server] = await Promise.all([
      startSmtpSink(),
      startTestServer({ EMAIL_IMAP_ENABLED: 'false', TRUST_PROXY: '127.0.0.1' }, { clock }),
    ]);
    admin = await server.agentClient('admin');
    const inbox = await admin.post('/api/inboxes/email', {
      name: 'Support mail',
      settings: {
        address: 'support@shop.example',
        imap: {
          host: '127.0.0.1',
          port: 1,
          secure: false,
          user: 'x',
          password: 'unused-password',
          allowPlaintext: true,
        },
        smtp: {
          host: smtp.host,
          port: smtp.port,
          secure: false,
          user: smtp.user,
          password: smtp.password,
          allowPlaintext: true,
        },
      },
    });
    expect(inbox.status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.stop();
  });

  it('computes the deadline as one calendar month, and three after an extension', () => {
    expect(addMonths(new Date('2026-01-31T09:00:00Z'), 1).toISOString()).toBe('2026-02-28T09:00:00.000Z');
    expect(addMonths(new Date('2026-01-31T09:00:00Z'), 3).toISOString()).toBe('2026-04-30T09:00:00.000Z');
    expect(addMonths(new Date('2026-03-15T12:00:00Z'), 1).toISOString()).toBe('2026-04-15T12:00:00.000Z');
  });

  it('files a request from the public page after a mailed code, and never logs the code or the address', async () => {
    const contactId = await customer('olga.ostrowska@example.org', 'Olga Ostrowska');
    const { challengeId, code, mail } = await codeFor('olga.ostrowska@example.org', 'de');
    expect(mail.parsed.subject).toBe('Ihr Bestätigungscode');
    const verified = await api('/verify', { challengeId, code });
    expect(verified.status).toBe(200);
    const filed = await api('/', { kind: 'access' }, verified.body.token);
    expect(filed.status).toBe(201);
    expect(filed.body.dueAt).toBe('2026-02-28T09:00:00.000Z');

    const list = await admin.get('/api/privacy/requests');
    const request = list.body.items.find((r: { id: string }) => r.id === filed.body.id);
    expect(request).toMatchObject({
      contactId,
      kind: 'access',
      source: 'request_page',
      status: 'received',
      language: 'de',
      overdue: false,
      verification: { method: 'email_code', codeId: challengeId },
    });
    // The code works once.
    expect((await api('/verify', { challengeId, code })).status).toBe(400);
    const logs = server.logs();
    expect(logs).not.toContain(code);
    expect(logs).not.toContain('olga.ostrowska');
    // Only a hash of the code is stored.
    const [row] = await server.root.db
      .select()
      .from(privacyRequestCodes)
      .where(eq(privacyRequestCodes.id, challengeId));
    expect(JSON.stringify(row)).not.toContain(code);
    // Audited with ids only.
    const entries = await server.root.db.select().from(auditLog).where(eq(auditLog.targetId, filed.body.id));
    expect(entries.map((e) => e.action)).toEqual(['privacy_request.received']);
    expect(JSON.stringify(entries)).not.toContain('olga');
  });

  it('answers an unknown address exactly like a known one, and sends nothing', async () => {
    const before = smtp.received.length;
    const sent = await api('/code', { address: 'nobody.here@example.org' });
    expect(sent.status).toBe(202);
    expect(sent.body.challengeId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await api('/verify', { challengeId: sent.body.challengeId, code: '123456' })).status).toBe(400);
    expect(smtp.received.length).toBe(before);
  });

  it('lets a code expire after 15 minutes and allows five tries', async () => {
    await customer('pekka.pelto@example.org', 'Pekka Pelto');
    const first = await codeFor('pekka.pelto@example.org', 'fi');
    now = new Date(now.getTime() + 16 * 60_000);
    expect((await api('/verify', { challengeId: first.challengeId, code: first.code })).status).toBe(400);

    const second = await codeFor('pekka.pelto@example.org', 'fi');
    const wrong = second.code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++)
      expect((await api('/verify', { challengeId: second.challengeId, code: wrong })).body.code).toBe('code_invalid');
    // The right code no longer helps once the tries are used up.
    expect((await api('/verify', { challengeId: second.challengeId, code: second.code })).status).toBe(400);
  });

  it('sends at most three codes an hour to one address, however many are asked for', async () => {
    await customer('sven.sjoberg@example.org', 'Sven Sjöberg');
    const before = smtp.received.length;
    for (let i = 0; i < 3; i++) await codeFor('sven.sjoberg@example.org', 'sv');
    const fourth = await api('/code', { address: 'sven.sjoberg@example.org' });
    expect(fourth.status).toBe(202);
    // Give a fourth mail every chance to arrive: none does.
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.received.length).toBe(before + 3);
  });

  it('refuses a request without a verified session', async () => {
    expect((await api('/', { kind: 'erasure' })).status).toBe(401);
    expect((await api('/', { kind: 'erasure' }, 'made-up-token')).body.code).toBe('verification_expired');
  });

  it('lists overdue first with the figures, extends once with a reason, closes with an outcome', async () => {
    const early = await customer('anna.alt@example.org', 'Anna Alt', 'de');
    const late = await customer('bert.bauer@example.org', 'Bert Bauer');
    const t0 = new Date('2026-03-01T10:00:00Z');
    now = t0;
    const logged = await admin.post('/api/privacy/requests', {
      contactId: early,
      kind: 'erasure',
      language: 'de',
      verifiedHow: 'same_channel',
    });
    expect(logged.status).toBe(201);
    expect(logged.body.request.dueAt).toBe('2026-04-01T10:00:00.000Z');
    now = new Date(t0.getTime() + 10 * DAY);
    const second = await admin.post('/api/privacy/requests', {
      contactId: late,
      kind: 'rectification',
      fields: ['name'],
      verifiedHow: 'callback',
    });
    expect(second.status).toBe(201);

    // Extended by two months, with the reason recorded; a second extension is refused.
    const extended = await admin.post(`/api/privacy/requests/${second.body.request.id}/extend`, {
      reason: 'Records spread over three archived systems',
    });
    expect(extended.status).toBe(200);
    expect(extended.body.request).toMatchObject({
      dueAt: '2026-06-11T10:00:00.000Z',
      extensionReason: 'Records spread over three archived systems',
    });
    expect(
      (
        await admin.post(`/api/privacy/requests/${second.body.request.id}/extend`, {
          reason: 'Another long reason here',
        })
      ).body.code,
    ).toBe('already_extended');

    // Past the first one's deadline: overdue, and on top.
    now = new Date('2026-04-02T10:00:00Z');
    const list = await admin.get('/api/privacy/requests');
    const openOnes = list.body.items.filter((r: { closedAt: string | null }) => !r.closedAt);
    // Overdue ones on top (the access request filed in January is overdue too), each by its deadline.
    const overdue = openOnes.filter((r: { overdue: boolean }) => r.overdue);
    expect(openOnes.slice(0, overdue.length)).toEqual(overdue);
    expect(overdue.map((r: { id: string }) => r.id)).toContain(logged.body.request.id);
    expect(overdue.find((r: { id: string }) => r.id === logged.body.request.id)).toMatchObject({ daysLeft: -1 });
    const dues = openOnes.map((r: { dueAt: string }) => r.dueAt);
    expect(dues).toEqual([...dues].sort());
    expect(list.body.figures).toMatchObject({ overdue: overdue.length });
    const openBefore = list.body.figures.open;

    // Assigned, then closed: refused for a legal hold, told to the person in German.
    const assigned = await admin.post(`/api/privacy/requests/${logged.body.request.id}/assign`, {
      assigneeId: admin.agent.id,
    });
    expect(assigned.body.request).toMatchObject({ status: 'in_progress', assignee: { id: admin.agent.id } });
    const before = smtp.received.length;
    const closed = await admin.post(`/api/privacy/requests/${logged.body.request.id}/close`, {
      outcome: { kind: 'refused', basis: 'bookkeeping_duty' },
    });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ told: true, request: { status: 'refused', overdue: false } });
    const [told] = (await smtp.waitFor(before + 1)).slice(before);
    expect(told!.envelope.to).toEqual(['anna.alt@example.org']);
    expect(told!.parsed.subject).toBe('Ihre Datenschutzanfrage');
    expect(told!.parsed.text).toContain('Buchhaltung');
    expect(
      (
        await admin.post(`/api/privacy/requests/${logged.body.request.id}/close`, {
          outcome: { kind: 'refused', basis: 'other_legal_obligation' },
        })
      ).body.code,
    ).toBe('request_closed');

    const after = (await admin.get('/api/privacy/requests')).body.figures;
    expect(after).toMatchObject({
      open: openBefore - 1,
      overdue: list.body.figures.overdue - 1,
      medianDaysToClose: 32,
    });

    const actions = (
      await server.root.db.select().from(auditLog).where(eq(auditLog.targetId, logged.body.request.id))
    ).map((e) => e.action);
    expect(actions).toEqual([
      'privacy_request.received',
      'privacy_request.assigned',
      'privacy_request.closed',
      'privacy_request.outcome_sent',
    ]);
  });

  it('walks the request page without script: address, code, choice, confirmation in the chosen language', async () => {
    await customer('claire.chevalier@example.org', 'Claire Chevalier');
    const form = (path: string, fields: Record<string, string>) =>
      fetch(`${server.url}/privacy/request${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': clientAddress() },
        body: new URLSearchParams(fields).toString(),
      }).then(async (r) => ({ status: r.status, html: await r.text(), csp: r.headers.get('content-security-policy') }));
    const start = await fetch(`${server.url}/privacy/request?lang=fr`);
    const startHtml = await start.text();
    expect(startHtml).toContain('<html lang="fr">');
    expect(startHtml).toContain('Votre adresse e-mail');
    expect(startHtml).not.toContain('<script');
    expect(start.headers.get('content-security-policy')).toContain("script-src 'self'");

    const before = smtp.received.length;
    const step2 = await form('/code', { language: 'fr', address: 'Claire.Chevalier@example.org' });
    const challengeId = /name="challengeId" value="([^"]+)"/.exec(step2.html)![1]!;
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail!.parsed.subject).toBe('Votre code de vérification');
    const code = /\b(\d{6})\b/.exec(mail!.parsed.text ?? '')![1]!;

    const wrong = await form('/verify', { language: 'fr', challengeId, code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('Le code est faux');
    const step3 = await form('/verify', { language: 'fr', challengeId, code });
    expect(step3.status).toBe(200);
    expect(step3.html).toContain('l’effacement de vos données');
    const token = /name="token" value="([^"]+)"/.exec(step3.html)![1]!;
    const done = await form('/file', { language: 'fr', token, kind: 'erasure' });
    expect(done.status).toBe(201);
    expect(done.html).toContain('votre demande est enregistrée');
    const list = (await admin.get('/api/privacy/requests')).body.items;
    expect(
      list.some(
        (r: { kind: string; language: string; source: string }) =>
          r.kind === 'erasure' && r.language === 'fr' && r.source === 'request_page',
      ),
    ).toBe(true);
    expect(server.logs()).not.toContain(code);
    expect(server.logs()).not.toContain(token);
  });

  it('decides erasure requests: erased and told, or refused for a legal hold and told why', async () => {
    const held = await customer('greta.held@example.org', 'Greta Held');
    const free = await customer('frida.free@example.org', 'Frida Free');
    const fileErasure = async (address: string, language: string) => {
      const { challengeId, code } = await codeFor(address, language);
      const { token } = (await api('/verify', { challengeId, code })).body;
      return (await api('/', { kind: 'erasure' }, token)).body.id as string;
    };
    const heldRequest = await fileErasure('greta.held@example.org', 'sv');
    const freeRequest = await fileErasure('frida.free@example.org', 'de');
    expect(
      (await admin.post('/api/privacy/legal-holds', { contactId: held, reason: 'Pending court case 4711' })).status,
    ).toBe(201);

    let before = smtp.received.length;
    const refused = await admin.post(`/api/privacy/requests/${heldRequest}/erase`, { confirm: true });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({
      told: true,
      request: { status: 'refused', outcome: { kind: 'refused', basis: 'legal_hold' } },
    });
    let [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail!.parsed.subject).toBe('Din integritetsförfrågan');
    expect(mail!.parsed.text).toContain('rättsligt ärende');
    expect((await server.root.db.select().from(contacts).where(eq(contacts.id, held))).length).toBe(1);

    before = smtp.received.length;
    const erased = await admin.post(`/api/privacy/requests/${freeRequest}/erase`, { confirm: true });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({
      told: true,
      request: { status: 'completed', contactId: null, outcome: { kind: 'fulfilled', produced: 'erasure_receipt' } },
    });
    [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail!.envelope.to).toEqual(['frida.free@example.org']);
    expect(mail!.parsed.text).toContain('Löschung Ihrer Daten');
    expect((await server.root.db.select().from(contacts).where(eq(contacts.id, free))).length).toBe(0);
    // The request itself stays as the proof it was answered, without the person's id.
    const kept = (await admin.get('/api/privacy/requests')).body.items.find(
      (r: { id: string }) => r.id === freeRequest,
    );
    expect(kept).toMatchObject({ contactId: null, status: 'completed' });
    expect(JSON.stringify(kept)).not.toContain('frida');
  });

  it("shows who touched a person's data: actor, action and field names, never the values", async () => {
    const contactId = await customer('hanna.hook@example.org', 'Hanna Hook');
    const renamed = await admin.send('PATCH', `/api/contacts/${contactId}`, { name: 'Hanna Hook-Berg' });
    expect(renamed.status).toBe(200);
    const logged = await admin.post('/api/privacy/requests', { contactId, kind: 'access', verifiedHow: 'callback' });
    expect(logged.status).toBe(201);
    const history = await admin.get(`/api/privacy/contacts/${contactId}/audit`);
    expect(history.status).toBe(200);
    expect(history.body.items.map((e: { action: string }) => e.action)).toEqual([
      'privacy_request.received',
      'contact.rectified',
    ]);
    expect(history.body.items[1]).toMatchObject({
      actor: { kind: 'agent', id: admin.agent.id, name: admin.agent.name },
      fields: ['name'],
      targetType: 'contact',
      targetId: contactId,
    });
    expect(JSON.stringify(history.body)).not.toContain('Hook-Berg');
    const agent = await server.agentClient('agent');
    expect((await agent.get(`/api/privacy/contacts/${contactId}/audit`)).status).toBe(403);
  });

  it('limits code requests per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await api('/code', { address: `x${i}@example.org` })).status);
    expect(statuses).toContain(429);
  });

  it('keeps the desk for admins only', async () => {
    const agent = await server.agentClient('agent');
    expect((await agent.get('/api/privacy/requests')).status).toBe(403);
  });
});
