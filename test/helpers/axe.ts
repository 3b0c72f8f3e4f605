import { AxeBuilder } from '@axe-core/playwright';
import type { AxeResults, Result } from 'axe-core';
import type { Page } from 'playwright-core';

/** WCAG 2.1 A and AA: what the European Accessibility Act (EN 301 549) requires. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export type AxeFinding = { rule: string; impact: string | null; help: string; targets: string[] };

const summarise = (r: Result): AxeFinding => ({
  rule: r.id,
  impact: r.impact ?? null,
  help: r.help,
  // Each target is a selector path (frame selectors first for nodes inside an iframe).
  targets: r.nodes.map((n) => JSON.stringify(n.target)),
});

/** Whether axe analysed nodes inside an iframe: their selector path goes through the frame. */
const reachedFrame = (results: AxeResults) => results.passes.some((r) => r.nodes.some((n) => n.target.length > 1));

/**
 * Runs axe-core 4.14 in the page (and in the iframes inside `include`, cross-origin ones included) and returns
 * the WCAG 2.1 A/AA violations: a test expects none. Best-practice findings are printed, not failed on, so the
 * output lists them for a person to judge.
 */
export async function axeViolations(
  page: Page,
  { label, include, frame = false }: { label: string; include?: string; frame?: boolean },
): Promise<AxeFinding[]> {
  let builder = new AxeBuilder({ page }).withTags([...WCAG_TAGS, 'best-practice']);
  if (include) builder = builder.include(include);
  // @axe-core/playwright gives up injecting axe into a child frame after 1 s and then silently skips that frame;
  // on a busy machine that happens. A run that did not reach the iframe is repeated, and failing that, an error.
  let results = await builder.analyze();
  for (let attempt = 1; frame && !reachedFrame(results) && attempt < 3; attempt++) results = await builder.analyze();
  const isWcag = (r: Result) => r.tags.some((t) => WCAG_TAGS.includes(t));
  const advice = results.violations.filter((r) => !isWcag(r)).map(summarise);
  if (advice.length) console.log(`[axe best practice] ${label}:\n${JSON.stringify(advice, null, 2)}`);
  // Nothing checked would make "no violations" meaningless: the page must have been analysed.
  if (results.passes.length === 0) throw new Error(`axe analysed nothing in ${label}`);
  if (frame && !reachedFrame(results)) throw new Error(`axe did not analyse the iframe in ${label}`);
  return results.violations.filter(isWcag).map(summarise);
}
