import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INBOX_ERROR_CODES, inboxTranslator, loadInboxLocale } from '../../web/i18n/inbox-catalog.ts';

const root = join(import.meta.dirname, '../..');
const sources = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
const serverText = [...sources('server'), ...sources('channels')].join('\n');

/**
 * Issue 18: the API's errors carry a stable code and an English message; the inbox says the codes it knows from
 * the inbox-errors catalog in the agent's language (web/inbox/src/api.ts describeError) and shows the server's
 * message only for another code.
 */
describe('the inbox’s words for the API’s error codes', () => {
  it('names only codes the server really sends', () => {
    expect(INBOX_ERROR_CODES.size).toBeGreaterThan(50);
    const unknown = [...INBOX_ERROR_CODES].filter((code) => !serverText.includes(`'${code}'`));
    expect(unknown).toEqual([]);
  });

  it('says each in every language', async () => {
    for (const locale of ['de', 'fr', 'fi', 'sv'] as const) {
      await loadInboxLocale(locale);
      const t = inboxTranslator(locale);
      for (const code of INBOX_ERROR_CODES)
        expect(t(`inbox-errors:code.${code}`), `${locale} ${code}`).not.toBe(
          inboxTranslator('en')(`inbox-errors:code.${code}`),
        );
    }
    expect(inboxTranslator('de')('inbox-errors:code.shortcut_taken')).toBe(
      'Ein anderer Textbaustein verwendet dieses Kürzel bereits.',
    );
  });
});
