import type { Locale } from './locales.ts';
import en from './locales/en/loader.json' with { type: 'json' };
import de from './locales/de/loader.json' with { type: 'json' };
import fr from './locales/fr/loader.json' with { type: 'json' };
import fi from './locales/fi/loader.json' with { type: 'json' };
import sv from './locales/sv/loader.json' with { type: 'json' };

/**
 * The launcher's few words on the host page. The loader stays a few KB without i18next: its only argument,
 * {count}, is put in by replacement, and its messages are worded so that no plural form is needed (the
 * catalog test still checks them like every other namespace).
 */
export const LOADER_TEXTS: Record<Locale, typeof en> = { en, de, fr, fi, sv };
