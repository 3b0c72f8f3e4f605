import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { createAgent } from '../../server/domain/agents.ts';
import { agents } from '../../drizzle/schema/index.ts';

/**
 * A German admin at 1280x800 opens a conversation: the longer German words ("Gesprächsaufzeichnung",
 * "Einschränken…", "Nicht zugewiesen") fit; nothing runs off the contact panel's edge or is cut in the header.
 */
describe(`e2e in Chromium: the conversation view in German at 1280x800 (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const greta = { email: 'greta@test.example', name: 'Greta Vogel', password: 'greta-e2e-password' };

  beforeAll(async () => {
    server = await startTestServer();
    const created = await createAgent(server.root.db, { ...greta, role: 'admin' }, null);
    await server.root.db.update(agents).set({ locale: 'de' }).where(eq(agents.id, created.id));
    const visitor = await server.visitor();
    await visitor.post('/api/widget/messages', { clientId: randomUUID(), text: 'Wo ist mein Paket?' });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'de-DE' })).newPage();
    await page.goto(`${server.url}/inbox/`);
    await page.fill('[data-testid="login-email"]', greta.email);
    await page.fill('[data-testid="login-password"]', greta.password);
    await page.click('[data-testid="login-submit"]');
    await page.click('[data-testid="conversation-row"]');
    await page.waitForSelector('[data-testid="restrict-button"]');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('keeps the contact panel within its width: badges and section buttons inside, no sideways scroll', async () => {
    await page.screenshot({ path: `${SCREENSHOTS}/inbox-german-panel.png` });
    const panel = page.locator('[data-testid="contact-panel"]');
    expect(await panel.textContent()).toContain('Gesprächsaufzeichnung');
    const overflow = await panel.evaluate((el) => {
      const edge = el.getBoundingClientRect().left + el.clientWidth;
      const outside = [...el.querySelectorAll<HTMLElement>('.badge, button')]
        .filter((b) => b.getBoundingClientRect().width > 0 && b.getBoundingClientRect().right > edge + 0.5)
        .map((b) => b.textContent?.trim());
      return { sideways: el.scrollWidth - el.clientWidth, outside };
    });
    expect(overflow).toEqual({ sideways: 0, outside: [] });
  });

  it('shows "Nicht zugewiesen" whole in the assignee picker', async () => {
    const select = page.locator('[data-testid="assign-select"]');
    expect(await select.evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.text)).toBe('Nicht zugewiesen');
    // The text's width in the select's own font, against the room its padding leaves.
    const fit = await select.evaluate((el: HTMLSelectElement) => {
      const style = getComputedStyle(el);
      const context = document.createElement('canvas').getContext('2d')!;
      context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return { text: Math.ceil(context.measureText(el.selectedOptions[0]!.text).width), room };
    });
    expect(fit.text).toBeLessThanOrEqual(fit.room);
  });
});
