import { sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { MentionMatcher } from './mentions.ts';
import type { SearchBlinding } from '../domain/search-blind.ts';
import { wordsOf } from '../domain/search-tokens.ts';

/**
 * Mentions of a person in messages are found through two indexes instead of reading every message: the words of
 * body + HTML (`messages.search_vector`, migrations 0021/0022: every word unstemmed with the 'simple'
 * configuration, and stemmed where the language is known, GIN-indexed; it also serves the search box) and their
 * digits (`mention_digits`, an expression with a trigram index, migration 0015). The query below names exactly
 * those, or PostgreSQL would not use the indexes. It finds candidates only: every candidate's exact
 * spellings are then checked by the matcher's regular expressions, as for the tables that are scanned.
 *
 * Words: each identifier (an address, "First Last", a first name) is looked up as its words, all present
 * (`plainto_tsquery`, the same parser as the index, so "ada.lovelace@example.com" or "U0123ABC" is one word on
 * both sides); order and punctuation between them are for the regular expressions. Digits: a phone number in
 * any format contains its national significant number as one digit run once separators are gone.
 * Longer texts than the indexes read (MENTION_TEXT_CAP) are always candidates (a partial index lists them).
 * With `blinding` (the blinded index, server/domain/search-blind.ts) the same words and national digits are looked
 * up as their keyed tokens: the candidates are the same (test/integration/search-blind.test.ts).
 */
export const MENTION_TEXT_CAP = 200_000;

export function messageMentionCondition(
  searchVector: PgColumn,
  body: PgColumn,
  html: PgColumn,
  matcher: MentionMatcher,
  blinding?: SearchBlinding,
): SQL | null {
  const arms: SQL[] = [];
  // Plaintext rows (from before the switch) through their words and digits; with `blinding`, sealed rows through
  // their tokens too (a token never equals a word, so each row is found by its own form).
  if (matcher.wordTerms.length) {
    const query = sql.join(
      matcher.wordTerms.flatMap((term) => [
        sql`plainto_tsquery('simple'::regconfig, ${term})`,
        // Sealed rows: the term's words split as the server split their text (search-tokens.ts), AND'd.
        ...(blinding && wordsOf(term).length
          ? [
              sql`${wordsOf(term)
                .map((w) => `'${blinding.token(w)}'`)
                .join(' & ')}::tsquery`,
            ]
          : []),
      ]),
      sql` || `,
    );
    arms.push(sql`${searchVector} @@ (${query})`);
  }
  for (const digits of matcher.digitRuns) {
    arms.push(sql`mention_digits(${body}, ${html}) like ${`%${digits}%`}`);
    if (blinding) arms.push(sql`mention_tokens @> array[${blinding.digitsToken(digits)}]::text[]`);
  }
  if (!arms.length) return null;
  arms.push(sql`length(${body}) + length(coalesce(${html}, '')) > ${sql.raw(String(MENTION_TEXT_CAP - 1))}`);
  return sql.join(arms, sql` or `);
}
