import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { type AgentClient, startTestServer, type TestServer } from '../helpers/server.ts';
import { agents } from '../../drizzle/schema/index.ts';
import { ADMIN_DISPLAY_NAME } from '../../server/domain/admin-name.ts';
import { leftInEnglish, sentences, textsOf } from '../helpers/left-in-english.ts';
import { breachFixture } from '../helpers/breach-fixture.ts';

/** What the admin wrote into the register: it stays as written in every language, so it is not counted as English. */
const breach = breachFixture({
  approxSubjects: 1234,
  approxRecords: 56789,
  authorityNote: 'The report is still being written.',
});
const written = new Set(
  Object.values(breach).map((value) => (Array.isArray(value) ? value.join('; ') : String(value))),
);
/** The page's row labels (its <th> cells). */
const labelsOf = (html: string) => [...html.matchAll(/<th>([^<]*)<\/th>/g)].map((m) => m[1]!);

/**
 * Issue 18: the register of breaches for the supervisory authority (Art. 33(5)) is worded in the admin's language
 * like the Art. 30 record: headings, labels, dates and numbers; the CSV keeps its machine column keys.
 */
describe(`the breach register in the admin's language (${dbMode})`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let englishPage: string;

  beforeAll(async () => {
    // No CONTROLLER_NAME: the default controller line is worded too.
    server = await startTestServer();
    admin = await server.agentClient('admin');
    // The admin kept the first admin's placeholder name: the register names the team in its language.
    await server.root.db.update(agents).set({ name: ADMIN_DISPLAY_NAME }).where(eq(agents.id, admin.agent.id));
    expect((await admin.post('/api/privacy/breaches', breach)).status).toBe(201);
    englishPage = (await admin.get('/api/privacy/breaches/export?format=html&locale=en')).body as string;
  }, 120_000);
  afterAll(() => server?.stop());

  /** The page in a language, checked against the English one for any label or sentence left in English. */
  const page = async (locale: string) => {
    const html = (await admin.get(`/api/privacy/breaches/export?format=html&locale=${locale}`)).body as string;
    expect(html).toContain(`<html lang="${locale}">`);
    const english = labelsOf(englishPage);
    expect(english).toContain('Discovered at');
    expect(labelsOf(html)).toHaveLength(english.length);
    expect(labelsOf(html).filter((label) => english.includes(label))).toEqual([]);
    const prose = textsOf(englishPage).filter((text) => !written.has(text));
    expect(sentences(prose).length).toBeGreaterThan(5);
    expect(leftInEnglish(prose, textsOf(html))).toEqual([]);
    expect(html).not.toContain(ADMIN_DISPLAY_NAME);
    return html;
  };

  it('prints the register in German: Art. 33 wording, German dates and numbers, the team in German', async () => {
    const html = await page('de');
    expect(html).toContain(
      '<h1>Verzeichnis der Verletzungen des Schutzes personenbezogener Daten (Art. 33 Abs. 5 DSGVO)</h1>',
    );
    expect(html).toContain('(Meldung an die Aufsichtsbehörde überfällig oder verspätet)');
    expect(html).toContain('<th>Entdeckt am</th><td>30.03.2026, 02:00 UTC</td>');
    expect(html).toContain('<th>Ungefähre Zahl der betroffenen Personen</th><td>1.234</td>');
    expect(html).toContain('<th>Erfasst von</th><td>Support-Team</td>');
    expect(html).toContain('Der Betreiber dieses Support-Posteingangs (mit CONTROLLER_NAME benennen)');
    expect(html).toMatch(/Erstellt am \d\d\.\d\d\.\d{4}, \d\d:\d\d UTC; 1 Verletzung erfasst\./);
    // What the admin wrote stays as written.
    expect(html).toContain(breach.measures);
  });

  it('prints it in French and in Swedish the same way', async () => {
    const fr = await page('fr');
    expect(fr).toContain(
      '<h1>Registre des violations de données à caractère personnel (art. 33, paragraphe 5, du RGPD)',
    );
    expect(fr).toContain('<th>Nombre approximatif de personnes concernées</th><td>1\u202f234</td>');
    expect(fr).toContain('<th>Découverte le</th><td>30 mars 2026, 02:00 UTC</td>');
    expect(fr).toContain('<th>Consignée par</th><td>Équipe d’assistance</td>');
    const sv = await page('sv');
    expect(sv).toContain('<h1>Register över personuppgiftsincidenter (art. 33.5 GDPR)</h1>');
    expect(sv).toContain('<th>Registrerad av</th><td>Supportteamet</td>');
    expect(sv).toContain('1 incident registrerad.');
  });

  it('keeps the CSV’s machine column keys in every language; only the placeholder name is worded', async () => {
    const csv = (await admin.get('/api/privacy/breaches/export?format=csv&locale=de')).body as string;
    const [header, row] = csv.trim().split('\r\n');
    expect(header).toBe((await admin.get('/api/privacy/breaches/export?format=csv&locale=en')).body.split('\r\n')[0]);
    expect(header).toContain('discovered_at,occurred_from');
    expect(row).toContain('2026-03-30T02:00:00');
    expect(row!.endsWith(',Support-Team')).toBe(true);
  });

  it('follows the agent’s stored language when the inbox names none', async () => {
    expect((await admin.send('PATCH', '/api/agents/me', { locale: 'fi' })).status).toBe(200);
    const html = (await admin.get('/api/privacy/breaches/export?format=html')).body as string;
    expect(html).toContain(
      '<h1>Henkilötietojen tietoturvaloukkausten rekisteri (tietosuoja-asetuksen 33 artiklan 5 kohta)',
    );
    expect(html).toContain('<th>Kirjannut</th><td>Asiakaspalvelu</td>');
    await admin.send('PATCH', '/api/agents/me', { locale: null });
  });
});
