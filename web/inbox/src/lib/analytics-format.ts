import type { Figure } from '../analytics-types.ts';

/**
 * How a figure reads: the number, "fewer than k" when its cohort is too small, "withheld" when it would give
 * such a figure away (complementary suppression: analytics/cohort.ts), or "—" when there is no data.
 */
export function figureText(f: Figure, minCohort: number, format: (n: number) => string = countText): string {
  if (f.complementary) return 'withheld';
  if (f.suppressed) return `fewer than ${minCohort}`;
  if (f.value === null) return '—';
  return format(f.value);
}

const count = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export const countText = (n: number) => count.format(n);
export const percentText = (ratio: number) => `${Math.round(ratio * 100)} %`;
export const scoreText = (n: number) => `${oneDecimal.format(n)} / 5`;

/** Durations in seconds as people say them: "45 s", "12 min", "3.5 h", "2.1 days". */
export function durationText(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `${oneDecimal.format(seconds / 3600)} h`;
  return `${oneDecimal.format(seconds / 86400)} days`;
}

export const weekdayNames = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Reasons the bot hands off, as the policy names them (bot/policy.ts), in words. */
export const handoffReasonLabels: Record<string, string> = {
  low_confidence: 'Not sure enough',
  human_requested: 'Customer asked for a person',
  unresolved_turns: 'Still unresolved after several answers',
  empty_message: 'Empty message',
  empty_knowledge_base: 'Nothing in the knowledge base',
  language_not_covered: 'Language not covered',
};
export const handoffReasonText = (reason: string) => handoffReasonLabels[reason] ?? reason.replace(/_/g, ' ');
