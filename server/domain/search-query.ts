/**
 * What the text typed in the search box can name, read once before any SQL is written: words and phrases (always),
 * a substring of a name or an address (three characters or more: trigrams need three), a phone number in any
 * format (its digits), a conversation id or the start of one. Pure, so it is unit-tested without a database.
 */
export type ParsedQuery = {
  /** The text as typed (trimmed, capped): websearch syntax, "quoted phrases" and -exclusions included. */
  words: string;
  /** An ILIKE pattern for substrings of names, email addresses, identity addresses and subjects; null if too short. */
  substring: string | null;
  /** The digits a phone number is stored with, whatever the format typed; null unless it looks like a number. */
  phoneDigits: string | null;
  /** An exact conversation id, or the uuid range of an id prefix (at least 8 hex digits). */
  id: { low: string; high: string } | null;
};

export const SEARCH_TEXT_MAX = 200;
const MIN_SUBSTRING = 3;
const MIN_PHONE_DIGITS = 6;
const MIN_ID_PREFIX = 8;

const likeEscape = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/**
 * Phone numbers are stored in E.164 (+4915491315660) and written by people as +49 154 9131 5660, 0049 ...,
 * 0154-9131-5660 or (0154) 91315660. Without the separators, the international form is the stored digits, and
 * the national form without its trunk zero (the national significant number) is a substring of them, so a
 * substring search on the digits finds both without knowing the country.
 */
function phoneDigitsOf(text: string): string | null {
  if (!/^\+?[\d\s().\-/]+$/.test(text)) return null;
  let digits = text.replace(/\D+/g, '');
  if (text.startsWith('+')) return digits.length >= MIN_PHONE_DIGITS ? digits : null;
  digits = digits.startsWith('00') ? digits.slice(2) : digits.replace(/^0+/, '');
  return digits.length >= MIN_PHONE_DIGITS ? digits : null;
}

const asUuid = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;

/** The ids starting with a prefix form one range of the primary key (uuids sort by their bytes, as hex text). */
function idRangeOf(text: string): ParsedQuery['id'] {
  if (!/^[0-9a-f-]+$/i.test(text)) return null;
  const hex = text.replace(/-/g, '').toLowerCase();
  if (hex.length < MIN_ID_PREFIX || hex.length > 32) return null;
  return { low: asUuid(hex.padEnd(32, '0')), high: asUuid(hex.padEnd(32, 'f')) };
}

export function parseSearchText(raw: string): ParsedQuery {
  const words = raw.trim().replace(/\s+/g, ' ').slice(0, SEARCH_TEXT_MAX);
  const bare = words.replace(/^"(.*)"$/, '$1');
  return {
    words,
    substring: bare.length >= MIN_SUBSTRING ? `%${likeEscape(bare)}%` : null,
    phoneDigits: phoneDigitsOf(bare),
    id: idRangeOf(bare),
  };
}

export const matchedIns = ['id', 'name', 'email', 'address', 'phone', 'subject', 'message'] as const;
export type MatchedIn = (typeof matchedIns)[number];

export type SnippetPart = { text: string; match: boolean };

/** Marks, case-insensitively, where the typed text (or each of its words) occurs in a value: for names and subjects. */
export function highlightValue(value: string, typed: string): SnippetPart[] {
  const needles = [typed.replace(/^"(.*)"$/, '$1'), ...typed.split(/[\s"]+/)]
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n.length >= 2);
  const lower = value.toLowerCase();
  const marked = Array.from({ length: value.length }, () => false);
  for (const needle of needles) {
    for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + needle.length)) {
      for (let i = at; i < at + needle.length; i++) marked[i] = true;
    }
  }
  return partsOf(value, marked);
}

function partsOf(value: string, marked: boolean[]): SnippetPart[] {
  const parts: SnippetPart[] = [];
  for (let i = 0; i < value.length; i++) {
    const last = parts.at(-1);
    if (last && last.match === marked[i]) last.text += value[i];
    else parts.push({ text: value[i]!, match: marked[i]! });
  }
  return parts;
}

/** ts_headline's output, with START/STOP (control characters no text of ours holds) around the hits. */
export const HEADLINE_START = '\u0001';
export const HEADLINE_STOP = '\u0002';

export function headlineParts(headline: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  for (const [i, chunk] of headline.split(HEADLINE_START).entries()) {
    if (i === 0) {
      if (chunk) parts.push({ text: chunk.replaceAll(HEADLINE_STOP, ''), match: false });
      continue;
    }
    const [hit = '', ...rest] = chunk.split(HEADLINE_STOP);
    if (hit) parts.push({ text: hit, match: true });
    const tail = rest.join('');
    if (tail) parts.push({ text: tail, match: false });
  }
  return parts;
}
