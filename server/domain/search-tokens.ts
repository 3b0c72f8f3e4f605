import { createHmac } from 'node:crypto';
import { stemmer as finnish } from '@orama/stemmers/finnish';
import { stemmer as french } from '@orama/stemmers/french';
import { stemmer as german } from '@orama/stemmers/german';
import { stemmer as swedish } from '@orama/stemmers/swedish';
import { stopwords as englishStops } from '@orama/stopwords/english';
import { stopwords as finnishStops } from '@orama/stopwords/finnish';
import { stopwords as frenchStops } from '@orama/stopwords/french';
import { stopwords as germanStops } from '@orama/stopwords/german';
import { stopwords as swedishStops } from '@orama/stopwords/swedish';
import { stem as english } from 'porter2';
import type { BlindIndex } from '../security/blind-index.ts';

/**
 * The blinded search index computed in the server (issue 22): message text is indexed as keyed tokens, and the
 * database never sees the text. search-blind.ts's first version let PostgreSQL parse the text and hash each lexeme in
 * SQL (blind_search_document(), migration 0040): the plaintext travelled in every statement, and hashing in SQL cost
 * ~+100 µs a message (bench:searchindex: 75.6 µs plain, 175.4 µs blinded). Here the server splits the text, stems it
 * (Snowball, the same algorithms PostgreSQL's dictionaries use: porter2 for English, whose stems are PostgreSQL's
 * english_stem's on every non-stop word of 978 support words, where @orama/stemmers' English is the older Porter
 * and differed on 70; @orama/stemmers for the other four), hashes each distinct lexeme once (a cache: support
 * vocabulary is small and Zipf-shaped) and sends a tsvector literal, which PostgreSQL only parses
 * (bench:searchindex --js).
 *
 * One tokenizer serves the index and the search box, so they agree by construction: a word is a run of letters,
 * combining marks and digits, lower-cased; everything else separates. "e-mail", "12.50" and "john.doe@example.com"
 * are several words and are found as the phrase of their words (`'e' <-> 'mail'`), which the word pairs keep fast.
 *
 * The document holds, as in search_document(): every word with its position; its stem in the message's language at
 * the same position when it differs; each pair of adjacent words (both at most 40 bytes) as one lexeme "first
 * second" without position; and the lexeme " long" instead of pairs for texts over 300 kB. Tokens are HMAC-SHA256
 * under the blind index's 'word' subkey, 96 bits, base64, as search-blind.ts's token(), so rows written either way
 * stay searchable together.
 */
const MAX_TEXT = 200_000;
const MAX_PAIR_TEXT = 300_000;
const MAX_PAIR_WORD_BYTES = 40;
/** PostgreSQL's tsvector limits: positions 1..16383, at most 256 of them per lexeme. */
const MAX_POSITION = 16_383;
const MAX_POSITIONS_PER_LEXEME = 256;
const TOKEN_CACHE_SIZE = 50_000;
const TOKEN_BYTES = 12;

