import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Socket } from 'socket.io-client';
import { dbMode } from '../helpers/db.ts';
import { type AgentClient, nextEvent, startTestServer, type TestServer } from '../helpers/server.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { readZip } from '../helpers/zip.ts';
import {
  auditLog,
  contactIdentities,
  contacts,
  privacyDownloadLinks,
  privacyPendingChanges,
} from '../../drizzle/schema/index.ts';
import { identityRow } from '../helpers/identities.ts';
import { openContact } from '../../server/domain/contact-fields.ts';
import { identityKeysOf } from '../../server/domain/identity-address.ts';
import { insertContact } from '../helpers/contacts.ts';

/**
 * Issue 21 items 1 and 2: agents log requests; a customer asks for a copy (an expiring link), corrects their
 * details (a new address only once its code comes back), asks for erasure and changes consent, from the request
 * page's API and from the widget. Codes are read from the mails a real SMTP server received.
 */
describe(`self-service privacy requests (${dbMode})`, () => {
  let server: TestServer;
  /** The contact's fields as its page shows them (stored sealed, issue 22). */
  const storedContact = async (id: string) => {
    const [row] = await server.root.db.select().from(contacts).where(eq(contacts.id, id));
    return openContact(identityKeysOf(server.root.db).dataKeys, row!);
  };
  let smtp: SmtpSink;
  let admin: AgentClient;
  let now = new Date('2026-05-04T08:00:00Z');
  const clock = () => new Date(now);
  const DAY = 86_400_000;
  let client = 100;
  beforeEach(() => {
    client += 1;
  });
  const sockets: Socket[] = [];

  const call = (method: string, path: string, body?: unknown, token?: string) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: {
        'x-forwarded-for': `10.0.1.${client}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const api = (path: string, body: unknown, token?: string) =>
    call('POST', `/api/public/privacy-requests${path}`, body, token);

  async function customer(address: string, name: string) {
    const c = await insertContact(server.root.db, { name, email: address });
    await server.root.db.insert(contactIdentities).values(await identityRow(server.root.db, c!.id, 'email', address));
    return c!.id;
  }
  /** The next mail to `address`, and the six-digit code in it. */
  async function mailTo(address: string, before: number) {
    const mails = await smtp.waitFor(before + 1);
    const mail = mails.slice(before).find((m) => m.envelope.to.includes(address))!;
    expect(mail).toBeDefined();
    return { mail, code: /\b(\d{6})\b/.exec(mail.parsed.text ?? '')?.[1] };
  }
  /** A verified request-page session of the person with this address. */
  async function verify(address: string, language = 'en') {
    const before = smtp.received.length;
    const sent = await api('/code', { address, language });
    const { code } = await mailTo(address, before);
    const verified = await api('/verify', { challengeId: sent.body.challengeId, code });
    expect(verified.status).toBe(200);
    return verified.body.token as string;
  }
  const download = (url: string) =>
    fetch(`${server.url}${new URL(url).pathname}`, { headers: { 'x-forwarded-for': `10.0.1.${client}` } });

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
    for (const socket of sockets) socket.disconnect();
    await server?.stop();
    await smtp?.stop();
  });

  it('delivers a copy as a link without personal data, audits each use and refuses it once expired', async () => {
    const contactId = await customer('lena.link@example.org', 'Lena Link');
    const token = await verify('lena.link@example.org', 'de');
    const before = smtp.received.length;
    const copy = await api('/copy', {}, token);
    expect(copy.status).toBe(201);
    expect(copy.body.expiresAt).toBe(new Date(now.getTime() + 7 * DAY).toISOString());
    expect(copy.body.mailed).toBe(true);
    expect(new URL(copy.body.url).pathname).not.toMatch(/lena|example/i);
    expect(copy.body.url).not.toContain(contactId);
    const { mail } = await mailTo('lena.link@example.org', before);
    expect(mail.parsed.subject).toBe('Ihre Kopie Ihrer Daten');
    expect(mail.parsed.text).toContain(copy.body.url);

    // The access request is on the desk, answered with the export.
    const desk = (await admin.get('/api/privacy/requests')).body.items;
    expect(desk.find((r: { id: string }) => r.id === copy.body.requestId)).toMatchObject({
      kind: 'access',
      source: 'request_page',
      status: 'completed',
      outcome: { kind: 'fulfilled', produced: 'export' },
    });

    const res = await download(copy.body.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const zip = await readZip(Buffer.from(await res.arrayBuffer()));
    expect(zip.get('data.json')?.toString()).toContain('Lena Link');
    const [link] = await server.root.db
      .select()
      .from(privacyDownloadLinks)
      .where(eq(privacyDownloadLinks.contactId, contactId));
    expect(link).toMatchObject({ downloads: 1 });
    expect(JSON.stringify(link)).not.toContain(new URL(copy.body.url).pathname.split('/').pop());
    const used = await server.root.db.select().from(auditLog).where(eq(auditLog.action, 'privacy_download.used'));
    expect(used.map((e) => e.targetId)).toContain(link!.id);

    now = new Date(now.getTime() + 7 * DAY + 60_000);
    const expired = await download(copy.body.url);
    expect(expired.status).toBe(410);
    expect(((await expired.json()) as { code: string }).code).toBe('link_expired');
    expect((await download(copy.body.url.replace(/.{4}$/, 'AAAA'))).status).toBe(404);
    expect(server.logs()).not.toContain(new URL(copy.body.url).pathname.split('/').pop());
  });

  it('answers a copy asked for on the page without script with the link, in the chosen language', async () => {
    await customer('rita.page@example.org', 'Rita Page');
    const form = (path: string, fields: Record<string, string>) =>
      fetch(`${server.url}/privacy/request${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `10.0.1.${client}` },
        body: new URLSearchParams(fields).toString(),
      }).then(async (r) => ({ status: r.status, html: await r.text() }));
    let before = smtp.received.length;
    const step2 = await form('/code', { language: 'fi', address: 'rita.page@example.org' });
    const challengeId = /name="challengeId" value="([^"]+)"/.exec(step2.html)![1]!;
    const { code } = await mailTo('rita.page@example.org', before);
    const step3 = await form('/verify', { language: 'fi', challengeId, code: code! });
    const token = /name="token" value="([^"]+)"/.exec(step3.html)![1]!;
    before = smtp.received.length;
    const done = await form('/file', { language: 'fi', token, kind: 'access' });
    expect(done.status).toBe(201);
    expect(done.html).toContain('Kopiosi on valmis');
    const url = /data-testid="copy-link" href="([^"]+)"|href="([^"]+)" data-testid="copy-link"/.exec(done.html)!;
    const href = (url[1] ?? url[2])!;
    expect((await download(href)).status).toBe(200);
    const { mail } = await mailTo('rita.page@example.org', before);
    expect(mail.parsed.subject).toBe('Kopio tiedoistasi');
  });

  it('corrects the name at once, and a new email only after the code sent to it comes back', async () => {
    const contactId = await customer('mats.mail@example.org', 'Mats Mail');
    const token = await verify('mats.mail@example.org', 'sv');
    const agentSocket = await admin.socket();
    sockets.push(agentSocket);

    const before = smtp.received.length;
    const asked = await api('/correction', { name: 'Mats Mejl', email: 'Mats.New@Example.org' }, token);
    expect(asked.status).toBe(201);
    expect(asked.body.applied).toEqual(['name']);
    expect(asked.body.pending).toHaveLength(1);
    const { mail, code } = await mailTo('mats.new@example.org', before);
    expect(mail.parsed.subject).toBe('Bekräfta din nya e-postadress');

    // Not applied before the code is confirmed; a wrong code changes nothing.
    const waiting = await storedContact(contactId);
    expect(waiting).toMatchObject({ name: 'Mats Mejl', email: 'mats.mail@example.org' });
    const pendingId = asked.body.pending[0].id as string;
    const wrong = await api(
      `/correction/${pendingId}/confirm`,
      { code: code === '000000' ? '111111' : '000000' },
      token,
    );
    expect(wrong.status).toBe(400);
    expect((await storedContact(contactId)).email).toBe('mats.mail@example.org');

    const live = nextEvent(agentSocket, 'contact:updated', (p: { contact: { id: string; email: string } }) => {
      return p.contact.id === contactId && p.contact.email === 'mats.new@example.org';
    });
    const confirmed = await api(`/correction/${pendingId}/confirm`, { code }, token);
    expect(confirmed).toEqual({ status: 200, body: { applied: 'email' } });
    await live;
    expect((await storedContact(contactId)).email).toBe('mats.new@example.org');
    // The code works once, and nothing waits any more.
    expect((await api(`/correction/${pendingId}/confirm`, { code }, token)).status).toBe(400);
    expect(
      await server.root.db.select().from(privacyPendingChanges).where(eq(privacyPendingChanges.contactId, contactId)),
    ).toEqual([]);

    const request = (await admin.get('/api/privacy/requests')).body.items.find(
      (r: { id: string }) => r.id === asked.body.requestId,
    );
    expect(request).toMatchObject({ kind: 'rectification', fields: ['name', 'email'], status: 'completed' });
    const history = (await admin.get(`/api/privacy/contacts/${contactId}/audit`)).body.items;
    const rectified = history.filter((e: { action: string }) => e.action === 'contact.rectified');
    expect(rectified.map((e: { fields: string[]; actor: { kind: string } }) => [e.actor.kind, e.fields])).toEqual([
      ['visitor', ['email']],
      ['visitor', ['name']],
    ]);
    expect(JSON.stringify(history)).not.toContain('mats.new');
    expect(server.logs()).not.toContain(code);
    expect(server.logs()).not.toContain('mats.new');
  });

  it('refuses a bad correction clearly and lets a pending change expire', async () => {
    await customer('nora.nix@example.org', 'Nora Nix');
    const token = await verify('nora.nix@example.org');
    expect((await api('/correction', { email: 'not an address' }, token)).body.code).toBe('invalid_email');
    expect((await api('/correction', {}, token)).body.code).toBe('nothing_to_correct');
    expect((await api('/correction', { phone: '12' }, token)).body.code).toBe('invalid_phone');
    const before = smtp.received.length;
    const asked = await api('/correction', { email: 'nora.new@example.org' }, token);
    const { code } = await mailTo('nora.new@example.org', before);
    now = new Date(now.getTime() + 16 * 60_000);
    const late = await api(`/correction/${asked.body.pending[0].id}/confirm`, { code }, token);
    expect(late.status).toBe(400);
  });

  it('grants and withdraws each consent from the request page, recorded in the ledger', async () => {
    const contactId = await customer('otto.opt@example.org', 'Otto Opt');
    const token = await verify('otto.opt@example.org', 'fi');
    const listed = await call('GET', '/api/public/privacy-requests/consent', undefined, token);
    expect(listed.status).toBe(200);
    expect(listed.body.purposes.map((p: { purpose: string }) => p.purpose)).toEqual(['support', 'analytics']);
    const granted = await api('/consent', { purpose: 'analytics', granted: true }, token);
    expect(granted.body.purposes.find((p: { purpose: string }) => p.purpose === 'analytics').granted).toBe(true);
    const withdrawn = await api('/consent', { purpose: 'analytics', granted: false }, token);
    expect(withdrawn.body.purposes.find((p: { purpose: string }) => p.purpose === 'analytics').granted).toBe(false);
    expect((await api('/consent', { purpose: 'marketing', granted: true }, token)).body.code).toBe('no_notice');
    const ledger = (await admin.get(`/api/contacts/${contactId}/consent`)).body;
    expect(JSON.stringify(ledger)).toContain('analytics');
    expect((await api('/consent', { purpose: 'analytics', granted: true }, 'made-up')).status).toBe(401);
  });

  it('from the widget: a copy link, a correction, and an erasure request an admin decides', async () => {
    const visitor = await server.visitor();
    const copy = await visitor.post('/api/widget/privacy/copy?language=fr', {});
    expect(copy.status).toBe(201);
    expect(copy.body.mailed).toBe(false);
    expect((await download(copy.body.url)).status).toBe(200);

    const before = smtp.received.length;
    const corrected = await visitor.post('/api/widget/privacy/correction?language=fr', {
      name: 'Zoé Widget',
      email: 'zoe.widget@example.org',
    });
    expect(corrected.status).toBe(201);
    const { mail, code } = await mailTo('zoe.widget@example.org', before);
    expect(mail.parsed.subject).toBe('Confirmez votre nouvelle adresse e-mail');
    const confirmed = await visitor.post(`/api/widget/privacy/correction/${corrected.body.pending[0].id}/confirm`, {
      code: code!,
    });
    expect(confirmed.body).toEqual({ applied: 'email' });

    const erasure = await visitor.post('/api/widget/privacy/erasure?language=fr', {});
    // The address they confirmed is where the answer will go, and the widget says so.
    expect(erasure).toMatchObject({ status: 201, body: { answeredVia: 'email' } });
    const filed = (await admin.get('/api/privacy/requests')).body.items.find(
      (r: { id: string }) => r.id === erasure.body.id,
    );
    expect(filed).toMatchObject({ kind: 'erasure', source: 'widget', language: 'fr', status: 'received' });
    // The admin decides; the person is told in French at the address they confirmed.
    const mails = smtp.received.length;
    const decided = await admin.post(`/api/privacy/requests/${erasure.body.id}/erase`, { confirm: true });
    expect(decided.body).toMatchObject({ told: true, request: { status: 'completed' } });
    const told = await mailTo('zoe.widget@example.org', mails);
    expect(told.mail.parsed.subject).toBe('Votre demande de confidentialité');
  });

  it('lets any agent log a request received by phone, with when, how and a note; admins still decide', async () => {
    const contactId = await customer('paul.phone@example.org', 'Paul Phone');
    const agent = await server.agentClient('agent');
    const receivedAt = new Date(now.getTime() - 2 * DAY).toISOString();
    const logged = await agent.post('/api/privacy/requests', {
      contactId,
      kind: 'access',
      verifiedHow: 'callback',
      receivedAt,
      channel: 'phone',
      note: 'Called the support line, asked for everything we hold',
    });
    expect(logged.status).toBe(201);
    expect(logged.body.request).toMatchObject({
      source: 'agent',
      channel: 'phone',
      note: 'Called the support line, asked for everything we hold',
      receivedAt,
    });
    expect(logged.body.request.dueAt.slice(0, 10)).toBe(
      new Date(new Date(receivedAt).setUTCMonth(new Date(receivedAt).getUTCMonth() + 1)).toISOString().slice(0, 10),
    );
    const future = new Date(now.getTime() + DAY).toISOString();
    const refused = await agent.post('/api/privacy/requests', {
      contactId,
      kind: 'access',
      verifiedHow: 'callback',
      receivedAt: future,
    });
    expect(refused.body.code).toBe('received_in_future');
    // Deciding stays with the admins.
    const id = logged.body.request.id;
    expect(
      (await agent.post(`/api/privacy/requests/${id}/close`, { outcome: { kind: 'fulfilled', produced: 'export' } }))
        .status,
    ).toBe(403);
    expect((await agent.get('/api/privacy/requests')).status).toBe(403);
  });
});
