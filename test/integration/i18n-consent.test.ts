import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, VisitorClient, type AgentClient, type TestServer } from '../helpers/server.ts';
import { readZip } from '../helpers/zip.ts';
import { consentNoticeTexts, contactIdentities } from '../../drizzle/schema/index.ts';
import { NOTICE_TEMPLATE_VERSION } from '../../server/privacy/notice.ts';
import { identityIs } from '../helpers/identities.ts';

type Notice = {
  language: string;
  policyVersion: string;
  textHash: string;
  text: string;
  purposes: { label: string }[];
};

/** Consent in the visitor's language: each language's notice is its own text, hash and version in the ledger. */
describe(`consent notices per language on ${dbMode}`, () => {
  let server: TestServer;
  let agent: AgentClient;
  const notices: Record<string, Notice> = {};

  const config = async (locale?: string) => {
    const query = locale ? `&locale=${locale}` : '';
    const res = await fetch(`${server.url}/api/widget/config?inbox=${server.chatInboxId}${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as { greeting: string; notice: Notice };
  };

  const startSession = (notice: Pick<Notice, 'policyVersion' | 'textHash'>, language?: string) =>
    fetch(`${server.url}/api/widget/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        inboxId: server.chatInboxId,
        policyVersion: notice.policyVersion,
        textHash: notice.textHash,
        ...(language ? { language } : {}),
        consents: { support: true, analytics: true },
      }),
    });

  beforeAll(async () => {
    server = await startTestServer({ CONTROLLER_NAME: 'Beispiel GmbH', PRIVACY_POLICY_URL: 'https://example.com/p' });
    agent = await server.agentClient('admin');
    for (const locale of ['en', 'de', 'fr', 'fi', 'sv']) notices[locale] = (await config(locale)).notice;
  });
  afterAll(() => server?.stop());

  it('shows the notice in the language asked for, each with its own hash and version', async () => {
    expect(notices.de!.language).toBe('de');
    expect(notices.de!.text).toContain('Diesen Chat betreibt Beispiel GmbH');
    expect(notices.de!.text).toContain('Datenschutzerklärung: https://example.com/p');
    expect(notices.fi!.text).toContain('Tätä chattia ylläpitää Beispiel GmbH');
    expect(notices.de!.purposes[0]!.label).toContain('Meine Nachrichten speichern');
    const hashes = new Set(Object.values(notices).map((n) => n.textHash));
    const versions = new Set(Object.values(notices).map((n) => n.policyVersion));
    expect(hashes.size).toBe(5);
    expect(versions.size).toBe(5);
    // The version carries the start of its text's hash: changing a translation changes that language's version.
    for (const n of Object.values(notices)) {
      expect(n.policyVersion).toBe(`${NOTICE_TEMPLATE_VERSION}.${n.textHash.slice(0, 12)}`);
    }
    // Without a locale the widget gets English (existing embeds keep working).
    expect((await config()).notice.textHash).toBe(notices.en!.textHash);
    expect((await config('sv')).greeting).toBe('Hej! Hur kan vi hjälpa dig?');
  });

  it('lists every language’s text among the texts shown, with its language', async () => {
    const rows = await server.root.db.select().from(consentNoticeTexts);
    for (const n of Object.values(notices)) {
      expect(rows.find((r) => r.textHash === n.textHash)).toMatchObject({ language: n.language, text: n.text });
    }
  });

  it('refuses a German notice accepted as English, and the other way round', async () => {
    expect((await startSession(notices.de!)).status).toBe(409);
    expect((await startSession(notices.en!, 'de')).status).toBe(409);
  });

  it('records the language and the hash of the German text in the ledger; the export shows that text', async () => {
    const res = await startSession(notices.de!, 'de');
    expect(res.status).toBe(201);
    const session = (await res.json()) as { token: string; visitorId: string };
    const visitor = new VisitorClient(server.url, session.token, session.visitorId);
    const [identity] = await server.root.db
      .select()
      .from(contactIdentities)
      .where(identityIs(server.root.db, 'visitor', session.visitorId));
    const ledger = await agent.get(`/api/contacts/${identity!.contactId}/consent`);
    expect(ledger.status).toBe(200);
    const events = ledger.body.history as { purpose: string; language: string; policyVersion: string }[];
    expect(events.map((e) => [e.purpose, e.language, e.policyVersion]).sort()).toEqual(
      [
        ['analytics', 'de', notices.de!.policyVersion],
        ['support', 'de', notices.de!.policyVersion],
      ].sort(),
    );

    // The privacy panel's labels and a later change speak German too (the language of the accepted notice).
    const consent = await visitor.get('/api/widget/consent');
    expect(consent.body.purposes[1].label).toContain('Support-Statistik');
    expect((await visitor.post('/api/widget/consent', { purpose: 'analytics', granted: false })).status).toBe(200);
    const after = await agent.get(`/api/contacts/${identity!.contactId}/consent`);
    const withdrawn = (after.body.history as { granted: boolean; language: string; policyVersion: string }[]).find(
      (e) => !e.granted,
    );
    expect(withdrawn).toMatchObject({ language: 'de', policyVersion: notices.de!.policyVersion });

    const exported = await fetch(`${server.url}/api/widget/export`, {
      headers: { authorization: `Bearer ${session.token}` },
    });
    expect(exported.status).toBe(200);
    const zip = await readZip(Buffer.from(await exported.arrayBuffer()));
    const json = [...zip].find(([name]) => name.endsWith('.json'))![1].toString();
    const data = JSON.parse(json) as { notices: Record<string, { language: string; text: string }> };
    expect(data.notices[notices.de!.textHash]).toMatchObject({ language: 'de', text: notices.de!.text });
    expect(Object.keys(data.notices)).toEqual([notices.de!.textHash]);
    const html = [...zip].find(([name]) => name.endsWith('.html'))![1].toString();
    expect(html).toContain('<blockquote lang="de">Diesen Chat betreibt Beispiel GmbH');
  });
});
