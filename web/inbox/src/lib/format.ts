/**
 * The inbox's one place for dates and times (issue 17: one date format per locale). Every date an agent reads is
 * formatted here with Intl in the browser's locale: a day is always written the one way ("Dec 6, 2026" in en-US,
 * "6 déc. 2026" in French), never as 11/07/2026 next to it. `now` is passed in so callers re-render from a
 * ticking clock, not from Date.now().
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const weekdayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const shortDateFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const longDateFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const dayHeadingFmt = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Compact relative time for lists: "now", "5m", "3h", "Yesterday", "Tue", "Mar 4", "Mar 4, 2023". */
export function relativeTime(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const diff = now - t;
  if (diff < MINUTE) return 'now';
  if (diff < HOUR) return `${Math.floor(diff / MINUTE)}m`;
  const today = startOfDay(now);
  if (t >= today) return `${Math.floor(diff / HOUR)}h`;
  if (t >= today - DAY) return 'Yesterday';
  if (t >= today - 6 * DAY) return weekdayFmt.format(t);
  if (new Date(t).getFullYear() === new Date(now).getFullYear()) return shortDateFmt.format(t);
  return longDateFmt.format(t);
}

export function clockTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : timeFmt.format(t);
}

export function fullDateTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : fullFmt.format(t);
}

export function shortDate(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : longDateFmt.format(t);
}

const calendarDayFmt = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A calendar day "2026-12-25" (no time, no zone) in the same style as shortDate: "Dec 25, 2026". */
export function calendarDay(day: string): string {
  const m = ISO_DAY.exec(day);
  if (!m) return day;
  return calendarDayFmt.format(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
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
  if (dayStart === today) return 'Today';
  if (dayStart === today - DAY) return 'Yesterday';
  return dayHeadingFmt.format(dayStart);
}

export function dayKey(iso: string): number {
  const t = Date.parse(iso);
  return startOfDay(Number.isNaN(t) ? 0 : t);
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
  chat: 'Visitor',
  email: 'Email sender',
  sms: 'SMS sender',
  voice: 'Caller',
  slack: 'Slack user',
};

export function contactName(name: string | null | undefined, channel?: string): string {
  const trimmed = name?.trim();
  return trimmed ? trimmed : (UNNAMED[channel ?? 'chat'] ?? 'Contact');
}

/** Relative time as a phrase: "just now", "5m ago", "3h ago", "yesterday", "on Tue", "on Mar 4". */
export function timeAgo(iso: string, now: number): string {
  const short = relativeTime(iso, now);
  if (short === '') return '';
  if (short === 'now') return 'just now';
  if (/^\d+[mh]$/.test(short)) return `${short} ago`;
  if (short === 'Yesterday') return 'yesterday';
  return `on ${short}`;
}
