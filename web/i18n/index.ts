import i18next from 'i18next';
import ICU from 'i18next-icu';
import { DEFAULT_LOCALE, LOCALES, type Locale } from './locales.ts';

/**
 * The one i18n layer of the project (i18next with ICU messages, so plurals and selects follow each language's
 * CLDR rules): the widget, the inbox and the server's own texts all translate through here, each from its own
 * namespace of the catalog in web/i18n/locales/<locale>/<namespace>.json. English is the source language and
 * the runtime fallback; test/unit/i18n-catalog.test.ts fails on a missing key, a broken ICU message, a changed
 * placeholder or a text left in English.
 */
export * from './locales.ts';

/** A message by key, with its arguments ({name}, {count} for plurals). */
export type Translate = (key: string, values?: Record<string, unknown>) => string;
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
  return (locale: Locale, namespace: NS): Translate => {
    const fixed = instance.getFixedT(locale, namespace);
    return (key, values) => fixed(key, values ?? {});
  };
}
