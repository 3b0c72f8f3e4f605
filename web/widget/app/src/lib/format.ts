export function initial(name: string): string {
  const first = name.trim().codePointAt(0);
  return first === undefined ? '?' : String.fromCodePoint(first).toUpperCase();
}

// Dates, times and sizes in the visitor's language (state/i18n.svelte.ts passes it).

/** "14:05" today, "3. Dez., 14:05" on other days. */
export function formatTime(locale: string, iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const sameDay = date.toDateString() === now.toDateString();
  const options: Intl.DateTimeFormatOptions = sameDay
    ? { hour: '2-digit', minute: '2-digit' }
    : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' };
  return new Intl.DateTimeFormat(locale, options).format(date);
}

export function formatDateTime(locale: string, iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? ''
    : new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function formatSize(locale: string, bytes: number): string {
  const [value, unit] =
    bytes < 1024 ? [bytes, 'byte'] : bytes < 1024 * 1024 ? [bytes / 1024, 'kilobyte'] : [bytes / 1048576, 'megabyte'];
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit,
    unitDisplay: 'short',
    maximumFractionDigits: unit === 'megabyte' ? 1 : 0,
  }).format(value);
}

const DAY_MS = 86_400_000;
const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();

/** When the team is back, in the visitor's time zone: the catalog's presence.today / tomorrow / weekday / date. */
export function formatBackAt(
  locale: string,
  iso: string,
  t: (key: string, values: Record<string, unknown>) => string,
  now = new Date(),
): string {
  const at = new Date(iso);
  const days = Math.round((startOfDay(at) - startOfDay(now)) / DAY_MS);
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(at);
  if (days <= 0) return t('presence.today', { time });
  if (days === 1) return t('presence.tomorrow', { time });
  if (days < 7)
    return t('presence.weekday', { day: new Intl.DateTimeFormat(locale, { weekday: 'long' }).format(at), time });
  const date = new Intl.DateTimeFormat(locale, { weekday: 'short', month: 'short', day: 'numeric' }).format(at);
  return t('presence.date', { date, time });
}
