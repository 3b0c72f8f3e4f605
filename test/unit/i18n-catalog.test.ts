import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IntlMessageFormat } from 'intl-messageformat';
import { LOCALES, pickLocale } from '../../web/i18n/index.ts';
import { widgetTranslator } from '../../web/i18n/widget-catalog.ts';
import { INBOX_NAMESPACES, inboxTranslator, loadInboxLocale } from '../../web/i18n/inbox-catalog.ts';
import sameAsEnglish from '../../web/i18n/same-as-english.json' with { type: 'json' };
import { REDACTION_SENTINEL } from '../../web/i18n/redaction.ts';
import { SERVER_ERROR_CODES, SERVER_ERROR_PARAM_CODES, serverErrorsTranslator } from '../../web/i18n/server-catalog.ts';
import { REDACTED_MARKER } from '../../server/privacy/redact-marker.ts';
import { PARAM_ERROR_CODES } from '../../web/inbox/src/lib/error-param-codes.ts';

const root = join(import.meta.dirname, '../../web/i18n/locales');
const namespaces = readdirSync(join(root, 'en')).map((f) => f.replace(/\.json$/, ''));

type Tree = { [key: string]: string | Tree };
const load = (locale: string, ns: string): Tree => JSON.parse(readFileSync(join(root, locale, `${ns}.json`), 'utf8'));

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

type Elements = ReturnType<IntlMessageFormat['getAst']>;
// The parser's element types (@formatjs/icu-messageformat-parser TYPE): literal text and the plural's #.
const LITERAL = 0;
const POUND = 7;
const parse = (text: string): Elements => new IntlMessageFormat(text, 'en').getAst();

/** The names of a message's arguments ({name}, {count, plural, ...}), wherever they are nested. */
function argumentsOf(elements: Elements, into = new Set<string>()): Set<string> {
  for (const el of elements) {
    if (el.type !== LITERAL && el.type !== POUND && 'value' in el && typeof el.value === 'string') into.add(el.value);
    if ('options' in el) for (const option of Object.values(el.options)) argumentsOf(option.value, into);
    if ('children' in el) argumentsOf(el.children, into);
  }
  return into;
}

const allowed = sameAsEnglish as Record<string, string[]>;

describe.each(namespaces)('the %s catalog', (ns) => {
  const english = flatten(load('en', ns));

  it.each(LOCALES.filter((l) => l !== 'en'))('is complete in %s: every key, no extra, same arguments', (locale) => {
    const texts = flatten(load(locale, ns));
    expect([...texts.keys()].sort()).toEqual([...english.keys()].sort());
    for (const [key, text] of texts) {
      const theirs = [...argumentsOf(parse(text))].sort();
      const ours = [...argumentsOf(parse(english.get(key)!))].sort();
      expect({ key, args: theirs }).toEqual({ key, args: ours });
    }
  });

  it.each(LOCALES.filter((l) => l !== 'en'))(
    'has nothing left in English in %s (unless the glossary says so)',
    (locale) => {
      const texts = flatten(load(locale, ns));
      const untranslated = [...texts].filter(([key, text]) => text === english.get(key)).map(([key]) => `${ns}:${key}`);
      expect(untranslated.filter((k) => !allowed[locale]?.includes(k))).toEqual([]);
    },
  );

  it.each([...LOCALES])('formats every %s message with its plural rules', (locale) => {
    for (const [key, text] of flatten(load(locale, ns))) {
      const message = new IntlMessageFormat(text, locale);
      const values = Object.fromEntries([...argumentsOf(parse(text))].map((a) => [a, 2]));
      expect(typeof message.format(values), key).toBe('string');
    }
  });
});

describe('the locale choice', () => {
  it('takes the first supported language, region tags included, else English', () => {
    expect(pickLocale(['de-AT', 'fi'])).toBe('de');
    expect(pickLocale([null, 'pt-BR', 'sv_SE'])).toBe('sv');
    expect(pickLocale(['ja'])).toBe('en');
  });

  it('applies each language’s plural rules (one / other)', () => {
    expect(widgetTranslator('fi')('privacy.missed', { count: 1 })).toBe('1 uusi viesti');
    expect(widgetTranslator('fi')('privacy.missed', { count: 3 })).toBe('3 uutta viestiä');
    expect(widgetTranslator('fr')('privacy.missed', { count: 2 })).toBe('2 nouveaux messages');
    expect(widgetTranslator('de')('presence.wait', { minutes: 1 })).toBe('Übliche Wartezeit: etwa 1 Minute.');
  });
});

