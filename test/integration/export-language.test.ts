import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer, type VisitorClient } from '../helpers/server.ts';
import { readZip } from '../helpers/zip.ts';
import { contacts, conversations } from '../../drizzle/schema/index.ts';

/**
 * Issue 18: the readable page of a copy of someone's data (index.html) speaks the person's language, with its
 * dates as that language writes them; a person whose language is unknown gets it in English.
 */
describe(`the copy of someone's data in their language on ${dbMode}`, () => {
  let server: TestServer;
  let agent: AgentClient;

  const start = async (text: string) => {
    const visitor = await server.visitor();
    expect((await visitor.post('/api/widget/messages', { clientId: randomUUID(), text })).status).toBe(201);
    const conversationId = (await visitor.get('/api/widget/messages')).body.conversationId as string;
    const [row] = await server.root.db
      .select({ contactId: conversations.contactId, createdAt: conversations.createdAt })
      .from(conversations)
      .where(eq(conversations.id, conversationId));
    return { visitor, conversationId, ...row! };
  };
  const page = async (res: Response) => {
    expect(res.status).toBe(200);
    return (await readZip(Buffer.from(await res.arrayBuffer()))).get('index.html')!.toString();
  };
  const formalCopy = async (contactId: string) =>
    page(await fetch(`${server.url}/api/contacts/${contactId}/export`, { headers: { cookie: agent.cookie } }));
  const ownCopy = async (visitor: VisitorClient) =>
    page(await fetch(`${server.url}/api/widget/export`, { headers: { authorization: `Bearer ${visitor.token}` } }));

  beforeAll(async () => {
    server = await startTestServer();
    agent = await server.agentClient('admin');
  });
  afterAll(() => server?.stop());

  it('gives a German contact the formal copy in German, dates included', async () => {
    const { contactId, createdAt } = await start('Wo bleibt mein Paket?');
    await server.root.db.update(contacts).set({ locale: 'de' }).where(eq(contacts.id, contactId));
    const html = await formalCopy(contactId);
    expect(html).toContain('<html lang="de">');
    expect(html).toContain('<h1>Ihre Support-Daten</h1>');
    expect(html).toContain('<h2>Verlauf Ihrer Einwilligungen</h2>');
    expect(html).toContain('<h2>Gespräche (1)</h2>');
    expect(html).toContain('<th>Bekannt seit</th>');
    expect(html).toContain('<td>Support</td><td>erteilt</td>');
    const started = new Intl.DateTimeFormat('de', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
    expect(html).toMatch(new RegExp(`Begonnen am ${started.format(createdAt)} UTC · Status: (offen|Bot)`));
    expect(html).toContain('>Sie · ');
    expect(html).not.toMatch(/Your support data|Consent history|Known since/);
  });

  it('gives a Finnish visitor their own copy in Finnish', async () => {
    const { visitor, contactId } = await start('Missä pakettini on?');
    await server.root.db.update(contacts).set({ locale: 'fi' }).where(eq(contacts.id, contactId));
    const html = await ownCopy(visitor);
    expect(html).toContain('<html lang="fi">');
    expect(html).toContain('<h1>Asiakastukitietosi</h1>');
    expect(html).toContain('Henkilökuntamme sisäiset muistiinpanot ja keskustelujen tapahtumat eivät ole mukana');
    expect(html).toContain('<h2>Keskustelut (1)</h2>');
  });

  it('shows a redacted span in the person’s words; data.json keeps the documented "[redacted]" code', async () => {
    const secret = 'DE89 3704 0044 0532 0130 00';
    const { visitor, contactId, conversationId } = await start(`Meine IBAN ist ${secret}, bitte erstatten`);
    await server.root.db.update(contacts).set({ locale: 'de' }).where(eq(contacts.id, contactId));
    const detail = await agent.get(`/api/conversations/${conversationId}`);
    const message = (detail.body.messages as Array<{ id: string; body: string }>).find((m) => m.body.includes(secret));
    const start0 = message!.body.indexOf(secret);
    const redacted = await agent.post(`/api/messages/${message!.id}/redact`, {
      start: start0,
      end: start0 + secret.length,
    });
    expect(redacted.status).toBe(200);

    const res = await fetch(`${server.url}/api/contacts/${contactId}/export`, { headers: { cookie: agent.cookie } });
    const zip = await readZip(Buffer.from(await res.arrayBuffer()));
    const html = zip.get('index.html')!.toString();
    expect(html).toContain(
      'Meine IBAN ist <span class="removed" title="Zum Schutz personenbezogener Daten entfernt">' +
        '[geschwärzt]</span>, bitte',
    );
    expect(html).not.toContain('[redacted]');
    expect(html).not.toContain(secret);
    expect(zip.get('data.json')!.toString()).toContain('Meine IBAN ist [redacted], bitte erstatten');
    const readme = zip.get('README.txt')!.toString();
    expect(readme).toMatch(/^Ihre Support-Daten\nExportiert: /);
    expect(readme).toContain('„[redacted]“ in einem Text markiert, wo etwas entfernt wurde');
    expect(readme).not.toMatch(/Your support data|Exported:|machine-readable/);
    // The visitor's own copy says it the same way.
    expect(await ownCopy(visitor)).toContain('>[geschwärzt]</span>, bitte');
  });

  it('writes in English when the person’s language is not known', async () => {
    const { contactId } = await start('Where is my parcel?');
    const html = await formalCopy(contactId);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<h1>Your support data</h1>');
    expect(html).toContain('<h2>Conversations (1)</h2>');
    expect(html).toContain('<td>Support</td><td>granted</td>');
  });
});
