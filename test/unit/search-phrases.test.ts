import { describe, expect, it } from 'vitest';
import { withPhrasePairs } from '../../server/domain/search-phrases.ts';

describe('a phrase also asks for its word pairs', () => {
  it('adds each adjacent pair, or the marker of a text whose pairs did not fit', () => {
    expect(withPhrasePairs(`'refund' <-> 'for' <-> 'my'`)).toBe(
      `( 'refund' <-> 'for' <-> 'my' & ( 'refund for' & 'for my' | ' long' ) )`,
    );
  });

  it('rewrites each phrase where it stands: beside words, under a negation, in an alternative', () => {
    expect(withPhrasePairs(`'it' <-> 's' <-> 'big' & !( 'red' <-> 'cat' ) | 'dog'`)).toBe(
      `( 'it' <-> 's' <-> 'big' & ( 'it s' & 's big' | ' long' ) ) & ` +
        `!( ( 'red' <-> 'cat' & ( 'red cat' | ' long' ) ) ) | 'dog'`,
    );
  });

  it('keeps quotes inside a word quoted', () => {
    expect(withPhrasePairs(`'o''brien' <-> 'said'`)).toBe(`( 'o''brien' <-> 'said' & ( 'o''brien said' | ' long' ) )`);
  });

  it('leaves alone what its pairs cannot stand for', () => {
    for (const query of [
      `'refund'`,
      `'refund' & 'order'`,
      `'cancel' <2> 'order'`,
      `'refund':* <-> 'order'`,
      `'refund' <-> 'order':A`,
      `( 'a' | 'b' ) <-> 'c' <-> 'd'`,
      `'a' <-> 'b' <-> ( 'c' | 'd' )`,
      `'a\\\\b' <-> 'c'`,
    ])
      expect(withPhrasePairs(query)).toBe(query);
  });

  it('makes no pair of a word longer than the vector pairs', () => {
    const long = 'x'.repeat(41);
    expect(withPhrasePairs(`'${long}' <-> 'a' <-> 'b'`)).toBe(`( '${long}' <-> 'a' <-> 'b' & ( 'a b' | ' long' ) )`);
    expect(withPhrasePairs(`'${long}' <-> 'a'`)).toBe(`'${long}' <-> 'a'`);
  });
});
