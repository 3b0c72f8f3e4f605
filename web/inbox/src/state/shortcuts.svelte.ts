/** The inbox's keyboard shortcuts: one list (the "?" overlay shows it) and one handler on the window. */
export type ShortcutAction =
  'next' | 'previous' | 'reply' | 'note' | 'assignMe' | 'resolve' | 'search' | 'canned' | 'help';

/** Each is worded from the catalog (inbox: shortcuts.<action>) where it is shown. */
export const shortcuts: Array<{ key: string; action: ShortcutAction }> = [
  { key: 'j', action: 'next' },
  { key: 'k', action: 'previous' },
  { key: 'r', action: 'reply' },
  { key: 'n', action: 'note' },
  { key: 'a', action: 'assignMe' },
  { key: 'e', action: 'resolve' },
  { key: '/', action: 'search' },
  { key: 'c', action: 'canned' },
  { key: '?', action: 'help' },
];

/** In the composer and other fields, keys type text: shortcuts wait until the focus leaves the field. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file'].includes(type);
}

/** Maps a key press to its action, or null: not while typing, not with Ctrl/Alt/Meta, not under an open dialog. */
export function shortcutFor(event: KeyboardEvent): ShortcutAction | null {
  if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.metaKey || event.altKey) return null;
  if (isTyping(event.target)) return null;
  if (document.querySelector('dialog[open]')) return null;
  return shortcuts.find((s) => s.key === event.key)?.action ?? null;
}

/** Whether the "?" overlay is open, and requests to the composer (focus it, open the canned-reply popup). */
export class ShortcutUi {
  helpOpen = $state(false);
  /** Bumped to ask the composer to take the focus; `cannedRequests` to also open the "/" popup. */
  focusRequests = $state(0);
  cannedRequests = $state(0);
  /**
   * Set when j/k opened the conversation: the composer then leaves the focus where it is, so the next j/k works
   * (opening a conversation by click or link puts the cursor in the composer). Not state: nothing renders it.
   */
  keepFocusFor: string | null = null;
}
