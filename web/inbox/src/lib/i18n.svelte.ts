import { DEFAULT_LOCALE, LOCALES, LOCALE_NAMES, isLocale, pickLocale, type Locale } from '../../../i18n/index.ts';
import { inboxTranslator, loadInboxLocale } from '../../../i18n/inbox-catalog.ts';

/**
 * The inbox's language. Before sign-in it is the browser's (navigator.languages); after sign-in the agent's
 * stored preference, when they chose one. Every text (`t`) and every date, time and number format
 * (lib/format.ts) reads `locale`, so a switch re-renders the whole inbox at once; `<html lang>` follows, so
 * screen readers and hyphenation speak the same language as the text.
 */
class InboxI18n {
  locale = $state<Locale>(DEFAULT_LOCALE);
  readonly locales = LOCALES.map((code) => ({ code, name: LOCALE_NAMES[code] }));
  private translate = $derived(inboxTranslator(this.locale));

  /** The language the browser asks for, as one of ours. */
  browserLocale(): Locale {
    return typeof navigator === 'undefined' ? DEFAULT_LOCALE : pickLocale(navigator.languages ?? [navigator.language]);
  }

  /** Switches to the agent's preference (null: the browser's). The texts are loaded before the switch. */
  async use(preference: string | null | undefined): Promise<void> {
    const locale = isLocale(preference) ? preference : this.browserLocale();
    try {
      await loadInboxLocale(locale);
    } catch {
      // The language could not be downloaded (offline): stay readable in the current one.
      return;
    }
    this.locale = locale;
    if (typeof document !== 'undefined') document.documentElement.lang = locale;
  }

  /** A text of the catalog (web/i18n/locales/<locale>/inbox.json) with its ICU arguments. */
  t = (key: string, values?: Record<string, unknown>): string => this.translate(key, values);
}

export const i18n = new InboxI18n();
/** `t` for components and lib/*.ts: `import { t } from '../lib/i18n.svelte.ts'`; reactive to the language. */
export const t = i18n.t;