const WORD = /[\p{L}\p{M}\p{N}]+/gu;
const TAG = /<[^>]*>/g;
const ENTITY = /&(?:#\d+|#x[0-9a-f]+|[a-z]+);/gi;

type Stemmer = (word: string) => string;
const STEMMERS: Record<string, Stemmer> = { en: english, de: german, fr: french, fi: finnish, sv: swedish };
export const STEMMED_LANGUAGES = Object.keys(STEMMERS);
const STOP_WORDS: Record<string, ReadonlySet<string>> = {
  en: new Set(englishStops),
  de: new Set(germanStops),
  fr: new Set(frenchStops),
  fi: new Set(finnishStops),
  sv: new Set(swedishStops),
};

/** The stemmer of a language tag ("de-AT" → German), as search_config() chooses the configuration. */
export const stemmerOf = (language: string | null | undefined): Stemmer | undefined =>
  STEMMERS[(language ?? '').split('-')[0]!.toLowerCase()];

/** The words of a text, in order (the one tokenizer of the index and the query). */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** Text and HTML as one text, tags and entities as separators, capped as search_document() caps it. */
export function indexedText(body: string | null, html: string | null): string {
  const markup = html ? html.replace(TAG, ' ').replace(ENTITY, ' ') : '';
  return `${body ?? ''} ${markup}`.slice(0, MAX_TEXT);
}

export type TextTokens = {
  /** A lexeme's token (the same as search-blind.ts's token()). */
  token(lexeme: string): string;
  /** The tsvector literal of a message's text (pass it as `$1::tsvector`). */
  document(language: string | null, body: string | null, html: string | null): string;
  /** The mention tokens of the phone numbers in a text, as blind_mention_tokens() computes them (migration 0040). */
  mentionTokens(body: string | null, html: string | null): string[];
};

/** A run of digits and the separators people write in phone numbers (blind_mention_tokens()'s pattern). */
const DIGIT_RUN = /[0-9][0-9 \t().+/-]*/g;
const DIGITS_PREFIX = ' #';
const MENTION_SUFFIX_MIN = 6;
const MENTION_SUFFIX_MAX = 20;

export function textTokens(index: BlindIndex): TextTokens {
  const key = index.subkey('word');
  const cache = new Map<string, string>();
  const token = (lexeme: string): string => {
    let t = cache.get(lexeme);
    if (t === undefined) {
      t = createHmac('sha256', key).update(lexeme, 'utf8').digest().subarray(0, TOKEN_BYTES).toString('base64');
      // Dropped whole when full: cheaper than an LRU, and the frequent words are back within a few messages.
      if (cache.size >= TOKEN_CACHE_SIZE) cache.clear();
      cache.set(lexeme, t);
    }
    return t;
  };
  return {
    token,
    document(language, body, html) {
      const text = indexedText(body, html);
      const words = wordsOf(text);
      const stem = stemmerOf(language);
      const positions = new Map<string, number[]>();
      const at = (lexeme: string, position: number) => {
        const t = token(lexeme);
        const list = positions.get(t);
        if (!list) positions.set(t, [position]);
        else if (list.length < MAX_POSITIONS_PER_LEXEME && list[list.length - 1] !== position) list.push(position);
      };
      const pairs = new Set<string>();
      const withPairs = Buffer.byteLength(text) <= MAX_PAIR_TEXT;
      for (let i = 0; i < words.length; i++) {
        const word = words[i]!;
        const position = Math.min(i + 1, MAX_POSITION);
        at(word, position);
        if (stem) {
          const stemmed = stem(word);
          if (stemmed !== word) at(stemmed, position);
        }
        const previous = i > 0 ? words[i - 1]! : null;
        if (withPairs && previous && previous.length <= MAX_PAIR_WORD_BYTES && word.length <= MAX_PAIR_WORD_BYTES) {
          // Length in UTF-16 units bounds the bytes only for ASCII: check bytes when it could matter.
          if (
            (previous.length * 3 <= MAX_PAIR_WORD_BYTES || Buffer.byteLength(previous) <= MAX_PAIR_WORD_BYTES) &&
            (word.length * 3 <= MAX_PAIR_WORD_BYTES || Buffer.byteLength(word) <= MAX_PAIR_WORD_BYTES)
          )
            pairs.add(`${previous} ${word}`);
        }
      }
      let out = '';
      for (const [t, list] of positions) out += `'${t}':${list.join(',')} `;
      if (withPairs) for (const pair of pairs) out += `'${token(pair)}' `;
      else out += `'${token(' long')}' `;
      return out.trimEnd();
    },
    mentionTokens(body, html) {
      // The raw text with its markup, as the SQL version reads it (a number split by a tag is still one run there).
      const text = `${body ?? ''} ${html ?? ''}`.slice(0, MAX_TEXT);
      const tokens = new Set<string>();
      for (const run of text.match(DIGIT_RUN) ?? []) {
        const digits = run.replace(/[^0-9]+/g, '');
        for (let n = MENTION_SUFFIX_MIN; n <= Math.min(digits.length, MENTION_SUFFIX_MAX); n++)
          tokens.add(token(DIGITS_PREFIX + digits.slice(-n)));
      }
      return [...tokens];
    },
  };
}

/**
 * The search box's text as a tsquery of plain lexemes, in the same syntax websearch_to_tsquery() accepts ("quoted
 * phrase", -exclusion, `or`; everything else AND) and printed the way PostgreSQL prints a tsquery, but split by this
 * tokenizer, so that it matches the documents above: search-blind.ts's query() then turns each lexeme into its token.
 * As today's query (search.ts textQuery()): the words in 'simple' and stemmed in every language we index, OR'd, the
 * stemmed alternatives without the language's stop words (Snowball's lists, as PostgreSQL's dictionaries use); a
 * quoted phrase only in 'simple' (these very words, in order). Null when no word is left. `stemmed: false`: only
 * in 'simple', for an index of unstemmed words (subjects, subject-store.ts), as websearch_to_tsquery('simple', …).
 */
export function websearchQuery(text: string, options: { stemmed?: boolean } = {}): string | null {
  const terms = parseWebsearch(text);
  if (!terms.some((t) => wordsOf(t.text).length)) return null;
  const simpleOnly = terms.some((t) => t.phrase) || options.stemmed === false;
  const alternatives = new Set<string>();
  for (const language of simpleOnly ? [null] : [null, ...STEMMED_LANGUAGES]) {
    const stem = language ? STEMMERS[language]! : null;
    const stops = language ? STOP_WORDS[language]! : null;
    let out = '';
    let pendingOr = false;
    for (const term of terms) {
      if (term.or) {
        pendingOr = out !== '';
        continue;
      }
      const words = wordsOf(term.text).filter((w) => !stops?.has(w));
      if (!words.length) continue;
      const lexemes = words.map((w) => `'${stem ? stem(w) : w}'`);
      const operand = lexemes.length > 1 ? lexemes.join(' <-> ') : lexemes[0]!;
      const item = term.not ? `!${lexemes.length > 1 ? `( ${operand} )` : operand}` : operand;
      out = out ? `${out} ${pendingOr ? '|' : '&'} ${item}` : item;
      pendingOr = false;
    }
    if (out) alternatives.add(out);
  }
  if (!alternatives.size) return null;
  return [...alternatives].map((a) => `( ${a} )`).join(' | ');
}

type WebsearchTerm = { text: string; phrase: boolean; not: boolean; or: boolean };

/** Terms of websearch syntax: "a phrase" (an unclosed quote runs to the end), -term, `or`, plain words. */
function parseWebsearch(text: string): WebsearchTerm[] {
  const terms: WebsearchTerm[] = [];
  for (const m of text.matchAll(/(-?)"([^"]*)"?|(\S+)/g)) {
    if (m[3] !== undefined) {
      const raw = m[3];
      if (raw.toLowerCase() === 'or') terms.push({ text: '', phrase: false, not: false, or: true });
      else if (raw.startsWith('-') && raw.length > 1)
        terms.push({ text: raw.slice(1), phrase: false, not: true, or: false });
      else terms.push({ text: raw, phrase: false, not: false, or: false });
    } else terms.push({ text: m[2]!, phrase: true, not: m[1] === '-', or: false });
  }
  return terms;
}
