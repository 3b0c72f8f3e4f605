/**
 * Roving tab index (WAI-ARIA APG): a list of items is one Tab stop; Arrow keys, Home and End move between its
 * items. The item that takes the Tab stop is the one last focused, else the current one (aria-current,
 * aria-checked or aria-selected "true"), else the first. A Svelte action: `<ul use:rovingFocus={{ items: 'a' }}>`.
 */
export type RovingOptions = {
  /** Selector of the items inside the node. */
  items: string;
  /** Which arrows move: Up/Down (a list), Left/Right (a row of filters) or both. */
  orientation?: 'vertical' | 'horizontal' | 'both';
  /** Moving also activates the item (a radio group selects what the arrow lands on). */
  activate?: boolean;
};

const CURRENT = '[aria-current]:not([aria-current="false"]), [aria-checked="true"], [aria-selected="true"]';

export function rovingFocus(node: HTMLElement, initial: RovingOptions) {
  let options = initial;
  let last: HTMLElement | null = null;

  const items = () => Array.from(node.querySelectorAll<HTMLElement>(options.items));

  /** Exactly one item is in the Tab order; re-run whenever the items change (rows arrive live). */
  function sync() {
    const all = items();
    if (all.length === 0) return;
    if (last && !all.includes(last)) last = null;
    const stop = last ?? all.find((el) => el.matches(CURRENT)) ?? all[0];
    for (const el of all) {
      const index = el === stop ? '0' : '-1';
      if (el.getAttribute('tabindex') !== index) el.setAttribute('tabindex', index);
    }
  }

  type Move = number | 'first' | 'last';
  function keys(): Record<string, Move> {
    const o = options.orientation ?? 'vertical';
    const moves: Record<string, Move> = { Home: 'first', End: 'last' };
    if (o !== 'horizontal') Object.assign(moves, { ArrowDown: 1, ArrowUp: -1 });
    if (o !== 'vertical') Object.assign(moves, { ArrowRight: 1, ArrowLeft: -1 });
    return moves;
  }

  function onKeydown(event: KeyboardEvent) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const move = keys()[event.key];
    if (move === undefined) return;
    const all = items();
    const at = all.findIndex((el) => el === document.activeElement || el.contains(document.activeElement));
    if (at === -1) return;
    event.preventDefault();
    const to = move === 'first' ? 0 : move === 'last' ? all.length - 1 : (at + move + all.length) % all.length;
    const target = all[to];
    if (!target) return;
    last = target;
    sync();
    target.focus();
    target.scrollIntoView({ block: 'nearest' });
    if (options.activate) target.click();
  }

  function onFocusin(event: FocusEvent) {
    const item = items().find((el) => el === event.target || el.contains(event.target as Node));
    if (!item || item === last) return;
    last = item;
    sync();
  }

  // A new current item (another conversation opened) takes the Tab stop, unless the focus is on the last one.
  const observer = new MutationObserver((mutations) => {
    if (mutations.some((m) => m.type === 'attributes') && last !== document.activeElement) last = null;
    sync();
  });
  observer.observe(node, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ['aria-current', 'aria-checked', 'aria-selected'],
  });
  node.addEventListener('keydown', onKeydown);
  node.addEventListener('focusin', onFocusin);
  sync();

  return {
    update(next: RovingOptions) {
      options = next;
      sync();
    },
    destroy() {
      observer.disconnect();
      node.removeEventListener('keydown', onKeydown);
      node.removeEventListener('focusin', onFocusin);
    },
  };
}
