import type { Figure } from '../analytics-types.ts';
import { ta } from './admin-i18n.ts';
import { i18n } from './i18n.svelte.ts';
import { formatNumber } from './format.ts';

/**
 * How a figure reads: the number, "fewer than k" when its cohort is too small, "withheld" when it would give
 * such a figure away (complementary suppression: analytics/cohort.ts), or "—" when there is no data. Numbers,
 * units and words follow the inbox's language (issue 18).
 */
export function figureText(f: Figure, minCohort: number, format: (n: number) => string = countText): string {
  if (f.complementary) return ta('figure.withheld');
  if (f.suppressed) return ta('figure.fewerThan', { k: minCohort });
  if (f.value === null) return '—';
  return format(f.value);
}

export const countText = (n: number) => formatNumber(n, { maximumFractionDigits: 0 });
// "60 %" and "4,2 / 5" in all five languages (English style guides differ on the space; the inbox keeps one).
export const percentText = (ratio: number) => `${formatNumber(Math.round(ratio * 100))}\u00a0%`;
export const scoreText = (n: number) =>
  `${formatNumber(n, { minimumFractionDigits: 1, maximumFractionDigits: 1 })}\u00a0/\u00a05`;

/** Durations in seconds as people say them, in the inbox's language: "45 s", "12 min", "3,5 Std.", "2,1 Tage". */
export function durationText(seconds: number): string {
  const unit = (value: number, name: string, digits: number) =>
    formatNumber(value, {
      style: 'unit',
      unit: name,
      unitDisplay: name === 'day' ? 'long' : 'short',
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
  if (seconds < 90) return unit(Math.round(seconds), 'second', 0);
  if (seconds < 90 * 60) return unit(Math.round(seconds / 60), 'minute', 0);
  if (seconds < 36 * 3600) return unit(seconds / 3600, 'hour', 1);
  return unit(seconds / 86400, 'day', 1);
}

/** The heatmap's weekday (1 = Monday … 7 = Sunday) as the language abbreviates it: "Mon", "Mo", "lun.", "ma". */
export function weekdayName(weekday: number): string {
  // 2026-01-05 was a Monday.
  return new Intl.DateTimeFormat(i18n.locale, { weekday: 'short', timeZone: 'UTC' }).format(
    Date.UTC(2026, 0, 4 + weekday),
  );
}

/** An hour of the day on the 24-hour clock, as the language writes it: "09:00", "9.00" (Finnish). */
export function hourText(hour: number): string {
  return new Intl.DateTimeFormat(i18n.locale, {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: 'UTC',
  }).format(Date.UTC(2026, 0, 5, hour));
}

/** Reasons the bot hands off, as the policy names them (bot/policy.ts), in words. */
const handoffReasons = [
  'low_confidence',
  'human_requested',
  'unresolved_turns',
  'empty_message',
  'empty_knowledge_base',
  'language_not_covered',
];
export const handoffReasonText = (reason: string) =>
  handoffReasons.includes(reason) ? ta(`reason.${reason}`) : reason.replace(/_/g, ' ');
