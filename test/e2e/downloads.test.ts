import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, SCREENSHOTS } from '../helpers/browser.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { inboxes } from '../../drizzle/schema/index.ts';

/** What a stranger's mail attachment would do if the browser ran it inside the inbox. */
const EVIL_JS = 'window.__pwned = true; document.title = "pwned";\n';

describe(`e2e in Chromium: stored files never run, the API docs work under their CSP (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let evilId: string;

  beforeAll(async () => {
    server = await startTestServer();
    const [mail] = await server.root.db.insert(inboxes).values({ name: 'Mail', channel: 'email' }).returning();
    const { message } = await ingest(server.root, {
      channel: 'email',
      inboxId: mail!.id,
      sender: { kind: 'email', address: 'mallory@evil.example' },
      threadKey: `<${randomUUID()}@evil.example>`,
      externalId: `<${randomUUID()}@evil.example>`,
      text: 'the script you asked for',
      occurredAt: new Date(),
      attachments: [{ filename: 'evil.js', contentType: 'application/javascript', content: Buffer.from(EVIL_JS) }],
    });
    evilId = message.attachments![0]!.id;
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    // Every CSP violation the pages report, collected before any page script runs.
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __violations: string[] }).__violations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an attachment loaded by a <script src> in the signed-in inbox does not execute', async () => {
    await page.goto(`${server.url}/inbox/`);
    await page.fill('[data-testid="login-email"]', 'admin@example.com');
    await page.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="logout"]');
    // What an injection into the inbox would add: the inbox CSP allows scripts from its own origin, and the
    // attachment is on that origin. The browser must refuse to run it (octet-stream + nosniff).
    const outcome = await page.evaluate(
      (src) =>
        new Promise<{ loaded: boolean; pwned: boolean; title: string }>((resolve) => {
          const script = document.createElement('script');
          const done = (loaded: boolean) =>
            resolve({
              loaded,
              pwned: (window as unknown as { __pwned?: boolean }).__pwned === true,
              title: document.title,
            });
          script.onload = () => done(true);
          script.onerror = () => done(false);
          script.src = src;
          document.head.append(script);
        }),
      `/api/attachments/${evilId}`,
    );
    expect(outcome).toEqual({ loaded: false, pwned: false, title: expect.not.stringContaining('pwned') });
    // The bytes were really there for a signed-in agent: refused for their type, not for a missing file.
    const res = await page.request.get(`${server.url}/api/attachments/${evilId}`);
    expect(res.status()).toBe(200);
    expect(await res.text()).toBe(EVIL_JS);
    expect(res.headers()['content-type']).toBe('application/octet-stream');
  });

  it('renders the API docs (Swagger UI) with no CSP violation', async () => {
    const response = await page.goto(`${server.url}/api/docs`);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForSelector('.swagger-ui .info .title');
    // Swagger UI renders a long document as a virtual list: the sections on screen, the rest as the reader scrolls.
    await page.waitForSelector('.swagger-ui .opblock-tag');
    expect(await page.locator('.swagger-ui .info .title').innerText()).toContain('Privacy-first support inbox API');
    expect(await page.locator('.swagger-ui .opblock').count()).toBeGreaterThan(5);
    const documented = (await (await page.request.get(`${server.url}/api/docs/json`)).json()) as {
      paths: Record<string, object>;
    };
    expect(Object.keys(documented.paths).length).toBeGreaterThan(50);
    await page.screenshot({ path: `${SCREENSHOTS}/30-api-docs.png` });
    // An operation opens with its parameters and responses, as a reader would use it (scrolled to, as a reader would).
    const operation = page.locator('.swagger-ui .opblock-summary', { hasText: '/api/conversations/{id}' }).first();
    for (let i = 0; i < 80 && (await operation.count()) === 0; i++) await page.mouse.wheel(0, 600);
    await operation.click();
    await page.waitForSelector('.swagger-ui .opblock.is-open .responses-wrapper');
    await page.locator('.swagger-ui .opblock.is-open').screenshot({ path: `${SCREENSHOTS}/31-api-docs-operation.png` });
    expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
  });
});
