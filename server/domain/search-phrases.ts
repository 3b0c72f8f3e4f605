/**
 * Phrases through the word-pair lexemes of messages.search_vector (migration 0039): every pair of adjacent words of
 * a message ('simple', unstemmed) is also one lexeme "first second". A phrase `'a' <-> 'b' <-> 'c'` in the query's
 * text is rewritten `( 'a' <-> 'b' <-> 'c' & ( 'a b' & 'b c' | ' long' ) )`: the same rows match (a row whose words
 * are at adjacent positions has their pair, and a row whose pairs did not all fit in its vector carries ' long'),
 * but the index now narrows the candidates to the rows holding the pairs instead of every row holding the words.
 *
 * Only chains of plain lexemes joined by `<->` are rewritten: a prefix (`:*`) or weighted operand, a distance such as
 * `<2>` (a stop word dropped by a stemming configuration) or a chain inside a longer phrase expression is left as it
 * is, since its pairs are not what the vector holds. Words longer than the pairs' limit make no pair.
 */
export const PAIR_WORD_MAX_BYTES = 40;
export const LONG_TEXT_LEXEME = ' long';

const LEXEME = String.raw`'(?:[^'\\]|'')+'(?!:)`;
const CHAIN = new RegExp(String.raw`${LEXEME}(?: <-> ${LEXEME})+`, 'g');
const OPERAND = new RegExp(LEXEME, 'g');

const unquote = (quoted: string) => quoted.slice(1, -1).replace(/''/g, "'");
const quote = (lexeme: string) => `'${lexeme.replace(/'/g, "''")}'`;

/** The query's text (as PostgreSQL prints a tsquery) with each phrase also asking for its word pairs. */
export function withPhrasePairs(tsquery: string): string {
  // PostgreSQL prints a backslash in a lexeme escaped; such a query is rare enough to be searched without pairs.
  if (tsquery.includes('\\')) return tsquery;
  return tsquery.replace(CHAIN, (chain, offset: number, whole: string) => {
    // Part of a longer phrase expression, e.g. `( 'a' | 'b' ) <-> 'c' <-> 'd'`: its operands' positions are not the
    // chain's alone, so it stays as it is.
    const before = whole.slice(0, offset).trimEnd();
    const after = whole.slice(offset + chain.length).trimStart();
    if (/<\d*-?>$/.test(before) || /^</.test(after)) return chain;
    const words = (chain.match(OPERAND) ?? []).map(unquote);
    const pairs: string[] = [];
    for (let i = 0; i + 1 < words.length; i++) {
      const [first, second] = [words[i]!, words[i + 1]!];
      if (Buffer.byteLength(first) > PAIR_WORD_MAX_BYTES || Buffer.byteLength(second) > PAIR_WORD_MAX_BYTES) continue;
      pairs.push(quote(`${first} ${second}`));
    }
    if (!pairs.length) return chain;
    return `( ${chain} & ( ${pairs.join(' & ')} | ${quote(LONG_TEXT_LEXEME)} ) )`;
  });
}
