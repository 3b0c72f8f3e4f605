/**
 * Minimum cohort: a figure built from fewer than k distinct contacts is never given as a number, only as
 * "fewer than k". Every figure a metric returns passes through `figure`, with the number of distinct
 * contacts behind it counted by the same query.
 *
 * Three states: a number; suppressed (value null, suppressed true); no data (value null, suppressed false:
 * e.g. a median over nothing). A count over nobody is 0: it says nothing about anyone.
 */
export type Figure = { value: number | null; suppressed: boolean; complementary?: true };

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
/** How a figure withheld by complementary suppression reads (its own cohort is large enough). */
export const withheldText = (minCohort: number) => `withheld: it would reveal a figure of fewer than ${minCohort}`;

/** A figure withheld although its cohort is large enough: shown, it would give a suppressed figure away. */
const withheld: Figure = { value: null, suppressed: true, complementary: true };

/**
 * Complementary suppression for a total and the parts it is the sum of (the day-and-channel cells of the
 * volume, the ratings per score). With one part suppressed, the total less the parts shown would be that part:
 * so whenever a part is suppressed, the smallest part still shown is withheld too. A part shown has at least
 * k contacts behind it, so what total minus shown parts gives is then a sum over at least k contacts, and no
 * suppressed part follows from the rest (one equation, two or more unknowns). With no part left to withhold,
 * the total is withheld instead. The parts keep their order; the figures are new objects.
 *
 * Why this and not totals over shown parts only: the headline totals stay true (28 messages, not 25), and
 * one cell more is hidden instead.
 */
export function protectSum(total: Figure, parts: Figure[]): { total: Figure; parts: Figure[] } {
  const out = [...parts];
  if (total.suppressed || !out.some((p) => p.suppressed)) return { total, parts: out };
  let smallest = -1;
  out.forEach((p, i) => {
    if (!p.suppressed && (p.value ?? 0) > 0 && (smallest < 0 || p.value! < out[smallest]!.value!)) smallest = i;
  });
  if (smallest < 0) return { total: withheld, parts: out };
  out[smallest] = withheld;
  return { total, parts: out };
}

/** `f`, or withheld when `hide` (a figure that, beside others, would give a suppressed one away). */
export const withheldIf = (hide: boolean, f: Figure): Figure => (hide && !f.suppressed ? withheld : f);
