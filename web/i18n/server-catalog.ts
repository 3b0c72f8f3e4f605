import { createCatalog, type Locale, pickLocale } from './index.ts';
import en from './locales/en/server.json' with { type: 'json' };
import de from './locales/de/server.json' with { type: 'json' };
import fr from './locales/fr/server.json' with { type: 'json' };
import fi from './locales/fi/server.json' with { type: 'json' };
import sv from './locales/sv/server.json' with { type: 'json' };

/**
 * The server's own texts (consent notice, bot system texts) in every locale. A conversation's language is a
 * detected tag (bot/language.ts) or null: anything outside the five locales falls back to English.
 */
const catalog = createCatalog({
  en: { server: en },
  de: { server: de },
  fr: { server: fr },
  fi: { server: fi },
  sv: { server: sv },
});

export const serverTranslator = (locale: Locale) => catalog(locale, 'server');
export const serverLocale = (language: string | null | undefined): Locale => pickLocale([language]);
