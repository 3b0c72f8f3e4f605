import { describe, expect, it } from 'vitest';
import { numericDay, parseDay } from '../../web/inbox/src/lib/day-input.ts';
import { LOCALES } from '../../web/i18n/index.ts';
import { inboxTranslator, loadInboxLocale } from '../../web/i18n/inbox-catalog.ts';

/** What an agent types into a date field, read in the inbox's locale (web/inbox/src/lib/day-input.ts). */
describe('days typed in the locale of the inbox', () => {
  const shown = (iso: string, locale: string) =>
    new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(
      Date.parse(`${iso}T00:00:00Z`),
    );

  it.each(['en-US', 'en-GB', 'de-DE', 'fr-FR', 'fi-FI', 'sv-SE'])(
    'reads back the form the inbox shows, and the numeric form, in %s',
    (locale) => {
      for (const iso of ['2026-01-05', '2026-03-09', '2026-12-31', '2027-02-28']) {
        expect(parseDay(shown(iso, locale), locale)).toBe(iso);
        expect(parseDay(numericDay(iso, locale), locale)).toBe(iso);
      }
    },
  );

  it('takes the order of the parts from the locale', () => {
    expect(parseDay('12/06/2026', 'en-US')).toBe('2026-12-06');
    expect(parseDay('12/06/2026', 'en-GB')).toBe('2026-06-12');
    expect(parseDay('6.12.2026', 'de-DE')).toBe('2026-12-06');
    expect(parseDay('6 déc. 2026', 'fr-FR')).toBe('2026-12-06');
    expect(parseDay('6 dec 2026', 'fr-FR')).toBe('2026-12-06');
    expect(parseDay('December 6, 2026', 'en-US')).toBe('2026-12-06');
    expect(parseDay('2026-12-06', 'fi-FI')).toBe('2026-12-06');
  });

  it('refuses what is not one whole, real day', () => {
    for (const text of ['12/06/26', '31/02/2026', '2026-02-30', 'Dec 2026', 'Dec 6', 'tomorrow', '13/13/2026'])
      expect(parseDay(text, 'en-GB'), text).toBeNull();
    expect(parseDay('Foo 6, 2026', 'en-US')).toBeNull();
    expect(parseDay('  ', 'en-US')).toBe('');
  });

  // An empty field shows the pattern of the numeric form the field reads back, as an empty native date input does.
  it.each(LOCALES)('shows an empty field in %s as the pattern of that numeric form', async (locale) => {
    await loadInboxLocale(locale);
    const pattern = inboxTranslator(locale)('dateField.empty');
    const shape = (text: string) => text.replace(/\p{L}|\d/gu, 'x');
    expect(shape(pattern)).toBe(shape(numericDay('2026-12-31', locale)));
    expect(pattern).not.toMatch(/\d/);
  });
});
