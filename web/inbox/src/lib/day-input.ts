/**
 * Calendar days typed by agents, read in the inbox's locale (issue 17: one date format per locale). The inbox
 * shows a day one way (lib/format.ts calendarDay: "Dec 31, 2026" in en-US, "31. Dez. 2026" in German); a date
 * field shows that same text and reads back what the agent types: that form, the locale's numeric order
 * ("12/31/2026" in en-US, "31.12.2026" in German) or ISO "2026-12-31". Intl supplies the month names and the order
 * of the parts, so every locale the browser knows works without a table here. A year must have four digits, so a
 * day half typed is never taken for another.
 */

const UTC = 'UTC';
const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

/** Lower case, without accents, dots as spaces: "déc." and "Dez." are matched as "dec" and "dez". */
const fold = (text: string) =>
  text
    .toLocaleLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\./g, ' ')
    .trim();

type LocaleParts = { order: Array<'day' | 'month' | 'year'>; months: string[][] };
const cache = new Map<string, LocaleParts>();

function localeParts(locale: string | undefined): LocaleParts {
  const key = locale ?? '';
  const known = cache.get(key);
  if (known) return known;
  const numeric = new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: UTC });
  const order = numeric
    .formatToParts(Date.UTC(2026, 11, 31))
    .map((p) => p.type)
    .filter((t): t is 'day' | 'month' | 'year' => t === 'day' || t === 'month' || t === 'year');
  // Each month's names as a date shows them (some languages inflect a month inside a date) and standing alone.
  const styles: Intl.DateTimeFormatOptions[] = [
    { month: 'long' },
    { month: 'short' },
    { day: 'numeric', month: 'long' },
    { day: 'numeric', month: 'short' },
  ];
  const months = Array.from({ length: 12 }, (_, m) => {
    const names = new Set<string>();
    for (const style of styles) {
      const parts = new Intl.DateTimeFormat(locale, { ...style, timeZone: UTC }).formatToParts(Date.UTC(2026, m, 15));
      const month = parts.find((p) => p.type === 'month')?.value;
      if (month && !/^\d+$/.test(month)) names.add(fold(month));
    }
    return [...names];
  });
  const parts = { order, months };
  cache.set(key, parts);
  return parts;
}

function isoDay(year: number, month: number, day: number): string | null {
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The month a word names (a whole name, or the first three letters or more of one), 1-12; null otherwise. */
function monthOf(word: string, months: string[][]): number | null {
  let found: number | null = null;
  months.forEach((names, i) => {
    if (names.some((n) => n === word || (word.length >= 3 && n.startsWith(word)))) found ??= i + 1;
  });
  return found;
}

/**
 * Reads a day an agent typed: "yyyy-mm-dd", '' for an empty field, null when it is not a whole, real day in this
 * locale's forms.
 */
export function parseDay(text: string, locale?: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  const iso = ISO.exec(trimmed);
  if (iso) return isoDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const { order, months } = localeParts(locale);
  const tokens = fold(trimmed).match(/\p{L}+|\d+/gu) ?? [];
  const numbers = tokens.filter((t) => /^\d+$/.test(t));
  const words = tokens.filter((t) => !/^\d+$/.test(t));
  if (words.length > 1) return null;
  if (words.length === 1) {
    const month = monthOf(words[0]!, months);
    if (month === null || numbers.length !== 2) return null;
    const year = numbers.find((n) => n.length === 4);
    const day = numbers.find((n) => n.length <= 2);
    return year && day ? isoDay(Number(year), month, Number(day)) : null;
  }
  if (numbers.length !== 3) return null;
  const value = (part: 'day' | 'month' | 'year') => numbers[order.indexOf(part)] ?? '';
  if (value('year').length !== 4 || value('day').length > 2 || value('month').length > 2) return null;
  return isoDay(Number(value('year')), Number(value('month')), Number(value('day')));
}

/** The locale's numeric form of a day, for the field's hint: "12/31/2026", "31.12.2026". */
export function numericDay(iso: string, locale?: string): string {
  const m = ISO.exec(iso);
  if (!m) return iso;
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: UTC }).format(
    Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])),
  );
}
