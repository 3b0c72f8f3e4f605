import { describe, expect, it } from 'vitest';
import { searchBlinding } from '../../server/domain/search-blind.ts';
import { textTokens, websearchQuery } from '../../server/domain/search-tokens.ts';
import { subjectVectorOf } from '../../server/domain/subject-store.ts';
import { blindIndexFromKey } from '../../server/security/blind-index.ts';

const index = blindIndexFromKey(Buffer.alloc(32, 2));
const tokens = textTokens(index);
const blinding = searchBlinding(index);

describe('a sealed subject’s index entries (issue 22, subject_vector)', () => {
  const subject = 'Call back Quartermaine, +49 154 9131 5660';
  const vector = subjectVectorOf(tokens, subject);

  it('holds each word unstemmed at its position, the word pairs, and the digit runs’ tokens: no plaintext', () => {
    const t = blinding.token;
    expect(vector).toContain(`'${t('call')}':1 `);
    expect(vector).toContain(`'${t('quartermaine')}':3 `);
    expect(vector).toContain(`'${t('call back')}'`);
    // Erasure looks a phone number up by its national digits' token, as in messages' mention tokens.
    expect(vector).toContain(`'${blinding.digitsToken('15491315660')}'`);
    expect(vector).toContain(`'${blinding.digitsToken('4915491315660')}'`);
    for (const word of ['call', 'back', 'quartermaine', '154', '9131', '5660']) expect(vector).not.toContain(word);
  });

  it('is empty for an empty subject, and the same for the same subject', () => {
    expect(subjectVectorOf(tokens, '')).toBe('');
    expect(subjectVectorOf(tokens, subject)).toBe(vector);
  });

  it('is searched by the typed words unstemmed, as the plain subject index was', () => {
    expect(websearchQuery('refunds', { stemmed: false })).toBe(`( 'refunds' )`);
    expect(websearchQuery('refunds')).toContain(`'refund'`);
    expect(websearchQuery('heater -old', { stemmed: false })).toBe(`( 'heater' & !'old' )`);
  });
});
