import type { TestJson } from './server.ts';

/** Every string of a JSON value, however deep. */
export const stringsOf = (value: TestJson): string[] =>
  typeof value === 'string'
    ? [value]
    : Array.isArray(value)
      ? value.flatMap(stringsOf)
      : value && typeof value === 'object'
        ? Object.values(value).flatMap(stringsOf)
        : [];
/** The text of a page, piece by piece between its tags. */
export const textsOf = (html: string) =>
  html
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .split(/<[^>]+>/)
    .map((s) => s.trim())
    .filter(Boolean);
/** What reads as prose: three words or more (names of tables, columns and ids are single tokens). */
export const sentences = (texts: string[]) => [
  ...new Set(texts.filter((t) => t.split(/\s+/).filter((w) => /\p{L}{2,}/u.test(w)).length >= 3)),
];
/** The English sentences that also appear, whole, in the other language's text. */
export const leftInEnglish = (english: string[], other: string[]) => {
  const haystack = other.join('\n');
  return sentences(english).filter((s) => haystack.includes(s));
};
