/** The dashboard's layout check, shared by the English and the German dashboard tests (run in the page). */

export type Problem = { text: string; why: string };

/**
 * Runs in the page: every text node under the dashboard, checked against its own element (scrollWidth beyond
 * clientWidth: cut off or ellipsised), against the card (section/article) it is in and against any ancestor that
 * hides overflow, and the dashboard against its width (nothing scrolls sideways). The top bar is not the
 * dashboard's and is not checked here.
 */
export function layoutProblems(): Problem[] {
  const root = document.querySelector('[data-testid="analytics-page"]')!;
  const problems: Problem[] = [];
  const seen = new Set<Element>();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = (node.textContent ?? '').trim();
    const el = node.parentElement;
    // Text for screen readers only (.visually-hidden, e.g. the heat map's values) is not on screen to be cut.
    if (!text || !el || el.closest('[hidden], svg, canvas, .visually-hidden')) continue;
    // Nor is what a closed disclosure holds (a chart's numbers as a table), its summary apart.
    if (el.closest('details:not([open])') && !el.closest('summary')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (!seen.has(el)) {
      seen.add(el);
      // Block-level boxes: content wider than the box is clipped, ellipsised or spills out.
      if (style.display !== 'inline' && el.scrollWidth > el.clientWidth + 1)
        problems.push({ text, why: `overflows its element (${el.scrollWidth} > ${el.clientWidth})` });
    }
    const card = el.closest('section, article') ?? root;
    const box = card.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width === 0) continue;
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
        problems.push({
          text,
          why: `outside its card (${Math.round(r.left)}–${Math.round(r.right)} in ${box.left}–${box.right})`,
        });
      // Cut by an ancestor that hides overflow (a card with overflow: hidden clips what spills out of a cell).
      for (let a = el.parentElement; a && a !== root.parentElement; a = a.parentElement) {
        const o = getComputedStyle(a).overflowX;
        if (o === 'visible') continue;
        const ab = a.getBoundingClientRect();
        if (r.left < ab.left - 1 || r.right > ab.right + 1) {
          problems.push({ text, why: `cut by a ${a.tagName.toLowerCase()} with overflow ${o}` });
          break;
        }
      }
    }
  }
  const page = root as HTMLElement;
  if (page.scrollWidth > page.clientWidth) problems.push({ text: '(dashboard)', why: 'scrolls sideways' });
  return problems;
}
