/** The five languages and how one is chosen: no dependencies, so the widget's loader can use it too. */
export const LOCALES = ['en', 'de', 'fr', 'fi', 'sv'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

/** Each language named in itself, for the switchers. */
export const LOCALE_NAMES: Record<Locale, string> = {
  en: 'English',
  de: 'Deutsch',
  fr: 'Français',
  fi: 'Suomi',
  sv: 'Svenska',
};

export const isLocale = (value: unknown): value is Locale =>
  typeof value === 'string' && (LOCALES as readonly string[]).includes(value);

/**
 * The first supported language among these BCP 47 tags, in order (`de-AT` counts as `de`), else English.
 * Callers pass what they know in their order of authority: the host page's choice, then navigator.languages.
 */
export function pickLocale(candidates: readonly (string | null | undefined)[]): Locale {
  for (const tag of candidates) {
    if (!tag) continue;
    const base = tag.trim().toLowerCase().split(/[-_]/)[0];
    if (isLocale(base)) return base;
  }
  return DEFAULT_LOCALE;
}

/** A language tag as its speakers name it ("Deutsch"), or the tag itself when it is not one of ours. */
export const languageName = (tag: string): string => (isLocale(tag) ? LOCALE_NAMES[tag] : tag);
