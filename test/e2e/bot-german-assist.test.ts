import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Frame, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { kbSeedFor } from '../../server/demo/kb.ts';
import { BOT_TEXTS } from '../../bot/language-texts.ts';

/**
 * Issue 16 item 10: in German, a visitor is told they talk to a bot, gets a KB answer from the German
 * article, asks something off-topic and is handed off (in German); the agent sees suggestions for the
 * customer's next question above the composer and sends one with a click.
 */
describe(`e2e in Chromium: German visitor, bot answer, hand-off, agent assist (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let site: Page;
  let inbox: Page;

  beforeAll(async () => {
    server = await startTestServer({ BOT_ENABLED: 'true', BOT_EMBEDDER: 'lexical' });
    const admin = await server.agentClient('admin');
    // English and German: the German visitor must get the German articles.
    for (const article of kbSeedFor('en', 'de')) await admin.post('/api/kb/articles', article);
    await new Promise((r) => setTimeout(r, 200));
    await server.bot.whenReady();
    browser = await launchBrowser();
    site = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'de-DE' })).newPage();
    inbox = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await inbox.goto(`${server.url}/inbox/`);
    await inbox.fill('[data-testid="login-email"]', 'admin@example.com');
    await inbox.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await inbox.click('[data-testid="login-submit"]');
    await inbox.waitForSelector('[data-testid="logout"]');
    // Every article added rebuilds the bot once; on a loaded machine that takes longer than the default.
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const frame = async (): Promise<Frame> =>
    (await (await site.waitForSelector('[data-testid="widget-frame"]', { state: 'attached' })).contentFrame())!;
  const say = async (f: Frame, text: string) => {
    await f.fill('[data-testid="chat-input"]', text);
    await f.click('[data-testid="chat-send"]');
  };
  const botSays = (f: Frame, text: string) =>
    f.waitForFunction(
      (t) =>
        [...document.querySelectorAll('[data-testid="chat-message"][data-from="bot"]')].some((el) =>
          el.textContent?.includes(t),
        ),
      text,
    );

  it('the visitor learns it is a bot and gets the German answer', async () => {
    await site.goto(`${server.url.replace('127.0.0.1', 'localhost')}/demo`);
    await site.click('[data-testid="widget-launcher"]');
    const f = await frame();
    await f.check('[data-testid="consent-support"]');
    await f.click('[data-testid="consent-accept"]');
    await say(f, 'Wie lange dauert der Versand nach Österreich?');
    await botSays(f, 'Ich bin ein automatischer Assistent');
    await botSays(f, 'Die Standardlieferung dauert innerhalb Deutschlands 2–4 Werktage');
    const bubbles = await f.$$eval('[data-testid="chat-message"][data-from="bot"]', (els) =>
      els.map((e) => e.textContent ?? ''),
    );
    // The disclosure comes first, then the answer.
    expect(bubbles[0]).toContain('schreiben Sie jederzeit „Mensch“');
    expect(bubbles[1]).toContain('Expressversand');
    await site.screenshot({ path: `${SCREENSHOTS}/40-widget-bot-german-answer.png` });
  });

  it('an off-topic question is handed off in German', async () => {
    const f = await frame();
    await say(f, 'Wie wird das Wetter morgen in Berlin?');
    await botSays(f, BOT_TEXTS.de!.handoff);
    await say(f, 'Und kann ich meine Wanderschuhe zurückgeben, wenn sie nicht passen?');
    await f.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="chat-message"]')].some((el) =>
        el.textContent?.includes('Wanderschuhe zurückgeben'),
      ),
    );
    await site.screenshot({ path: `${SCREENSHOTS}/41-widget-bot-german-handoff.png` });
  });

  it('the agent sees the suggestions for the last question and sends one', async () => {
    await inbox.click('[data-testid="filter-status-open"]');
    const row = await inbox.waitForSelector('[data-testid="conversation-row"]');
    await row.click();
    await inbox.waitForFunction(() =>
      document.querySelector('[data-testid="message-list"]')?.textContent?.includes('Wanderschuhe zurückgeben'),
    );
    expect(await inbox.textContent('[data-testid="message-list"]')).toContain(
      'Shown to the customer: automated assistant notice (EU AI Act Art. 50), in de',
    );
    const suggestion = await inbox.waitForSelector(
      '[data-testid="assist-article"][data-title="Rücksendung und Erstattung"]',
    );
    const titles = await inbox.$$eval('[data-testid="assist-article"]', (els) =>
      els.map((e) => e.getAttribute('data-title')),
    );
    expect(titles[0]).toBe('Rücksendung und Erstattung');
    await inbox.screenshot({ path: `${SCREENSHOTS}/42-inbox-assist-suggestions.png` });
    await suggestion.click();
    const draft = await inbox.inputValue('[data-testid="reply-input"]');
    expect(draft).toContain('innerhalb von 30 Tagen nach der Lieferung');
    // Editable: the agent adds a line before sending.
    await inbox.fill('[data-testid="reply-input"]', `Hallo! ${draft}`);
    await inbox.click('[data-testid="reply-send"]');
    const f = await frame();
    await f.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="chat-message"]')].some((el) =>
        el.textContent?.includes('Hallo! Unbenutzte Artikel'),
      ),
    );
    await site.screenshot({ path: `${SCREENSHOTS}/43-widget-agent-sent-suggestion.png` });
  });
  it("a German agent reads the bot's confidence with a decimal comma", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'de-DE' });
    const german = await context.newPage();
    await german.goto(`${server.url}/inbox/`);
    await german.fill('[data-testid="login-email"]', 'admin@example.com');
    await german.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await german.click('[data-testid="login-submit"]');
    await german.waitForFunction(() => document.documentElement.lang === 'de');
    await german.click('[data-testid="filter-status-all"]');
    await (await german.waitForSelector('[data-testid="conversation-row"]')).click();
    const decisions = german.locator('[data-testid="bot-decision"]');
    await decisions.first().waitFor();
    const texts = (await decisions.allTextContents()).join(' ');
    expect(texts).toMatch(/Sicherheit \d,\d\d/);
    expect(texts).not.toMatch(/Sicherheit \d\.\d\d/);
    await context.close();
  });
});
