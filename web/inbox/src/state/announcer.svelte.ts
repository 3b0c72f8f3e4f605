/**
 * What the inbox says to screen readers through its polite live region (LiveAnnouncer.svelte): new messages in
 * the open conversation, new conversations in the list, the agent's own status changes. One short line per
 * event, each said once (a message's later delivery updates and list reloads say nothing).
 */
export type Announcement = { id: number; text: string };

/** A screen reader reads the region's additions; the last few stay so quick bursts are not cut off. */
const KEEP = 4;
/** Long messages are cut: the region says that something arrived and its gist, the timeline has the rest. */
const MAX_CHARS = 160;

export class Announcer {
  items = $state<Announcement[]>([]);
  #next = 1;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- private bookkeeping, nothing renders it
  #said = new Set<string>();

  /** Says `text`; with a `once` key (a message id), never twice for the same key. */
  say(text: string, once?: string): void {
    if (once) {
      if (this.#said.has(once)) return;
      this.#said.add(once);
      if (this.#said.size > 2000) this.#said.clear();
    }
    this.items = [...this.items, { id: this.#next++, text: clip(text) }].slice(-KEEP);
  }

  reset(): void {
    this.items = [];
    this.#said.clear();
  }
}

/** One line: whitespace collapsed, cut at a word near MAX_CHARS. */
export function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= MAX_CHARS) return line;
  const cut = line.slice(0, MAX_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${(space > MAX_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
