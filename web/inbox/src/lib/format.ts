/** Time formatting. `now` is passed in so callers re-render from a ticking clock, not from Date.now(). */

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
