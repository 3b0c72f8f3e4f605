import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { createAgent } from '../../server/domain/agents.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { parseEmail } from '../../channels/email/parse.ts';
import { agents, inboxes } from '../../drizzle/schema/index.ts';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser } from '../helpers/browser.ts';

const SHOTS = '/tmp/shots-i18n-server';

/**
 * Issue 18 (the server's last English texts): an admin reading in Swedish sees the Art. 30 record and the DPIA draft
 * written in Swedish; an agent reading in Finnish sees an email's parse markers and the PII policy's markers in
 * Finnish. Both in an English browser: the agent's stored preference decides.
 */
describe(`e2e in Chromium: the record, the DPIA and message markers in the agent's language (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let conversationId: string;
  const astrid = { email: 'astrid@test.example', name: 'Astrid Berg', password: 'astrid-e2e-password' };

  const login = async (who: { email: string; password: string }, lang: string) => {
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    await page.goto(`${server.url}/inbox/`);
    await page.fill('[data-testid="login-email"]', who.email);
    await page.fill('[data-testid="login-password"]', who.password);
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="logout"]');
    await page.waitForFunction((l) => document.documentElement.lang === l, lang);
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    [server, browser] = await Promise.all([startTestServer({ BOT_ENABLED: 'true' }), launchBrowser()]);
    const { root } = server;
    const created = await createAgent(root.db, { ...astrid, role: 'admin' }, null);
    await root.db.update(agents).set({ locale: 'sv' }).where(eq(agents.id, created.id));
    // An auto-reply whose text was too long to keep whole, parsed as the email channel parses it, with a card
    // number and an IBAN the inbox's PII policy removes and flags at ingest.
    const raw = Buffer.from(
      [
        'From: Aino Virtanen <aino@example.fi>',
        'Subject: Lasku',
        `Message-ID: <${randomUUID()}@example.fi>`,
        'Auto-Submitted: auto-replied',
        '',
        'Kortti 4111 1111 1111 1111 veloitettiin kahdesti, palautus tilille FI21 1234 5600 0007 85. ' +
          'Kiitos, olen lomalla viikon.',
        '',
      ].join('\r\n'),
    );
    const email = await parseEmail(raw, { maxAttachmentBytes: 1024 * 1024, maxTextChars: 110 });
    const [mail] = await root.db.insert(inboxes).values({ name: 'Sähköposti', channel: 'email' }).returning();
    const ingested = await ingest(root, {
      channel: 'email',
      inboxId: mail!.id,
      sender: { kind: 'email', address: email.from.address, name: email.from.name },
      threadKey: email.messageId,
      externalId: email.messageId,
      subject: email.subject ?? undefined,
      text: email.text,
      occurredAt: new Date(),
      metadata: { markers: email.markers },
    });
    conversationId = ingested.conversation.id;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the Art. 30 record and the DPIA draft written in Swedish', async () => {
    await login(astrid, 'sv');
    await page.click('[data-testid="nav-privacy"]');
    await page.click('[data-testid="privacy-nav-record"]');
    await page.waitForSelector('[data-testid="record-activities"] tbody tr');
    const activities = await page.innerText('[data-testid="record-activities"]');
    for (const words of ['Kundtjänst', 'Kundtjänststatistik', 'Personalkonton och ansvarsskyldighet'])
      expect(activities).toContain(words);
    expect(activities).not.toContain('Customer support');
    const messagesRow = await page.innerText('[data-testid="data-map-row"][data-table="messages"]');
    expect(messagesRow).toContain('Kundtjänst: vad som sades');
    expect(await page.innerText('[data-testid="data-map-row"][data-table="messages"] .subject')).toBe('kontakt');
    expect(await page.innerText('[data-testid="record-retention"]')).toContain('Samtalsinspelningar');
    await page.locator('#record-title').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/privacy-sv-record.png` });
    const processorHeads = await page.locator('[data-testid="record-processors"] th').allInnerTexts();
    expect(processorHeads.map((h) => h.toLowerCase())).toContain('kanaler');
    await page.locator('[data-testid="record-processors"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/privacy-sv-record-processors.png` });

    await page.click('[data-testid="privacy-nav-dpia"]');
    await page.waitForSelector('[data-testid="dpia-section"]');
    const titles = await page.locator('[data-testid="dpia-section"] > span').allInnerTexts();
    expect(titles).toContain('5. Automatiserad behandling (boten)');
    expect(titles).toContain('6. Nödvändighet och proportionalitet');
    expect(await page.inputValue('[data-testid="dpia-body-risks"]')).toContain(
      'Ett felaktigt eller vilseledande automatiserat svar.',
    );
    expect(await page.getAttribute('[data-testid="dpia-body-risks"]', 'lang')).toBe('sv');
    await page.locator('[data-testid="dpia"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/privacy-sv-dpia.png` });

    // The printable draft is the Swedish document too.
    const printable = await page.request.get(`${server.url}/api/privacy/dpia/print?locale=sv`);
    expect(await printable.text()).toContain('<h1>Konsekvensbedömning avseende dataskydd (art. 35 GDPR)</h1>');
    await page.close();
  });

  it('shows an email’s parse markers and the PII markers in Finnish', async () => {
    await server.root.db.update(agents).set({ locale: 'fi' }).where(eq(agents.email, astrid.email));
    await login(astrid, 'fi');
    await page.goto(`${server.url}/inbox/#/conversations/${conversationId}`);
    await page.waitForSelector('[data-testid="message-marker"]');
    const markers = (await page.locator('[data-testid="message-marker"]').allInnerTexts()).map((t) =>
      t.replace(/\s+/g, ' ').trim(),
    );
    expect(markers).toEqual([
      expect.stringMatching(/: teksti lyhennettiin 110 merkkiin; koko viesti on HTML-versiossa tai alkuperäisessä$/),
      expect.stringMatching(/: automaattinen vastaus$/),
      expect.stringMatching(/: poistettu ennen tallennusta: maksukortin numero \(1\)$/),
      expect.stringMatching(/: voi sisältää: IBAN-tilinumero \(1\)$/),
    ]);
    await page.locator('[data-testid="message-marker"]').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/conversation-fi-markers.png` });
  });
});
