import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { searchBlinding } from '../../server/domain/search-blind.ts';
import { blindIndexFromKey } from '../../server/security/blind-index.ts';

const index = blindIndexFromKey(Buffer.alloc(32, 1));
const blinding = searchBlinding(index);

describe('the blinded search query', () => {
  it('is HMAC-SHA256 under the word subkey, 96 bits in base64, and the pads are that key’s', () => {
    const key = index.subkey('word');
    const hmac = createHmac('sha256', key).update('refund').digest();
    expect(blinding.token('refund')).toBe(hmac.subarray(0, 12).toString('base64'));
    expect(blinding.token('refund')).toHaveLength(16);
    expect(blinding.ipad).toHaveLength(64);
    expect(blinding.ipad[0]! ^ 0x36).toBe(key[0]);
    expect(blinding.opad[40]! ^ 0x5c).toBe(0);
  });

  it('replaces every lexeme and keeps the operators, phrases and pairs', () => {
    const t = blinding.token;
    expect(blinding.query(`( 'gadget' <-> 'broke' & ( 'gadget broke' | ' long' ) ) | !'refund'`)).toBe(
      `( '${t('gadget')}' <-> '${t('broke')}' & ( '${t('gadget broke')}' | '${t(' long')}' ) ) | !'${t('refund')}'`,
    );
  });

  it('reads quotes and backslashes as PostgreSQL prints them, and drops a prefix marker it cannot keep', () => {
    const t = blinding.token;
    expect(blinding.query(`'it''s' & 'back\\\\slash'`)).toBe(`'${t("it's")}' & '${t('back\\slash')}'`);
    expect(blinding.query(`'tollen':*`)).toBe(`'${t('tollen')}'`);
  });

  it('gives a digit run the token of its last 20 digits, apart from any word', () => {
    expect(blinding.digitsToken('15491315660')).toBe(blinding.token(' #15491315660'));
    expect(blinding.digitsToken('1234567890123456789012')).toBe(blinding.digitsToken('34567890123456789012'));
    expect(blinding.digitsToken('15491315660')).not.toBe(blinding.token('15491315660'));
  });
});
