import type { Action } from 'svelte/action';

/**
 * A box that scrolls (a wide table at 320 px or 200 % zoom) must be reachable by keyboard, or its cut-off part
 * is out of reach without a mouse (WCAG 2.1.1, 1.4.10). While it overflows it becomes a named, focusable region
 * that the arrow keys scroll; when it fits it is left out of the tab order. The name is the table's caption or
 * the heading of the section it sits in.
 */
export const scrollArea: Action<HTMLElement, string | undefined> = (node, label) => {
  let name = label;
  // A role or name the markup gave (a log, a labelled list) is kept, as is a list's own role: only a plain box
  // (a div) becomes a region.
  const ownRole = node.getAttribute('role') ?? (node.tagName === 'DIV' ? null : 'native');
  const ownName = node.hasAttribute('aria-label') || node.hasAttribute('aria-labelledby');
  const nameOf = () =>
    name ??
    node.querySelector('caption')?.textContent?.trim() ??
    node.closest('section')?.querySelector('h1, h2, h3, h4')?.textContent?.trim() ??
    undefined;
  const update = () => {
    const overflows = node.scrollWidth > node.clientWidth + 1 || node.scrollHeight > node.clientHeight + 1;
    if (!overflows) {
      node.removeAttribute('tabindex');
      if (!ownRole) node.removeAttribute('role');
      if (!ownName) node.removeAttribute('aria-label');
      return;
    }
    node.tabIndex = 0;
    if (!ownRole) node.setAttribute('role', 'region');
    const text = nameOf();
    if (text && !ownName) node.setAttribute('aria-label', text);
  };
  // Text hidden for screen readers (position: absolute) inside the box must scroll with it: a static box would let
  // it escape to the page and widen the whole page instead.
  if (getComputedStyle(node).position === 'static') node.style.position = 'relative';
  const observer = new ResizeObserver(update);
  observer.observe(node);
  // The content can grow without the box changing size (rows arriving): watch the first child too.
  if (node.firstElementChild) observer.observe(node.firstElementChild);
  update();
  return {
    update(next) {
      name = next;
      update();
    },
    destroy: () => observer.disconnect(),
  };
};
