import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';

type Problem = { text: string; why: string };

/**
 * Runs in the page: the top bar against the window. Nothing in it may reach past the window's edges, nothing may
 * scroll sideways (the bar, the page), and no visible text may be cut (an element narrower than its content).
 */
function topbarProblems(): Problem[] {
  const bar = document.querySelector<HTMLElement>('header.topbar')!;
  const problems: Problem[] = [];
  const width = document.documentElement.clientWidth;
  if (bar.scrollWidth > bar.clientWidth + 1)
    problems.push({ text: '(top bar)', why: `content ${bar.scrollWidth} px wide in ${bar.clientWidth} px` });
  if (document.documentElement.scrollWidth > width + 1) problems.push({ text: '(page)', why: 'scrolls sideways' });
  // Words kept only for screen readers (clipped to nothing, as .visually-hidden does) are not on screen.
  const clipped = (el: Element) => {
    for (let a: Element | null = el; a && a !== bar; a = a.parentElement)
      if (getComputedStyle(a).clip.startsWith('rect')) return true;
    return false;
  };
  for (const el of bar.querySelectorAll<HTMLElement>('*')) {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (box.width === 0 || style.visibility === 'hidden' || clipped(el)) continue;
    const text = (el.textContent ?? '').trim().slice(0, 40) || el.tagName.toLowerCase();
    if (box.right > width + 1 || box.left < -1)
      problems.push({ text, why: `outside the window (${Math.round(box.left)}–${Math.round(box.right)} of ${width})` });
    if (style.display !== 'inline' && el.tagName !== 'INPUT' && el.scrollWidth > el.clientWidth + 1)
      problems.push({ text, why: `cut (${el.scrollWidth} > ${el.clientWidth})` });
  }
  return problems;
}

/** The inbox's top bar at the widths support teams work at, for the role with the most in it and for an agent. */
describe(`e2e in Chromium: the top bar fits at 1280 and 1440 px (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  const agentPassword = 'topbar-agent-password';

  beforeAll(async () => {
    server = await startTestServer();
    const { createAgent } = await import('../../server/domain/agents.ts');
    await createAgent(
      server.root.db,
      {
        email: 'alexandra.long-name@test.example',
        name: 'Alexandra Longname-Smith',
        role: 'agent',
        password: agentPassword,
      },
      null,
    );
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const cases = [
    { who: 'admin', email: 'admin@example.com', password: ADMIN_PASSWORD },
    { who: 'agent', email: 'alexandra.long-name@test.example', password: agentPassword },
  ];
  for (const width of [1280, 1440])
    for (const { who, email, password } of cases)
      it(`does not overflow at ${width} px for an ${who}`, async () => {
        const page = await (await browser.newContext({ viewport: { width, height: 800 } })).newPage();
        await page.goto(`${server.url}/inbox/`);
        await page.fill('[data-testid="login-email"]', email);
        await page.fill('[data-testid="login-password"]', password);
        await page.click('[data-testid="login-submit"]');
        await page.waitForSelector('[data-testid="logout"]');
        await page.locator('[data-testid="realtime-status"].live-live').waitFor();
        await page.screenshot({
          path: `${SCREENSHOTS}/topbar-${who}-${width}.png`,
          clip: { x: 0, y: 0, width, height: 60 },
        });
        expect(await page.evaluate(topbarProblems)).toEqual([]);
        // Every page of the main navigation stays one click away.
        const nav = await page
          .locator('nav[aria-label="Main"] a')
          .evaluateAll((links) => links.map((a) => a.getAttribute('data-testid')));
        expect(nav).toEqual(
          who === 'admin'
            ? ['nav-conversations', 'nav-kb', 'nav-replies', 'nav-analytics', 'nav-agents', 'nav-privacy']
            : ['nav-conversations', 'nav-kb', 'nav-replies'],
        );
        for (const link of await page.locator('nav[aria-label="Main"] a').all())
          expect(await link.isVisible()).toBe(true);
        await page.context().close();
      });
});
