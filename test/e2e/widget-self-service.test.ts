import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { openContact } from '../../server/domain/contact-fields.ts';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { readZip } from '../helpers/zip.ts';
import { contactIdentities, contacts } from '../../drizzle/schema/index.ts';

/** Issue 21 item 2 in Chromium: the widget's privacy panel asks for a copy link and corrects the visitor's details. */
describe(`e2e in Chromium: self-service from the widget's privacy panel (${dbMode})`, () => {
  let server: TestServer;
  let smtp: SmtpSink;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [smtp, server, browser] = await Promise.all([
      startSmtpSink(),
      startTestServer({ EMAIL_IMAP_ENABLED: 'false' }),
      launchBrowser(),
    ]);
    const admin = await server.agentClient('admin');
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
    const context = await browser.newContext({ viewport: { width: 420, height: 760 }, locale: 'de-DE' });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await smtp?.stop();
  });

  const visitorContact = async () => {
    const [identity] = await server.root.db
      .select()
      .from(contactIdentities)
      .where(eq(contactIdentities.kind, 'visitor'));
    const [contact] = await server.root.db.select().from(contacts).where(eq(contacts.id, identity!.contactId));
    // Name, email and phone are stored sealed (issue 22): opened as the server reads them.
    return openContact(server.root.dataKeys, contact!);
  };

  it('gets a download link to the copy, in German, and the link downloads it', async () => {
    await page.goto(`${server.url}/widget/?inbox=${server.chatInboxId}`);
    await page.check('[data-testid="consent-support"]');
    await page.click('[data-testid="consent-accept"]');
    await page.waitForSelector('[data-testid="chat-input"]');
    await page.click('[data-testid="privacy-menu"]');
    await page.waitForSelector('[data-testid="privacy-panel"]');

    await page.click('[data-testid="privacy-link-request"]');
    const link = await page.waitForSelector('[data-testid="privacy-link"]');
    expect(await link.textContent()).toContain('Kopie herunterladen');
    expect(await page.textContent('[data-testid="privacy-link-ready"]')).toMatch(/gültig bis .*2\d{3}/);
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/\/api\/public\/privacy-requests\/download\/[\w-]{20,}$/);
    await link.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}/widget-self-service-link.png` });

    const res = await page.request.get(`${server.url}${new URL(href).pathname}`);
    expect(res.status()).toBe(200);
    const zip = await readZip(Buffer.from(await res.body()));
    expect([...zip.keys()]).toContain('data.json');
  });

  it('corrects the name at once and the email only after the code sent to the new address', async () => {
    await page.click('[data-testid="privacy-fix-open"]');
    await page.fill('[data-testid="privacy-fix-name"]', 'Greta Gans');
    await page.fill('[data-testid="privacy-fix-email"]', 'greta.gans@example.org');
    await page.screenshot({ path: `${SCREENSHOTS}/widget-self-service-fix-form.png` });
    const before = smtp.received.length;
    await page.click('[data-testid="privacy-fix-submit"]');
    await page.waitForSelector('[data-testid="privacy-fix-code-input"]');
    expect(await page.textContent('[data-testid="privacy-fix-code"]')).toContain(
      'Wir haben einen Code an die neue E-Mail-Adresse gesendet',
    );
    // The name changed; the email waits for the code.
    expect(await visitorContact()).toMatchObject({ name: 'Greta Gans', email: null });

    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail!.envelope.to).toEqual(['greta.gans@example.org']);
    expect(mail!.parsed.subject).toBe('Bestätigen Sie Ihre neue E-Mail-Adresse');
    const code = /\b(\d{6})\b/.exec(mail!.parsed.text ?? '')![1]!;

    await page.fill('[data-testid="privacy-fix-code-input"]', code === '000000' ? '111111' : '000000');
    await page.click('[data-testid="privacy-fix-confirm"]');
    await page.waitForSelector('[data-testid="privacy-fix-status"]:has-text("Der Code ist falsch oder abgelaufen.")');
    await page.screenshot({ path: `${SCREENSHOTS}/widget-self-service-code.png` });
    expect((await visitorContact()).email).toBeNull();

    await page.fill('[data-testid="privacy-fix-code-input"]', code);
    await page.click('[data-testid="privacy-fix-confirm"]');
    await page.waitForSelector('[data-testid="privacy-fix-status"]:has-text("Danke, Ihre Angaben sind berichtigt.")');
    expect(await page.$('[data-testid="privacy-fix-code-input"]')).toBeNull();
    expect(await visitorContact()).toMatchObject({ name: 'Greta Gans', email: 'greta.gans@example.org' });
    await page.screenshot({ path: `${SCREENSHOTS}/widget-self-service-fixed.png` });
  });

  it('asks for erasure and says how the outcome will come: by mail, or that no address is on file', async () => {
    await page.click('[data-testid="privacy-erase-open"]');
    await page.click('[data-testid="privacy-erase-send"]');
    await page.waitForSelector(
      '[data-testid="privacy-erase-status"]:has-text("Das Ergebnis teilen wir Ihnen per E-Mail mit.")',
    );

    // A visitor who only chatted and gave no address is told that nothing can carry the answer, and what to do.
    const context = await browser.newContext({ viewport: { width: 420, height: 760 }, locale: 'de-DE' });
    const chatOnly = await context.newPage();
    await chatOnly.goto(`${server.url}/widget/?inbox=${server.chatInboxId}`);
    await chatOnly.check('[data-testid="consent-support"]');
    await chatOnly.click('[data-testid="consent-accept"]');
    await chatOnly.waitForSelector('[data-testid="chat-input"]');
    await chatOnly.click('[data-testid="privacy-menu"]');
    await chatOnly.click('[data-testid="privacy-erase-open"]');
    await chatOnly.click('[data-testid="privacy-erase-send"]');
    const status = await chatOnly.waitForSelector(
      '[data-testid="privacy-erase-status"]:has-text("Ihr Antrag ist registriert")',
    );
    expect(await status.textContent()).toContain(
      'Wir haben keine E-Mail-Adresse und keine Telefonnummer, an die wir das Ergebnis senden können: ' +
        'Tragen Sie unter „Ihre Angaben berichtigen“ Ihre E-Mail-Adresse ein, wenn Sie es erfahren möchten.',
    );
    await chatOnly.screenshot({ path: `${SCREENSHOTS}/widget-erasure-no-address.png` });
    await context.close();
  });
});
