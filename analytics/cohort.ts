/**
 * Minimum cohort: a figure built from fewer than k distinct contacts is never given as a number, only as
 * "fewer than k". Every figure a metric returns passes through `figure`, with the number of distinct
 * contacts behind it counted by the same query.
 *
 * Three states: a number; suppressed (value null, suppressed true); no data (value null, suppressed false:
 * e.g. a median over nothing). A count over nobody is 0: it says nothing about anyone.
 */
export type Figure = { value: number | null; suppressed: boolean };

export function figure(
  value: number | string | null | undefined,
  contacts: number | string | null | undefined,
  minCohort: number,
): Figure {
  const n = Number(contacts ?? 0);
  const v = value === null || value === undefined ? null : Number(value);
  if (n === 0) return { value: v === 0 ? 0 : null, suppressed: false };
  if (n < minCohort) return { value: null, suppressed: true };
  return { value: v !== null && Number.isFinite(v) ? v : null, suppressed: false };
}

/** How a suppressed figure reads, on the dashboard and in the CSV export. */
export const suppressedText = (minCohort: number) => `fewer than ${minCohort}`;
