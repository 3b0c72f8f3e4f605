import { LOCALES, LOCALE_NAMES, pickLocale, type Locale } from '../../../../i18n/index.ts';
import { widgetTranslator } from '../../../../i18n/widget-catalog.ts';
import { formatBackAt, formatDateTime, formatSize, formatTime } from '../lib/format.ts';

/**
 * The widget's language: the host page's choice (`data-locale` on the embed, else its `<html lang>`, passed by
 * the loader as ?locale=), then the browser's languages, then English; the visitor can switch in the header.
 * Nothing of it is stored (no storage before consent): the next visit chooses again the same way.
 * Every text and every date, time and number format reads `locale`, so a switch re-renders them all.
 */
export class WidgetI18n {
  locale = $state<Locale>('en');
  readonly locales = LOCALES.map((code) => ({ code, name: LOCALE_NAMES[code] }));
  private translate = $derived(widgetTranslator(this.locale));

  choose(hostChoice: string | null, browser: readonly string[]): void {
    this.set(pickLocale([hostChoice, ...browser]));
  }

  set(locale: Locale): void {
    this.locale = locale;
    document.documentElement.lang = locale;
  }

  t = (key: string, values?: Record<string, unknown>): string => this.translate(key, values);

  /** "14:05" today, "3. Dez., 14:05" on other days, as the visitor's language writes them. */
  time = (iso: string): string => formatTime(this.locale, iso);
  /** A moment the visitor may want to quote (when a consent was given). */
  dateTime = (iso: string): string => formatDateTime(this.locale, iso);
  /** A file size in the language's number format ("1,5 MB" in German). */
  size = (bytes: number): string => formatSize(this.locale, bytes);
  /** "today at 09:00", "on Monday at 09:00", "on Mon, Dec 14 at 09:00": in the visitor's time and language. */
  backAt = (iso: string): string => formatBackAt(this.locale, iso, this.t);
}

/** One per widget frame. */
export const i18n = new WidgetI18n();
