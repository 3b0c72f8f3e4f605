import { i18n, t } from './i18n.svelte.ts';

/**
 * The inbox's one place for dates, times and numbers (issue 17: one date format per locale; issue 18: in the
 * agent's language). Every date an agent reads is formatted here with Intl in the inbox's current language
 * (lib/i18n.svelte.ts): a day is always written the one way ("Dec 6, 2026" in English, "6 déc. 2026" in French),
 * never as 11/07/2026 next to it. Reading `i18n.locale` here makes every caller re-render on a switch. `now` is
 * passed in so callers re-render from a ticking clock, not from Date.now().
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

// Intl formatters are costly to build and a list formats hundreds of dates: one per language and style.
const formatters = new Map<string, Intl.DateTimeFormat>();
function dateFormat(style: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const locale = i18n.locale;
  const key = `${locale}|${style}`;
  let format = formatters.get(key);
  if (!format) formatters.set(key, (format = new Intl.DateTimeFormat(locale, options)));
  return format;
}

const timeFmt = () => dateFormat('time', { hour: '2-digit', minute: '2-digit' });
const weekdayFmt = () => dateFormat('weekday', { weekday: 'short' });
const shortDateFmt = () => dateFormat('short', { month: 'short', day: 'numeric' });
const longDateFmt = () => dateFormat('long', { year: 'numeric', month: 'short', day: 'numeric' });
const dayHeadingFmt = () => dateFormat('heading', { weekday: 'long', month: 'long', day: 'numeric' });
const fullFmt = () => dateFormat('full', { dateStyle: 'medium', timeStyle: 'short' });
const calendarDayFmt = () =>
  dateFormat('calendar', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });

/** The agent's time zone (the browser's): the days an agent picks are days of this zone. */
export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** A number in the inbox's language ("1 234,5" in French). */
export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(i18n.locale, options).format(value);
}

/** A file size in the inbox's language: "512 B", "1,5 MB". */
export function formatSize(bytes: number): string {
  const [value, unit] =
    bytes < 1024 ? [bytes, 'byte'] : bytes < 1024 * 1024 ? [bytes / 1024, 'kilobyte'] : [bytes / 1048576, 'megabyte'];
  return formatNumber(value, {
    style: 'unit',
    unit,
    unitDisplay: 'short',
    maximumFractionDigits: unit === 'byte' ? 0 : 1,
  });
}

/** A relative moment as the language says it: "in 5 minutes", "vor 2 Stunden", "i går". */
export function formatRelative(value: number, unit: Intl.RelativeTimeFormatUnit): string {
  return new Intl.RelativeTimeFormat(i18n.locale, { numeric: 'auto' }).format(value, unit);
}

/** Compact relative time for lists: "now", "5 min", "3 h", "Yesterday", "Tue", "Mar 4", "Mar 4, 2023". */
export function relativeTime(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const diff = now - at;
  if (diff < MINUTE) return t('time.now');
  if (diff < HOUR) return t('time.minutes', { count: Math.floor(diff / MINUTE) });
  const today = startOfDay(now);
  if (at >= today) return t('time.hours', { count: Math.floor(diff / HOUR) });
  if (at >= today - DAY) return t('time.yesterday');
  return pastDay(at, now);
}

/** A day before yesterday, as short as it can be said: the weekday within a week, the year only when another. */
function pastDay(at: number, now: number): string {
  if (at >= startOfDay(now) - 6 * DAY) return weekdayFmt().format(at);
  if (new Date(at).getFullYear() === new Date(now).getFullYear()) return shortDateFmt().format(at);
  return longDateFmt().format(at);
}

export function clockTime(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? '' : timeFmt().format(at);
}

export function fullDateTime(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? '' : fullFmt().format(at);
}

export function shortDate(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? '' : longDateFmt().format(at);
}

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A calendar day "2026-12-25" (no time, no zone) in the same style as shortDate: "Dec 25, 2026". */
export function calendarDay(day: string): string {
  const m = ISO_DAY.exec(day);
  if (!m) return day;
  return calendarDayFmt().format(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}

/** A text that may be an ISO day or instant (from JSON), written the inbox's way; other text unchanged. */
export function dateLike(text: string): string {
  if (ISO_DAY.test(text)) return calendarDay(text);
  if (ISO_INSTANT.test(text)) return fullDateTime(text);
  return text;
}

/** Heading for a day of messages: "Today", "Yesterday", "Monday, March 3". */
export function dayHeading(dayStart: number, now: number): string {
  const today = startOfDay(now);
  if (dayStart === today) return t('time.today');
  if (dayStart === today - DAY) return t('time.yesterday');
  return dayHeadingFmt().format(dayStart);
}

export function dayKey(iso: string): number {
  const at = Date.parse(iso);
  return startOfDay(Number.isNaN(at) ? 0 : at);
}

/** Initials for an avatar: "Ada Lovelace" -> "AL", null -> "?". */
export function initials(name: string | null | undefined): string {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return '?';
  const first = parts[0]?.[0] ?? '';
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}

/** Who an unnamed contact is, by the channel they wrote on: a caller is no website visitor. */
const UNNAMED: Record<string, string> = {
  chat: 'contact.unnamed.chat',
  email: 'contact.unnamed.email',
  sms: 'contact.unnamed.sms',
  voice: 'contact.unnamed.voice',
  slack: 'contact.unnamed.slack',
};

export function contactName(name: string | null | undefined, channel?: string): string {
  const trimmed = name?.trim();
  return trimmed ? trimmed : t(UNNAMED[channel ?? 'chat'] ?? 'contact.unnamed.other');
}

/** Relative time as a phrase: "just now", "5 minutes ago", "3 hours ago", "yesterday", "on Tue", "on Mar 4". */
export function timeAgo(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const diff = now - at;
  if (diff < MINUTE) return t('time.justNow');
  if (diff < HOUR) return formatRelative(-Math.floor(diff / MINUTE), 'minute');
  const today = startOfDay(now);
  if (at >= today) return formatRelative(-Math.floor(diff / HOUR), 'hour');
  if (at >= today - DAY) return formatRelative(-1, 'day');
  return t('time.onDay', { day: pastDay(at, now) });
}

/** A language by its code, named in the inbox's language: "German", "Deutsch", "allemand", "saksa", "tyska". */
export function languageLabel(code: string): string {
  try {
    return new Intl.DisplayNames(i18n.locale, { type: 'language' }).of(code) ?? code;
  } catch {
    // Not a language code Intl knows.
    return code;
  }
}
