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
 * An agent copies a customer's message that has a part redacted: the clipboard holds what they see, the redaction
 * in their language ("[geschwärzt]") between the words around it, none of them lost.
 */
describe(`e2e in Chromium: copying a message with a redaction (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const jonas = { email: 'jonas@test.example', name: 'Jonas Weber', password: 'jonas-e2e-password' };
  const TEXT = 'Bitte rufen Sie mich unter 0401234567 morgen früh an, danke.';

  beforeAll(async () => {
    server = await startTestServer();
    const created = await createAgent(server.root.db, { ...jonas, role: 'agent' }, null);
    await server.root.db.update(agents).set({ locale: 'de' }).where(eq(agents.id, created.id));
    const visitor = await server.visitor();
    expect((await visitor.post('/api/widget/messages', { clientId: randomUUID(), text: TEXT })).status).toBe(201);
    const admin = await server.agentClient('admin');
    const conversationId = (await visitor.get('/api/widget/messages')).body.conversationId as string;
    const message = (
      (await admin.get(`/api/conversations/${conversationId}`)).body.messages as Array<{ id: string }>
    )[0]!;
    const start = TEXT.indexOf('0401234567');
    expect((await admin.post(`/api/messages/${message.id}/redact`, { start, end: start + 10 })).status).toBe(200);

    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'de-DE' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await context.newPage();
    await page.goto(`${server.url}/inbox/`);
    await page.fill('[data-testid="login-email"]', jonas.email);
    await page.fill('[data-testid="login-password"]', jonas.password);
    await page.click('[data-testid="login-submit"]');
    await page.click('[data-testid="conversation-row"]');
    await page.waitForSelector('[data-testid="redaction-marker"]');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Selects the body's text from `from` to `to` (inclusive words, as a drag would) and copies it with Ctrl+C. */
  async function copy(from: string, to: string): Promise<string> {
    await page.evaluate(
      ([first, last]) => {
        const body = document.querySelector('[data-testid="message-body"]')!;
        const texts: Text[] = [];
        const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) texts.push(walker.currentNode as Text);
        const startNode = texts.find((n) => n.data.includes(first))!;
        const endNode = [...texts].reverse().find((n) => n.data.includes(last))!;
        const range = document.createRange();
        range.setStart(startNode, startNode.data.indexOf(first));
        range.setEnd(endNode, endNode.data.indexOf(last) + last.length);
        getSelection()!.removeAllRanges();
        getSelection()!.addRange(range);
      },
      [from, to] as const,
    );
    await page.keyboard.press('Control+c');
    return page.evaluate(() => navigator.clipboard.readText());
  }

  it('copies the whole message with the redaction worded as the agent sees it', async () => {
    await page.screenshot({ path: `${SCREENSHOTS}/redaction-copy.png` });
    expect(await copy('Bitte', 'danke.')).toBe('Bitte rufen Sie mich unter [geschwärzt] morgen früh an, danke.');
  });

  it('copies the words on both sides of the redaction when the selection starts or ends next to it', async () => {
    expect(await copy('unter', 'morgen')).toBe('unter [geschwärzt] morgen');
    expect(await copy('mich', 'unter ')).toBe('mich unter ');
    expect(await copy('morgen', 'früh')).toBe('morgen früh');
  });
});
