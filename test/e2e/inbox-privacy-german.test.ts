import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { createAgent } from '../../server/domain/agents.ts';
import { fileRequest } from '../../server/privacy/request-desk.ts';
import { recordBreach } from '../../server/privacy/breaches.ts';
import { agents } from '../../drizzle/schema/index.ts';
import { dbMode } from '../helpers/db.ts';
import { seedPerson } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser } from '../helpers/browser.ts';

const SHOTS = '/tmp/shots-i18n-privacy';

/**
 * Issue 18 (the inbox's remaining English screens): an admin whose preference is German, in an English browser,
 * opens the Privacy page (requests, breaches, retention, holds, audit, record, DPIA) and a contact panel's privacy
 * sections and dialogs. Headings, buttons, counts and clocks read German, and none of the English labels the
 * screens had before is left.
 */
describe(`e2e in Chromium: the Privacy page and the contact's privacy sections in German (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let conversationId: string;
  const greta = { email: 'greta@test.example', name: 'Greta Vogel', password: 'greta-e2e-password' };
  const errors: string[] = [];

  const text = async (selector: string) => (await page.textContent(selector))?.replace(/\s+/g, ' ').trim();
  /** The English labels of these screens: none may be left on the German page. */
  const englishLeft = async (selectors: string[], labels: string[]) => {
    const shown = (await Promise.all(selectors.map((s) => page.innerText(s)))).join(' ').replace(/\s+/g, ' ');
    return labels.filter((label) => shown.includes(label));
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const { root } = server;
    const created = await createAgent(root.db, { ...greta, role: 'admin' }, null);
    await root.db.update(agents).set({ locale: 'de' }).where(eq(agents.id, created.id));
    const person = await seedPerson(root, {
      name: 'Ida Imhof',
      email: 'ida@example.org',
      phone: '+4915112345678',
      marker: 'ii',
    });
    conversationId = person.emailConversationId;
    const actor = { actorKind: 'system' as const, actorId: null };
    const verification = { method: 'agent_statement' as const, how: 'callback', verifiedAt: new Date().toISOString() };
    await fileRequest(root, { contactId: person.contactId, kind: 'access', source: 'agent', verification }, actor);
    await recordBreach(
      root,
      {
        title: 'Gestohlener Laptop',
        description: 'Ein Laptop mit einem Chat-Export wurde gestohlen.',
        discoveredAt: new Date(Date.now() - 2 * 3_600_000).toISOString(),
        occurredFrom: null,
        occurredTo: null,
        dataCategories: ['Namen'],
        subjectCategories: ['Kunden'],
        approxSubjects: 12,
        approxRecords: null,
        consequences: '',
        measures: '',
        authorityNotifiedAt: null,
        authorityNote: null,
        peopleNotifiedAt: null,
        peopleNote: null,
      },
      null,
      actor,
    );
    // An English browser: the agent's stored preference, not the browser, chooses German.
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${server.url}/inbox/`);
    await page.fill('[data-testid="login-email"]', greta.email);
    await page.fill('[data-testid="login-password"]', greta.password);
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="logout"]');
    await page.waitForFunction(() => document.documentElement.lang === 'de');
    // Starting a server and Chromium on a busy machine (six agents on two CPUs) can exceed the default minute.
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the Privacy page in German: navigation, requests and breaches with their clocks', async () => {
    await page.click('[data-testid="nav-privacy"]');
    await page.waitForSelector('[data-testid="request-row"]');
    await page.waitForSelector('[data-testid="breach-row"]');
    expect(await text('[data-testid="privacy-page"] h1')).toBe('Datenschutz');
    expect(await text('[data-testid="privacy-nav-requests"]')).toBe('Anträge');
    expect(await text('[data-testid="privacy-nav-find"]')).toBe('Person finden');
    expect(await text('[data-testid="privacy-nav-record"]')).toBe('Verzeichnis & Datenlandkarte');

    expect(await text('#requests-title')).toBe('Anträge betroffener Personen');
    expect(await text('[data-testid="request-row"] b')).toBe('Auskunft (Art. 15)');
    expect(await text('[data-testid="request-row"] .sub')).toMatch(/^Vom Team erfasst · EN/);
    // One month from today, counted in German plurals.
    expect(await text('[data-testid="request-deadline"]')).toMatch(/^noch (2[89]|3[01]) Tage$/);
    expect(await text('[data-testid="request-close"]')).toBe('Abschließen');

    expect(await text('#breaches-title')).toBe('Datenschutzverletzungen');
    expect(await text('[data-testid="breach-new"]')).toBe('Verletzung erfassen');
    expect(await text('[data-testid="breach-clock"]')).toMatch(/^Behörde: noch (69|70) h \d{1,2} min$/);
    expect(await text('[data-testid="breach-row"] .sub')).toContain('etwa 12 Personen');
    expect(await text('[data-testid="breach-people"]')).toBe('Personen nicht informiert');
    expect(await text('[data-testid="breach-find"]')).toBe('Betroffene Personen finden');
    await page.screenshot({ path: `${SHOTS}/privacy-de-requests.png` });
  });

  it('shows retention, holds, audit, record and DPIA in German, and confirms the sweep in German', async () => {
    expect(await text('#retention-title')).toBe('Aufbewahrungsregeln');
    expect(await text('[data-testid="retention-row"][data-class="recordings"] .what strong')).toBe(
      'Anrufaufzeichnungen',
    );
    expect(await text('#preview-title')).toBe('Jetzt zur Löschung fällig');
    expect(await text('[data-testid="retention-sweep"]')).toBe('Bereinigung jetzt ausführen');
    expect(await text('#holds-title')).toBe('Rechtliche Aufbewahrungen');
    expect(await text('#audit-title')).toBe('Prüfprotokoll');
    expect(await text('[data-testid="audit-verify"]')).toBe('Kette prüfen');
    await page.click('[data-testid="audit-verify"]');
    await page.waitForSelector('[data-testid="audit-verify-result"][data-ok="true"]');
    expect(await text('[data-testid="audit-verify-result"] strong')).toBe('Kette intakt');
    expect(await text('#record-title')).toBe('Verzeichnis von Verarbeitungstätigkeiten (Art. 30) und Datenlandkarte');
    expect(await text('[data-testid="data-map"] h3 .count')).toMatch(/^\d+ Tabellen · \d+ personenbezogene Spalten$/);
    expect(await text('#dpia-title')).toBe('Datenschutz-Folgenabschätzung (Art. 35)');
    expect(await text('[data-testid="dpia-status"]')).toBe('Erstellter Entwurf, noch nicht gespeichert');

    await page.click('[data-testid="retention-sweep"]');
    const dialog = page.locator('[data-testid="retention-sweep-dialog"]');
    await dialog.waitFor();
    expect(await dialog.locator('h2').textContent()).toBe('Bereinigung jetzt ausführen?');
    expect(await text('[data-testid="retention-sweep-confirm"]')).toBe('Bereinigung ausführen');
    await dialog.getByRole('button', { name: 'Abbrechen' }).click();
    await dialog.waitFor({ state: 'detached' });

    // Everything but the record's own rows: they quote the personal-data catalog, which the server keeps in English.
    const screens = [
      '[data-testid="privacy-page"] nav',
      '#privacy-requests',
      '#privacy-breaches',
      '#privacy-find',
      '#privacy-retention',
      '#privacy-holds',
      '#privacy-audit',
      '#privacy-imports',
      '#privacy-dpia',
      '[data-testid="record-page"] .card-head',
      '[data-testid="data-map"] .map-head',
      '[data-testid="data-map"] thead',
    ];
    const left = await englishLeft(screens, [
      'Data-subject requests',
      'Median days to close',
      'days left',
      'Personal data breaches',
      'Record a breach',
      'Find affected people',
      'Authority:',
      'Find a person',
      'Retention policies',
      'Due for deletion now',
      'Run sweep now',
      'Auto-delete',
      'Keep for',
      'Would be deleted',
      'Kept by a hold',
      'Call recordings',
      'Legal holds',
      'Show released',
      'Audit log',
      'Verify chain',
      'Chain intact',
      'Record of processing',
      'Processing activities',
      'Open printable version',
      'personal columns',
      'Data protection impact assessment',
      'Generated draft',
      'New draft from configuration',
      'Save as version',
      'Try again',
    ]);
    expect(left).toEqual([]);
    await page.locator('#record-title').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/privacy-de-record.png` });
  });

  it('shows the contact panel’s privacy sections and their dialogs in German', async () => {
    await page.goto(`${server.url}/inbox/#/conversations/${conversationId}`);
    const panel = page.locator('[data-testid="contact-panel"]');
    await panel.waitFor();
    await page.waitForSelector('[data-testid="consent-marketing"]');
    const headings = (await panel.locator('h4').allTextContents()).map((h) => h.trim());
    expect(headings).toEqual(
      expect.arrayContaining(['Einwilligung', 'Einschränkung', 'Rechtliche Aufbewahrungen', 'Datenschutz']),
    );
    expect(await text('[data-testid="consent-marketing"] .badge')).toBe('Nicht gefragt');
    expect(await text('[data-testid="consent-record-open"]')).toBe('Erfassen');
    expect(await text('[data-testid="export-button"]')).toBe('Exportieren');
    expect(await text('[data-testid="log-request-button"]')).toBe('Erfassen');
    expect(await text('[data-testid="erase-button"]')).toBe('Löschen…');
    expect(await text('[data-testid="hold-button"]')).toBe('Anlegen');
    expect(await text('[data-testid="restrict-button"]')).toBe('Einschränken…');
    expect(await text('[data-testid="contact-audit"] summary')).toBe('Wer auf diese Daten zugegriffen hat');
    const left = await englishLeft(
      ['[data-testid="contact-panel"]'],
      [
        'Consent',
        'Not asked',
        'Export data',
        'Privacy request',
        'Log privacy request',
        'Erase contact',
        'Legal holds',
        'Place hold',
        'Restriction',
        'Processed normally',
        'Who touched this data',
        'History',
      ],
    );
    expect(left).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/contact-panel-de.png` });

    await page.click('[data-testid="erase-button"]');
    const erase = page.locator('[data-testid="erase-dialog"]');
    await erase.waitFor();
    expect(await erase.locator('h2').textContent()).toBe('Ida Imhof löschen?');
    expect((await erase.textContent())?.replace(/\s+/g, ' ')).toContain(
      '2 Konversationen mit allen Nachrichten, Notizen und Anhängen',
    );
    expect(await text('[data-testid="erase-confirm"]')).toBe('Endgültig löschen');
    await page.screenshot({ path: `${SHOTS}/erase-dialog-de.png` });
    await erase.getByRole('button', { name: 'Abbrechen' }).click();
    await erase.waitFor({ state: 'detached' });

    await page.click('[data-testid="hold-button"]');
    const hold = page.locator('[data-testid="hold-dialog"]');
    await hold.waitFor();
    expect(await hold.locator('h2').textContent()).toBe('Rechtliche Aufbewahrung anlegen');
    expect(await text('[data-testid="hold-submit"]')).toBe('Aufbewahrung anlegen');
    await hold.getByRole('button', { name: 'Abbrechen' }).click();
    await hold.waitFor({ state: 'detached' });

    await page.click('[data-testid="log-request-button"]');
    const log = page.locator('[data-testid="log-request-dialog"]');
    await log.waitFor();
    expect(await log.locator('h2').textContent()).toBe('Datenschutzantrag erfassen');
    const kinds = await page.locator('[data-testid="log-request-kind"] option').allTextContents();
    expect(kinds[0]).toBe('Eine Kopie ihrer Daten (Art. 15)');
    const channels = await page.locator('[data-testid="log-request-channel"] option').allTextContents();
    expect(channels).toEqual(['Anruf', 'E-Mail', 'Brief', 'Persönlich', 'Chat', 'Sonstiges']);
    await page.screenshot({ path: `${SHOTS}/log-request-de.png` });
    await log.getByRole('button', { name: 'Abbrechen' }).click();
    await log.waitFor({ state: 'detached' });

    // A consent given on the phone, recorded by hand: the form, the badge and the toast read German.
    await page.click('[data-testid="consent-record-open"]');
    await page.selectOption('[data-testid="consent-record-purpose"]', 'marketing');
    await page.fill(
      '[data-testid="consent-record-evidence"]',
      'Telefonat am 6. Dezember, Rückruf auf die bekannte Nummer',
    );
    await page.click('[data-testid="consent-record-submit"]');
    await page.waitForSelector('[data-testid="toast"]:has-text("Einwilligung erfasst.")');
    await page.waitForSelector('[data-testid="consent-marketing"][data-state="granted"]');
    expect(await text('[data-testid="consent-marketing"] .badge')).toBe('Erteilt');
    expect(await text('[data-testid="consent-marketing"] .evidence')).toMatch(/^Fassung .+ · .+ · über E-Mail$/);
    expect(errors).toEqual([]);
  });
});
