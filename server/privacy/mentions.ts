/**
 * How a person is mentioned in other people's text: their addresses as written, their phone number in every
 * common format (E.164, international with 00, national with a leading 0, NANP without it; spaced, dashed,
 * dotted, bracketed) and their name as "First Last", "Last, First" and "Last First" (any case, any spacing).
 * A first name alone is not a mention anyone can replace blindly ("Ada" is also someone else): it is only
 * reported, for review.
 */
export type MentionMatcher = {
  /** Every certain mention (global, case-insensitive); longest alternatives first. */
  certain: RegExp | null;
  /** The first name alone, as a word: a possible mention, reported and not replaced. */
  possible: RegExp | null;
  /** Lower-case substrings one of which every mention contains (a cheap LIKE prefilter in SQL). */
  likes: string[];
  /** PostgreSQL regular expressions (~) of which phone mentions match one. */
  pgPatterns: string[];
  /** Identifiers looked up as words in the messages' word index (mention-index.ts): all their words present. */
  wordTerms: string[];
  /** National significant numbers: every written form of the phone number contains one once its separators go. */
  digitRuns: string[];
  /** The words of the person's name: other contacts' sealed names are found by their tokens (erase-sealed-contacts). */
  nameWords: string[];
};

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ITU-T E.164 country codes by length: the 1- and 2-digit ones; every other code has 3 digits.
const CC1 = new Set(['1', '7']);
const CC2 = new Set(
  (
    '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 ' +
    '81 82 84 86 90 91 92 93 94 95 98'
  ).split(' '),
);

/** The country code and national significant number of an E.164 number (digits only), or null. */
export function splitE164(phone: string): { cc: string; nsn: string } | null {
  const digits = phone.replace(/\D/g, '');
  if (!/^\+?[\d\s().\-/]+$/.test(phone.trim()) || digits.length < 7 || digits.length > 15) return null;
  const length = CC1.has(digits.slice(0, 1)) ? 1 : CC2.has(digits.slice(0, 2)) ? 2 : 3;
  return { cc: digits.slice(0, length), nsn: digits.slice(length) };
}

/** Digits with any separators between them: `sep` is the separator class of the regex dialect. */
const spaced = (digits: string, sep: string) => [...digits].join(`${sep}*`);

/** The JS regex source of a phone number in every common format, bounded by non-digits. */
function phoneSource(phone: string): string | null {
  const split = splitE164(phone);
  if (!split) return null;
  const sep = '[\\s.()\\-/]';
  const nsn = spaced(split.nsn, sep);
  const international = `(?:\\+|00)${sep}*${spaced(split.cc, sep)}${sep}*(?:\\(0\\)${sep}*)?${nsn}`;
  const national = `\\(?0\\)?${sep}*${nsn}`;
  // North American numbers are written nationally without a trunk prefix, or with 1: (555) 010-9911, 1-555-…
  const bare = split.cc === '1' ? `|(?:1${sep}*)?\\(?${nsn}` : '';
  return `(?<![\\d+])(?:${international}|${national}${bare})(?!\\d)`;
}

/** A PostgreSQL regex every written form of the phone number matches (its last seven digits, spaced). */
function phonePgPattern(phone: string): string | null {
  const split = splitE164(phone);
  return split ? spaced(split.nsn.slice(-7), '[-[:space:].()/]') : null;
}

/** The parts of a name: the first word, and the rest (the family name), when there are both. */
function nameParts(name: string): { first: string; last: string } | null {
  const words = name.trim().split(/\s+/);
  if (words.length < 2) return null;
  return { first: words[0]!, last: words.slice(1).join(' ') };
}

const words = (s: string) => s.trim().split(/\s+/).map(escapeRegExp).join('\\s+');

export function mentionMatcher(
  contact: { name: string | null; email: string | null; phone: string | null },
  identities: Array<{ kind: string; address: string }>,
): MentionMatcher {
  const literals = [contact.email, ...identities.map((i) => i.address)];
  const phones = [contact.phone, ...identities.filter((i) => i.kind === 'phone').map((i) => i.address)];
  const sources: Array<{ source: string; weight: number }> = [];
  const likes = new Set<string>();
  const pgPatterns = new Set<string>();
  const wordTerms = new Set<string>();
  const digitRuns = new Set<string>();
  for (const literal of new Set(literals)) {
    if (typeof literal !== 'string' || literal.trim().length < 3) continue;
    sources.push({ source: escapeRegExp(literal.trim()), weight: literal.length });
    likes.add(literal.trim().toLowerCase());
    wordTerms.add(literal.trim());
  }
  for (const phone of new Set(phones)) {
    if (typeof phone !== 'string') continue;
    const source = phoneSource(phone);
    const pg = phonePgPattern(phone);
    if (!source || !pg) continue;
    sources.push({ source, weight: 1000 });
    pgPatterns.add(pg);
    digitRuns.add(splitE164(phone)!.nsn);
  }
  let possible: RegExp | null = null;
  const name = contact.name?.trim();
  if (name && name.length >= 3) {
    const parts = nameParts(name);
    const variants = parts
      ? [`${words(parts.first)}\\s+${words(parts.last)}`, `${words(parts.last)}\\s*,\\s*${words(parts.first)}`]
      : [words(name)];
    if (parts) variants.push(`${words(parts.last)}\\s+${words(parts.first)}`);
    for (const v of variants)
      sources.push({ source: `(?<![\\p{L}\\p{N}])${v}(?![\\p{L}\\p{N}])`, weight: name.length });
    likes.add((parts ? parts.last.split(/\s+/)[0]! : name.split(/\s+/)[0]!).toLowerCase());
    // One term covers all three orders: the word index ignores order and the comma.
    wordTerms.add(name);
    if (parts && parts.first.length >= 2) {
      possible = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(parts.first)}(?![\\p{L}\\p{N}])`, 'iu');
      likes.add(parts.first.toLowerCase());
      wordTerms.add(parts.first);
    }
  }
  const certain = sources.length
    ? new RegExp(
        sources
          .sort((a, b) => b.weight - a.weight)
          .map((s) => s.source)
          .join('|'),
        'giu',
      )
    : null;
  return {
    certain,
    possible,
    likes: [...likes],
    pgPatterns: [...pgPatterns],
    wordTerms: [...wordTerms],
    digitRuns: [...digitRuns],
    nameWords: name && name.length >= 3 ? name.split(/\s+/) : [],
  };
}
