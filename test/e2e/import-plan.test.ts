import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { dbMode } from '../helpers/db.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { zendeskExport } from '../helpers/import-fixtures.ts';
import { importFiles } from '../../server/import/index.ts';

describe(`e2e in Chromium: an import's minimization plan on the Privacy page (${dbMode})`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startTestServer();
    const { paths, filesDir } = zendeskExport(mkdtempSync(join(tmpdir(), 'zendesk-e2e-')));
    await importFiles(server.root, {
      from: 'zendesk',
      files: paths,
      filesDir,
      inboxId: null,
      dryRun: false,
      options: {
        inactiveSince: new Date('2020-01-01'),
        closedOlderThanYears: 5,
        keepFields: [],
        redactOnImport: false,
        now: new Date('2026-12-01T00:00:00Z'),
      },
    });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await page.goto(`${server.url}/inbox/`);
    await page.fill('[data-testid="login-email"]', 'admin@example.com');
    await page.fill('[data-testid="login-password"]', ADMIN_PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="logout"]');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows what came in, what was left out and why, the PII found and the integrity check', async () => {
    await page.click('[data-testid="nav-privacy"]');
    await page.click('[data-testid="privacy-nav-imports"]');
    const plan = page.locator('[data-testid="import-plan"]');
    await plan.waitFor();
    expect(await plan.locator('h3').innerText()).toMatch(/^zendesk · .* · done$/);
    expect(await plan.getByTestId('import-included').innerText()).toBe(
      'contacts 1, conversations 1, messages 3, agent replies 1, notes 1, attachments 1',
    );
    expect(await plan.getByTestId('import-excluded').innerText()).toBe(
      'inactive contact: 1 (1 message); closed long ago: 1 (1 message)',
    );
    expect(await plan.getByTestId('import-pii').innerText()).toContain('card 1');
    expect(await plan.getByTestId('import-integrity').innerText()).toBe('counts and checksums match');
    // Nothing a customer wrote is on the page, only counts and names.
    expect(await plan.innerText()).not.toMatch(/Aino|4111|charged/);
  });
});
