import i18next, { type TFunction } from 'i18next';
import ICU from 'i18next-icu';

/**
 * The one i18n layer of the project (i18next with ICU messages, so plurals and selects follow each language's
 * CLDR rules): the widget, the inbox and the server's own texts all translate through here, each from its own
 * namespace of the catalog in web/i18n/locales/<locale>/<namespace>.json. English is the source language and
 * the runtime fallback; test/unit/i18n-catalog.test.ts fails on a missing key, a broken ICU message, a changed
 * placeholder or a text left in English.
 */
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

export type Translate = TFunction;
export type Messages = { [key: string]: string | Messages };

/**
 * One i18next instance over the given namespaces (all locales loaded up front: the texts are small, and a switch
 * of language must not wait for the network). Returns a translator per locale and namespace.
 */
export function createCatalog<NS extends string>(resources: Record<Locale, Record<NS, Messages>>) {
  const instance = i18next.createInstance();
  void instance.use(ICU).init({
    resources,
    lng: DEFAULT_LOCALE,
    fallbackLng: DEFAULT_LOCALE,
    supportedLngs: [...LOCALES],
    initAsync: false,
    returnNull: false,
    // Svelte escapes what it renders and server texts are escaped where they go into HTML.
    interpolation: { escapeValue: false },
  });
  return (locale: Locale, namespace: NS): Translate => instance.getFixedT(locale, namespace);
}

/** A language tag as its speakers name it ("Deutsch"), or the tag itself when it is not one of ours. */
export const languageName = (tag: string): string => (isLocale(tag) ? LOCALE_NAMES[tag] : tag);
