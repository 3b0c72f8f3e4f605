import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMode } from '../helpers/db.ts';
import { type AgentClient, startTestServer, type TestJson, type TestServer } from '../helpers/server.ts';
import { startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import { leftInEnglish, sentences, stringsOf, textsOf } from '../helpers/left-in-english.ts';

/**
 * Issue 18: the Art. 30 record and the DPIA draft are written in the admin's language (server-record namespace),
 * down to the data map's purposes and notes, the channels' processors and the printed pages.
 */
describe(`the Art. 30 record and the DPIA in the admin's language (${dbMode})`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let fake: FakeTwilio;

  beforeAll(async () => {
    fake = await startFakeTwilio();
    server = await startTestServer({
      BOT_ENABLED: 'true',
      CONTROLLER_NAME: 'Shop GmbH',
      TWILIO_ACCOUNT_SID: fake.accountSid,
      TWILIO_AUTH_TOKEN: fake.authToken,
      TWILIO_API_URL: fake.url,
      OUTBOUND_ALLOW_HOSTS: new URL(fake.url).host,
    });
    await server.root.db
      .insert(inboxes)
      .values({ name: 'Hotline', channel: 'voice', settings: { phoneNumber: '+358401234567' } });
    admin = await server.agentClient('admin');
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await fake?.close();
  });

  it('writes the record in German with no English sentence left, as JSON and as the printable page', async () => {
    const en = (await admin.get('/api/privacy/record?locale=en')).body;
    const de = (await admin.get('/api/privacy/record?locale=de')).body;
    // The record has what a channel adds (Twilio's processor and call recording), so those are checked too.
    expect(en.processingActivities.map((a: { name: string }) => a.name)).toContain('Call recording');
    expect(de.processingActivities.map((a: { name: string }) => a.name)).toEqual([
      'Kundensupport',
      'Support-Statistik',
      'Anrufaufzeichnung',
      'Mitarbeiterkonten und Rechenschaftspflicht',
    ]);
    expect(de.dataMap.find((t: { table: string }) => t.table === 'messages').purpose).toBe('Support: was gesagt wurde');
    expect(de.processors[0].country).toBe(
      'wo der Betreiber den Server betreibt (Standardwert; mit HOSTING_COUNTRY festlegen)',
    );
    expect(leftInEnglish(stringsOf(en), stringsOf(de))).toEqual([]);

    const enPage = (await admin.get('/api/privacy/record?format=html&locale=en')).body as string;
    const dePage = (await admin.get('/api/privacy/record?format=html&locale=de')).body as string;
    expect(dePage).toContain('<html lang="de">');
    expect(dePage).toContain('<h1>Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO)</h1>');
    expect(leftInEnglish(textsOf(enPage), textsOf(dePage))).toEqual([]);
    // English is what it was: the comparison above compared against real English sentences.
    expect(enPage).toContain('<h1>Record of processing activities (GDPR Art. 30)</h1>');
    expect(sentences(textsOf(enPage)).length).toBeGreaterThan(100);
  });

  it('drafts the DPIA in German, keeps its language with the saved version, prints it in it', async () => {
    const en = (await admin.get('/api/privacy/dpia/draft?locale=en')).body;
    const de = (await admin.get('/api/privacy/dpia/draft?locale=de')).body;
    expect(de.language).toBe('de');
    expect(de.sections.map((s: { title: string }) => s.title)).toContain('Notwendigkeit und Verhältnismäßigkeit');
    const lines = (view: TestJson) =>
      view.sections.flatMap((s: { title: string; body: string }) => [s.title, ...s.body.split('\n')]);
    expect(sentences(lines(en)).length).toBeGreaterThan(30);
    expect(leftInEnglish(lines(en), lines(de))).toEqual([]);

    const saved = await admin.post('/api/privacy/dpia/versions', { sections: de.sections, language: 'de' });
    expect(saved.status).toBe(201);
    expect(saved.body.language).toBe('de');
    expect((await admin.get('/api/privacy/dpia/versions')).body.items[0].language).toBe('de');
    // An admin reading in English still gets the German document printed as German.
    const page = (await admin.get('/api/privacy/dpia/print?locale=en')).body as string;
    expect(page).toContain('<html lang="de">');
    expect(page).toContain('<h1>Datenschutz-Folgenabschätzung (Art. 35 DSGVO)</h1>');
    expect(page).toMatch(/Version 1, gespeichert am \d+\. \w+ 2\d{3} um \d\d:\d\d UTC von /);
  });

  it('names the processors on the public transparency page in its language', async () => {
    const page = await (await fetch(`${server.url}/privacy?lang=de`)).text();
    expect(page).toContain('die eigene Infrastruktur des Betreibers (Standardwert; mit HOSTING_PROVIDER festlegen)');
    expect(page).not.toContain('the operator’s own infrastructure');
  });

  it('speaks the agent’s stored language when the inbox names none', async () => {
    expect((await admin.send('PATCH', '/api/agents/me', { locale: 'sv' })).status).toBe(200);
    const record = (await admin.get('/api/privacy/record')).body;
    expect(record.processingActivities[0].name).toBe('Kundtjänst');
    await admin.send('PATCH', '/api/agents/me', { locale: null });
  });
});
