/**
 * What the text before the caret asks for: "/word" at the start of a word opens the canned replies, "@name" in a
 * note the colleagues. `start` is where the trigger character is, so picking replaces "/word" or "@name".
 */
export type Trigger = { kind: 'canned' | 'mention'; query: string; start: number };

const CANNED = /(?:^|\s)\/([\p{L}\p{N}_-]*)$/u;
// A name may hold spaces ("@Sam Ri"), but not run across a line or past 40 characters.
const MENTION = /(?:^|[\s(])@([\p{L}\p{N}._'-]+(?: [\p{L}\p{N}._'-]*){0,3})?$/u;

export function findTrigger(text: string, caret: number, note: boolean): Trigger | null {
  const before = text.slice(0, caret);
  const canned = CANNED.exec(before);
  if (canned) return { kind: 'canned', query: canned[1] ?? '', start: caret - (canned[1] ?? '').length - 1 };
  if (!note) return null;
  const mention = MENTION.exec(before);
  if (!mention) return null;
  const query = mention[1] ?? '';
  if (query.length > 40) return null;
  return { kind: 'mention', query, start: caret - query.length - 1 };
}

/** `text` with [start, end) replaced; the caret goes after the insertion. */
export function replaceRange(text: string, start: number, end: number, insert: string) {
  return { text: text.slice(0, start) + insert + text.slice(end), caret: start + insert.length };
}

/** The {{placeholders}} still in a text: a canned reply's values the inbox did not know. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]!))];
}

/** Colleagues whose name starts with the typed words (each word a prefix of a word of the name). */
export function matchAgents<T extends { name: string }>(agents: T[], query: string): T[] {
  const typed = query.toLowerCase().trim().split(/\s+/).filter(Boolean);
  return agents.filter((a) => {
    const words = a.name.toLowerCase().split(/\s+/);
    return typed.every((t, i) => (i === 0 ? words.some((w) => w.startsWith(t)) : a.name.toLowerCase().includes(t)));
  });
}
