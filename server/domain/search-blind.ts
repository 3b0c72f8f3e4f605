import { createHash, createHmac } from 'node:crypto';
import type { BlindIndex } from '../security/blind-index.ts';

/**
 * The blinded search index (issue 22, migration 0040): message text is indexed as keyed tokens instead of words.
 * The database still parses the text (search_document(): 'simple' words, stems in the message's language, word
 * pairs), then replaces each lexeme by HMAC-SHA256 under the blind index's 'word' subkey, keeping its positions. The
 * writer passes the plaintext and the key's HMAC pads as parameters of the same statement; neither is stored. The
 * query side parses the typed text the same way (websearch_to_tsquery, unchanged) and maps each lexeme of the
 * query's text through the same HMAC here, so `vector @@ query` matches exactly what it matched on plain words.
 *
 * What cannot be blinded: a prefix (`lexeme:*`) asks for every word starting with it, and a token says nothing about
 * its word's start, so a prefix operand is searched as the whole word (the search box never writes one; erasure's
 * "Tollen" finding "Tollenbeck" becomes a whole-word match). Digit runs are tokens of their last 6 to 20 digits
 * (mention tokens), so a phone number is found by its national significant number or its full international digits,
 * no longer by any six digits from its middle.
 */
const TOKEN_BYTES = 12;
const SHA256_BLOCK = 64;

/** Marks a digits token apart from any word's (a leading space: no parsed word has one). Migration 0040 agrees. */
const DIGITS_PREFIX = ' #';
export const MENTION_SUFFIX_MIN = 6;
export const MENTION_SUFFIX_MAX = 20;

export type SearchBlinding = {
  /** The HMAC pads of the word key, passed to the database's blind_* functions as bytea parameters. */
  readonly ipad: Buffer;
  readonly opad: Buffer;
  /** A lexeme's token, as search_token() in SQL computes it. */
  token(lexeme: string): string;
  /** The token of a digit run's suffix (a phone number's national significant number), as in mention tokens. */
  digitsToken(digits: string): string;
  /** A tsquery's text (as PostgreSQL prints it) with every lexeme replaced by its token. */
  query(tsquery: string): string;
};

/** HMAC's two padded keys (RFC 2104): the database computes sha256(opad || sha256(ipad || message)). */
function hmacPads(key: Buffer): { ipad: Buffer; opad: Buffer } {
  const block = Buffer.alloc(SHA256_BLOCK);
  (key.length > SHA256_BLOCK ? createHash('sha256').update(key).digest() : key).copy(block);
  return { ipad: Buffer.from(block.map((b) => b ^ 0x36)), opad: Buffer.from(block.map((b) => b ^ 0x5c)) };
}

/** A quoted lexeme in a tsquery's text: '' is a quote and \\ a backslash; an optional weight/prefix follows. */
const QUOTED = /'((?:[^'\\]|''|\\.)*)'(:[*A-D]+)?/g;
const unescape = (body: string) => body.replace(/''/g, "'").replace(/\\(.)/g, '$1');

export function searchBlinding(index: BlindIndex): SearchBlinding {
  const key = index.subkey('word');
  const { ipad, opad } = hmacPads(key);
  const token = (lexeme: string) =>
    createHmac('sha256', key).update(lexeme, 'utf8').digest().subarray(0, TOKEN_BYTES).toString('base64');
  return {
    ipad,
    opad,
    token,
    digitsToken: (digits) => token(DIGITS_PREFIX + digits.slice(-MENTION_SUFFIX_MAX)),
    // Tokens are base64: no quote or backslash to escape. A prefix or weight marker is dropped (see above).
    query: (tsquery) => tsquery.replace(QUOTED, (_match, body: string) => `'${token(unescape(body))}'`),
  };
}
