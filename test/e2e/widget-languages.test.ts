import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { consentEvents, contactIdentities } from '../../drizzle/schema/index.ts';
import { addressOf, identityIs } from '../helpers/identities.ts';

const ARABIC = 'مرحبا، لم يصل طلبي بعد';
const HEBREW = 'שלום, ההזמנה שלי עוד לא הגיעה';

/** Whether the element's text runs right to left, as the browser resolved it (dir="auto"). */
const isRtl = (el: Element) => el.matches(':dir(rtl)');

describe(`e2e in Chromium: the widget in German and Finnish, right-to-left messages (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let agentContext: BrowserContext;
  let inbox: Page;

  beforeAll(async () => {
    server = await startTestServer({ CONTROLLER_NAME: 'Acme Shop GmbH', PRIVACY_POLICY_URL: 'https://acme.example/p' });
    browser = await launchBrowser();
    agentContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    inbox = await agentContext.newPage();
    await inbox.goto(`${server.url}/inbox/`);
    await inbox.fill('[data-testid="login-email"]', 'admin@example.com');
    await inbox.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await inbox.click('[data-testid="login-submit"]');
    await inbox.waitForSelector('[data-testid="logout"]');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** The consent events of the visitor whose widget this is, by the visitor id in the ledger's evidence. */
  const ledgerOf = async (visitorId: string) => {
    const [identity] = await server.root.db
      .select()
      .from(contactIdentities)
      .where(identityIs(server.root.db, 'visitor', visitorId));
    return server.root.db.select().from(consentEvents).where(eq(consentEvents.contactId, identity!.contactId));
  };
  const lastVisitorId = async () => {
    const rows = await server.root.db.select().from(contactIdentities).where(eq(contactIdentities.kind, 'visitor'));
    return (await addressOf(server.root.db, rows.at(-1)!))!;
  };

  /** The agent answers in the conversation the visitor just opened (the newest row in the inbox). */
  async function agentReplies(preview: string, text: string) {
    const row = await inbox.waitForSelector(`[data-testid="conversation-row"]:has-text("${preview}")`);
    await row.click();
    await inbox.waitForSelector(`[data-testid="message-body"]:has-text("${preview}")`);
    await inbox.fill('[data-testid="reply-input"]', text);
    await inbox.click('[data-testid="reply-send"]');
  }

  describe('German, chosen by the host page (data-locale on the embed) in an English browser', () => {
    let context: BrowserContext;
    let site: Page;
    let frame: Frame;

    beforeAll(async () => {
      context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
      site = await context.newPage();
    });
    afterAll(() => context?.close());

    it('shows the launcher, the whole notice and its purposes in German', async () => {
      await site.goto(`${server.url.replace('127.0.0.1', 'localhost')}/demo?locale=de`);
      const launcher = await site.waitForSelector('[data-testid="widget-launcher"]');
      expect(await launcher.getAttribute('aria-label')).toBe('Support-Chat öffnen');
      await launcher.click();
      const handle = await site.waitForSelector('[data-testid="widget-frame"]', { state: 'attached' });
      frame = (await handle.contentFrame())!;
      await frame.waitForSelector('[data-testid="consent-notice"]');
      expect(await frame.getAttribute('html', 'lang')).toBe('de');
      expect(await frame.textContent('#notice-title')).toBe('Ihre Privatsphäre in diesem Chat');
      const text = await frame.textContent('[data-testid="consent-text"]');
      expect(text).toContain('Diesen Chat betreibt Acme Shop GmbH');
      expect(text).toContain('pseudonym, nicht anonym');
      expect(await frame.textContent('[data-testid="consent-notice"] fieldset')).toContain(
        'Meine Nachrichten speichern, damit der Support mir antworten kann',
      );
      expect((await frame.textContent('[data-testid="consent-accept"]'))?.trim()).toBe('Chat starten');
      expect(await frame.inputValue('[data-testid="widget-language"]')).toBe('de');
      await site.screenshot({ path: `${SCREENSHOTS}/i18n-01-widget-notice-de.png` });
    });

    it('records the German notice’s language, version and hash in the ledger', async () => {
      await frame.check('[data-testid="consent-support"]');
      await frame.click('[data-testid="consent-accept"]');
      await frame.waitForSelector('[data-testid="chat-input"]');
      expect(await frame.getAttribute('[data-testid="chat-input"]', 'placeholder')).toBe('Nachricht schreiben…');
      const events = await ledgerOf(await lastVisitorId());
      expect(events.map((e) => [e.purpose, e.language, e.textHash]).sort()).toEqual([
        ['analytics', 'de', server.root.notices.de.textHash],
        ['support', 'de', server.root.notices.de.textHash],
      ]);
    });

    it('chats in German; Arabic and Hebrew messages run right to left in the widget and in the inbox', async () => {
      await frame.fill('[data-testid="chat-input"]', 'Hallo, meine Bestellung ist nicht angekommen.');
      await frame.click('[data-testid="chat-send"]');
      await agentReplies('Hallo, meine Bestellung', 'Das tut mir leid! Ich frage beim Versand nach.');
      const reply = await frame.waitForSelector('[data-testid="chat-message"][data-from="agent"]');
      expect(await reply.textContent()).toContain('Ich frage beim Versand nach.');
      // The inbox still shows this conversation: the next messages arrive there live.
      await frame.fill('[data-testid="chat-input"]', ARABIC);
      await frame.click('[data-testid="chat-send"]');
      await frame.fill('[data-testid="chat-input"]', HEBREW);
      await frame.click('[data-testid="chat-send"]');

      for (const words of [ARABIC, HEBREW]) {
        const inWidget = await frame.waitForSelector(`[data-testid="chat-message-body"]:has-text("${words}")`);
        expect(await inWidget.evaluate(isRtl)).toBe(true);
        const inInbox = await inbox.waitForSelector(`[data-testid="message-body"]:has-text("${words}")`);
        expect(await inInbox.evaluate(isRtl)).toBe(true);
      }
      const german = await frame.waitForSelector('[data-testid="chat-message-body"]:has-text("Hallo, meine")');
      expect(await german.evaluate(isRtl)).toBe(false);
      await site.screenshot({ path: `${SCREENSHOTS}/i18n-02-widget-chat-de-rtl.png` });
      await inbox.screenshot({ path: `${SCREENSHOTS}/i18n-03-inbox-rtl.png` });
    });

    it('shows the privacy panel in German and records a change with the German notice', async () => {
      await frame.click('[data-testid="privacy-menu"]');
      await frame.waitForSelector('[data-testid="privacy-panel"]');
      expect(await frame.textContent('#privacy-title')).toBe('Datenschutz und Ihre Daten');
      const analytics = await frame.waitForSelector('[data-testid="privacy-purpose"][data-purpose="analytics"]');
      expect(await analytics.textContent()).toContain('Mein Gespräch in der pseudonymen Support-Statistik zählen');
      expect(await analytics.textContent()).toContain('Nicht erteilt');
      expect(await analytics.textContent()).toMatch(/seit \d{2}\.\d{2}\.\d{4}/);
      await frame.click('[data-testid="privacy-consent-analytics"]');
      await frame.waitForSelector('[data-testid="privacy-consent-status"]:has-text("Gespeichert.")');
      const events = await ledgerOf(await lastVisitorId());
      const granted = events.find((e) => e.purpose === 'analytics' && e.granted);
      expect(granted).toMatchObject({ language: 'de', policyVersion: server.root.notices.de.policyVersion });
      expect(await frame.textContent('[data-testid="privacy-download"]')).toContain('Herunterladen');
      await site.screenshot({ path: `${SCREENSHOTS}/i18n-04-widget-privacy-de.png` });
    });
  });

  describe('Finnish, chosen by the browser (no language from the page), with the switcher', () => {
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      context = await browser.newContext({ viewport: { width: 420, height: 720 }, locale: 'fi-FI' });
      page = await context.newPage();
    });
    afterAll(() => context?.close());

    it('shows the notice in Finnish, and in Swedish after a switch (its own text), then back', async () => {
      await page.goto(`${server.url}/widget/?inbox=${server.chatInboxId}`);
      await page.waitForSelector('[data-testid="consent-notice"]');
      expect(await page.getAttribute('html', 'lang')).toBe('fi');
      expect(await page.textContent('#notice-title')).toBe('Yksityisyytesi tässä chatissa');
      expect(await page.textContent('[data-testid="consent-text"]')).toContain('Tätä chattia ylläpitää Acme Shop GmbH');
      await page.screenshot({ path: `${SCREENSHOTS}/i18n-05-widget-notice-fi.png` });

      await page.selectOption('[data-testid="widget-language"]', 'sv');
      await page.waitForSelector('[data-testid="consent-text"]:has-text("Den här chatten drivs av Acme Shop GmbH")');
      expect(await page.textContent('#notice-title')).toBe('Din integritet i den här chatten');
      expect(await page.getAttribute('html', 'lang')).toBe('sv');

      await page.selectOption('[data-testid="widget-language"]', 'fi');
      await page.waitForSelector('[data-testid="consent-text"]:has-text("Tätä chattia ylläpitää")');
    });

    it('chats in Finnish and shows the privacy panel in Finnish; the ledger says fi', async () => {
      await page.check('[data-testid="consent-support"]');
      await page.check('[data-testid="consent-analytics"]');
      await page.click('[data-testid="consent-accept"]');
      await page.waitForSelector('[data-testid="chat-input"]');
      expect(await page.getAttribute('[data-testid="chat-input"]', 'placeholder')).toBe('Kirjoita viesti…');
      await page.fill('[data-testid="chat-input"]', 'Hei, missä tilaukseni on? Maksoin kortilla 4111111111111111.');
      await page.click('[data-testid="chat-send"]');
      await agentReplies('Hei, missä tilaukseni', 'Tarkistan asian heti.');
      await page.waitForSelector('[data-testid="chat-message"][data-from="agent"]');
      // The admin kept the default name "Support team": the visitor reads the team's name in Finnish instead.
      expect(await page.textContent('[data-testid="chat-message"][data-from="agent"] .author')).toBe('Asiakaspalvelu');
      // The inbox's PII policy removed the card number before storage: the visitor sees the Finnish word for it.
      const mine = page.locator('[data-testid="chat-message"][data-from="visitor"] [data-testid="chat-message-body"]');
      expect(await mine.innerText()).toBe('Hei, missä tilaukseni on? Maksoin kortilla [peitetty] (…1111).');
      expect(await page.getAttribute('[data-testid="redaction-marker"]', 'title')).toBe(
        'Poistettu henkilötietojen suojaamiseksi',
      );
      await page.screenshot({ path: `${SCREENSHOTS}/i18n-06-widget-chat-fi.png` });

      await page.click('[data-testid="privacy-menu"]');
      await page.waitForSelector('[data-testid="privacy-panel"]');
      expect(await page.textContent('#privacy-title')).toBe('Tietosuoja ja tietosi');
      const analytics = await page.waitForSelector('[data-testid="privacy-purpose"][data-purpose="analytics"]');
      expect(await analytics.textContent()).toContain('Annettu');
      expect(await page.textContent('[data-testid="privacy-end-chat"]')).toContain('Lopeta chat');
      await page.screenshot({ path: `${SCREENSHOTS}/i18n-07-widget-privacy-fi.png` });

      const events = await ledgerOf(await lastVisitorId());
      expect(new Set(events.map((e) => e.language))).toEqual(new Set(['fi']));
      expect(new Set(events.map((e) => e.textHash))).toEqual(new Set([server.root.notices.fi.textHash]));
    });
  });
});
