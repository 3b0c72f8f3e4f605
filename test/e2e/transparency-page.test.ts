import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** Issue 21 items 6 and 8: the transparency page per language, and the request page, as a person sees them. */
describe(`transparency and request pages in Chromium (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer({
        CONTROLLER_NAME: 'Acme Outdoor GmbH',
        CONTROLLER_CONTACT: 'privacy@acme.example',
        HOSTING_PROVIDER: 'Hetzner Online GmbH',
        HOSTING_COUNTRY: 'Germany',
        BOT_ENABLED: 'true',
      }),
      launchBrowser(),
    ]);
    const admin = await server.agentClient('admin');
    // Conversations are kept 365 days; the other classes until erased (their policies are off by default).
    const saved = await admin.send('PUT', '/api/privacy/retention/messages', {
      enabled: true,
      retainDays: 365,
      confirm: true,
    });
    expect(saved.status).toBe(200);
    // Tightening waits out a grace period; the admin puts it in force now.
    expect((await admin.post('/api/privacy/retention/messages/apply-now', { confirm: true })).status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('says in German what is stored, why, how long, who sees it and the rights, from the configuration', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${server.url}/privacy?lang=de`);
    expect(await page.getAttribute('html', 'lang')).toBe('de');
    expect(await page.textContent('h1')).toBe('Wie wir mit Ihren Daten umgehen, wenn Sie uns kontaktieren');
    const headings = await page.$$eval('h2', (hs) => hs.map((h) => h.textContent));
    expect(headings).toEqual(['Was wir speichern', 'Wozu', 'Wie lange', 'Wer sie noch sieht', 'Ihre Rechte']);
    const body = (await page.textContent('main'))!;
    expect(body).toContain('Acme Outdoor GmbH ist für die hier beschriebenen Daten verantwortlich.');
    expect(body).toContain('privacy@acme.example');
    expect(body).toContain('Hetzner Online GmbH (Germany)');
    expect(body).toContain('automatischer Assistent');
    // No voice inbox: recordings are neither described nor listed.
    expect(body).not.toContain('Gesprächsaufzeichnungen');
    const retention = await page.$$eval('[data-testid="retention"] tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(retention).toContainEqual(['Gespräche', '365 Tage']);
    expect(retention).toContainEqual(['Dateien', 'bis Sie die Löschung verlangen']);
    await page.screenshot({ path: `${SCREENSHOTS}/transparency-de.png`, fullPage: true });

    await page.click('a.cta');
    await page.waitForURL(/\/privacy\/request\?lang=de$/);
    expect(await page.textContent('h1')).toBe('Ihre Datenschutzanfragen');
    await page.screenshot({ path: `${SCREENSHOTS}/request-page-de.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('has a page in each of the five languages, and the consent notice links to it', async () => {
    const page = await browser.newPage();
    for (const [lang, title] of [
      ['en', 'How we handle your data when you contact us'],
      ['fr', 'Comment nous traitons vos données lorsque vous nous contactez'],
      ['fi', 'Miten käsittelemme tietojasi, kun otat meihin yhteyttä'],
      ['sv', 'Så hanterar vi dina uppgifter när du kontaktar oss'],
    ]) {
      await page.goto(`${server.url}/privacy?lang=${lang}`);
      expect(await page.textContent('h1')).toBe(title);
    }
    await page.screenshot({ path: `${SCREENSHOTS}/transparency-sv.png`, fullPage: true });
    await page.close();
    const config = await fetch(`${server.url}/api/widget/config?inbox=${server.chatInboxId}`).then((r) => r.json());
    expect(config.notice.transparencyUrl).toBe(`${server.url}/privacy`);
    expect(config.notice.text).toContain('see our transparency page');
  });
});
