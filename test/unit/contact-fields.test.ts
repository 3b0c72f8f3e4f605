import { describe, expect, it } from 'vitest';
import { testDataKeys } from '../helpers/data-keys.ts';
import { openBlindIndex } from '../../server/security/blind-index.ts';
import {
  emailAddressToken,
  emailTokens,
  emailWordTokens,
  nameTokens,
  nameWords,
  openContactFields,
  phoneDigitsToken,
  phoneTokens,
  sealFields,
} from '../../server/domain/contact-fields.ts';
import { phoneDigits } from '../../server/domain/phone-digits.ts';

describe('contact fields sealed with the contact’s data key', () => {
  it('finds a name by each of its words, whatever the case or the separators', async () => {
    expect(nameWords('  Anna-Lena  MÜLLER, jr. ')).toEqual(['anna', 'lena', 'müller', 'jr']);
    expect(nameWords(null)).toEqual([]);
    const index = await openBlindIndex(testDataKeys());
    const stored = nameTokens(index, 'Anna-Lena Müller');
    expect(stored).toHaveLength(3);
    expect(stored.join(' ')).not.toMatch(/anna|lena|müller/i);
    // A query's tokens are a subset of the stored ones exactly when every word typed is one of the name's words.
    for (const query of ['müller', 'MÜLLER anna', 'lena'])
      expect(stored).toEqual(expect.arrayContaining(nameTokens(index, query)));
    expect(stored).not.toEqual(expect.arrayContaining(nameTokens(index, 'mülle')));
  });

  it('finds an email address whole or by its whole words, a phone number by its end in any format', async () => {
    const index = await openBlindIndex(testDataKeys());
    const email = emailTokens(index, ' Mira.Tollenbeck@Example.ORG ');
    expect(email.join(' ')).not.toMatch(/mira|tollenbeck|example/i);
    expect(email).toContain(emailAddressToken(index, 'mira.tollenbeck@example.org'));
    expect(email).not.toContain(emailAddressToken(index, 'tollenbeck.mira@example.org'));
    for (const query of ['tollenbeck', 'MIRA.TOLLENBECK@example', 'mira.tollenbeck@example.org'])
      expect(email, query).toEqual(expect.arrayContaining(emailWordTokens(index, query)));
    expect(email).not.toEqual(expect.arrayContaining(emailWordTokens(index, 'ollenbeck')));
    // A word of the address is not a word of a name: the two never stand for each other.
    expect(email).not.toEqual(expect.arrayContaining(nameTokens(index, 'tollenbeck')));

    const phone = phoneTokens(index, '+49 154 9131 5660');
    expect(phone).toHaveLength(13 - 6 + 1); // 4915491315660: its suffixes of 6 to 13 digits
    const finds = (typed: string) => phone.includes(phoneDigitsToken(index, phoneDigits(typed)!.digits));
    for (const typed of ['+49 154 9131 5660', '0049-154-91315660', '0154 9131 5660', '(0154) 91315660'])
      expect(finds(typed), typed).toBe(true);
    expect(finds('154 9131 566')).toBe(false); // digits from the middle
    expect(finds('+1 154 9131 5660')).toBe(false);
    expect(phoneTokens(index, 'call me')).toEqual([]);
    expect(phoneTokens(index, '+' + '1'.repeat(25))).toHaveLength(20 - 6 + 1);
  });

  it('opens what it sealed; a value copied to another contact, or whose key is gone, reads as unreadable', async () => {
    const keys = testDataKeys();
    const blindIndex = await openBlindIndex(keys);
    const [ada, bob] = ['00000000-0000-4000-8000-00000000a0a0', '00000000-0000-4000-8000-00000000b0b0'];
    const fields = { name: 'Ada Lovelace', email: 'ada@example.org', phone: '+15550100001' };
    const sealedAda = await sealFields({ dataKeys: keys, blindIndex }, ada, fields);
    const sealedBob = await sealFields({ dataKeys: keys, blindIndex }, bob, { name: 'Bob', email: null });
    expect(JSON.stringify(sealedAda)).not.toMatch(/Ada|Lovelace|ada@|5550100001/);
    expect(sealedBob).not.toHaveProperty('sealedPhone'); // not given: a patch leaves it as it is

    const rows = [
      { id: ada, ...sealedAda },
      { id: bob, ...sealedBob },
      { id: bob, sealedName: sealedAda.sealedName }, // Ada's name moved onto Bob's row
      { id: 'none' }, // a contact that never gave a name, email or phone: nothing sealed, nothing plain (0049)
    ];
    const opened = await openContactFields(keys, rows);
    expect(opened[0]).toMatchObject(fields);
    expect(opened[0]).not.toHaveProperty('fieldsUnreadable');
    expect(opened[1]).toMatchObject({ name: 'Bob', email: null, phone: null });
    expect(opened[2]).toMatchObject({ name: null, fieldsUnreadable: ['name'] });
    expect(opened[3]).toEqual({ id: 'none', name: null, email: null, phone: null });

    await keys.shred(ada);
    const [afterErasure] = await openContactFields(keys.reopen(), [{ id: ada, ...sealedAda }]);
    expect(afterErasure).toMatchObject({
      name: null,
      email: null,
      phone: null,
      fieldsUnreadable: ['name', 'email', 'phone'],
    });
  });
});