describe('the inbox catalog', () => {
  it('loads every inbox namespace file (a new inbox*.json must be registered to be shown)', () => {
    expect([...INBOX_NAMESPACES].sort()).toEqual(namespaces.filter((ns) => ns.startsWith('inbox')).sort());
  });

  it('speaks English before a language is loaded and the agent’s language after', async () => {
    expect(inboxTranslator('sv')('time.yesterday')).toBe('Yesterday');
    await loadInboxLocale('sv');
    expect(inboxTranslator('sv')('time.yesterday')).toBe('I går');
    expect(inboxTranslator('en')('time.yesterday')).toBe('Yesterday');
  });

  it('loads the admin pages’ namespace with its plurals (inbox-admin)', async () => {
    await loadInboxLocale('de');
    const de = inboxTranslator('de');
    expect(de('inbox-admin:heatmap.scaleMax', { count: 1 })).toBe('1 Nachricht in einer Stunde');
    expect(de('inbox-admin:heatmap.scaleMax', { count: 12 })).toBe('12 Nachrichten in einer Stunde');
    await loadInboxLocale('fi');
    expect(inboxTranslator('fi')('inbox-admin:bot.indexReady', { count: 3 })).toBe('Hakemisto valmis: 3 artikkelia.');
    expect(inboxTranslator('en')('inbox-admin:kb.questionCount', { count: 1 })).toBe('1 question');
  });

  it('loads the Privacy page’s namespace with its plurals (inbox-privacy)', async () => {
    await loadInboxLocale('de');
    const de = inboxTranslator('de');
    expect(de('inbox-privacy:requests.daysLeft', { count: 1 })).toBe('noch 1 Tag');
    expect(de('inbox-privacy:requests.overdueDays', { count: 3 })).toBe('3 Tage überfällig');
    await loadInboxLocale('fi');
    expect(inboxTranslator('fi')('inbox-privacy:retention.items', { count: 1 })).toBe('1 kohde');
    expect(inboxTranslator('fi')('inbox-privacy:retention.items', { count: 5 })).toBe('5 kohdetta');
    expect(inboxTranslator('en')('inbox-privacy:page.title')).toBe('Privacy');
  });
});

/**
 * The last English leftovers of issue 18 stay gone: the stored "[redacted]" code, the error details (params), the
 * public request page's API errors and the API token / provider errors each have words in every language, and the
 * code that shows them goes through those words.
 */
describe('the words for the stored redaction code and for the API’s errors', () => {
  const words = (locale: string, ns: string) => flatten(load(locale, ns));
  const source = (path: string) => readFileSync(join(import.meta.dirname, '../..', path), 'utf8');
  const others = LOCALES.filter((l) => l !== 'en');

  it('words "[redacted]" in every language, and nothing shown to a reader prints the code itself', () => {
    expect(REDACTED_MARKER).toBe(REDACTION_SENTINEL);
    for (const [ns, key] of [
      ['inbox', 'message.redactedMarker'],
      ['widget', 'redaction.marker'],
      ['server-privacy', 'export.redacted'],
    ] as const) {
      expect(words('en', ns).get(key)).toBe(REDACTION_SENTINEL);
      for (const locale of others)
        expect(words(locale, ns).get(key), `${locale} ${ns}:${key}`).not.toContain('redacted');
    }
    for (const file of [
      'web/inbox/src/components/MessageBody.svelte',
      'web/inbox/src/components/ConversationRow.svelte',
      'web/inbox/src/components/SearchResults.svelte',
      'web/inbox/src/components/FindPersonSection.svelte',
      'web/inbox/src/components/FullMessageDialog.svelte',
      'web/inbox/src/components/RedactionTool.svelte',
      'web/widget/app/src/components/MessageBubble.svelte',
      'server/privacy/export-html.ts',
    ])
      expect(source(file), file).not.toContain("'[redacted]'");
    expect(source('web/widget/app/src/components/MessageBubble.svelte')).toContain('redactionParts(item.body)');
    expect(source('server/privacy/export-html.ts')).toContain('bodyHtml(m.body)');
  });

  it('words each error the inbox gets params for, with the params the server sends', async () => {
    for (const code of PARAM_ERROR_CODES) {
      expect(words('en', 'inbox-errors').has(`params.${code}`), code).toBe(true);
      expect(source('server/http/views.ts'), `${code} documented in ErrorView.params`).toContain(code);
    }
    await loadInboxLocale('de');
    expect(
      inboxTranslator('de')('inbox-errors:params.legal_hold', { action: 'erasure', reasons: 'Gerichtsverfahren' }),
    ).toBe('Die Löschung ist durch eine rechtliche Aufbewahrung gesperrt: Gerichtsverfahren.');
    expect(widgetTranslator('fi')('message.rateLimitedWait', { retryAfterSeconds: 30 })).toBe(
      'Ei lähetetty: liian monta viestiä. Yritä uudelleen 30 sekunnin kuluttua.',
    );
  });

  it('words every code of the public request page’s API, API tokens and provider webhooks the server sends', () => {
    const server = ['server', 'channels']
      .map((dir) =>
        readdirSync(join(import.meta.dirname, '../..', dir), {
          recursive: true,
        })
          .filter((f) => String(f).endsWith('.ts'))
          .map((f) => source(`${dir}/${String(f)}`))
          .join('\n'),
      )
      .join('\n');
    for (const code of [...SERVER_ERROR_CODES, ...SERVER_ERROR_PARAM_CODES])
      expect(server.includes(`'${code}'`), `the server sends ${code}`).toBe(true);
    for (const code of [
      'invalid_identity',
      'code_invalid',
      'verification_expired',
      'invalid_api_token',
      'token_scope',
      'invalid_signature',
      'invalid_webhook_url',
      'slack_not_configured',
      'invalid_email_settings',
    ])
      expect(SERVER_ERROR_CODES.has(code) || source('server/http/error-words.ts').includes(`${code}:`), code).toBe(
        true,
      );
    for (const locale of others)
      expect(serverErrorsTranslator(locale)('code.invalid_api_token')).not.toBe(
        serverErrorsTranslator('en')('code.invalid_api_token'),
      );
  });
});
