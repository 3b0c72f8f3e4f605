import { describe, expect, it } from 'vitest';
import { mentionMatcher, splitE164 } from '../../server/privacy/mentions.ts';

const erase = (text: string, contact: { name: string | null; email: string | null; phone: string | null }) => {
  const { certain } = mentionMatcher(contact, []);
  return certain ? text.replace(certain, '[erased]') : text;
};

describe('mentions of a person in other people’s text', () => {
  it('splits E.164 numbers by their country code', () => {
    expect(splitE164('+4915491315660')).toEqual({ cc: '49', nsn: '15491315660' });
    expect(splitE164('+15550109911')).toEqual({ cc: '1', nsn: '5550109911' });
    expect(splitE164('+353861234567')).toEqual({ cc: '353', nsn: '861234567' });
    expect(splitE164('not a number')).toBeNull();
  });

  it('finds a German mobile number in every common format, and not a neighbouring number', () => {
    const who = { name: null, email: null, phone: '+4915491315660' };
    for (const form of [
      '+4915491315660',
      '+49 154 9131 5660',
      '+49 (0)154 9131 5660',
      '0049 154 91315660',
      '01549131 5660',
      '0154-9131-5660',
      '(0154) 91315660',
      '0154/9131 5660',
      '0154.9131.5660',
    ])
      expect(erase(`call ${form} now`, who), form).toBe('call [erased] now');
    expect(erase('call 0154 9131 56601 now', who)).toBe('call 0154 9131 56601 now');
    expect(erase('call 0154 9131 5661 now', who)).toBe('call 0154 9131 5661 now');
  });

  it('finds a North American number written nationally without a trunk prefix', () => {
    const who = { name: null, email: null, phone: '+15550109911' };
    for (const form of ['(555) 010-9911', '555-010-9911', '+1 555 010 9911', '1-555-010-9911'])
      expect(erase(`at ${form}.`, who), form).toBe('at [erased].');
  });

  it('finds a name as First Last, Last, First and Last First in any case; a first name alone only as possible', () => {
    const who = { name: 'Ada Quartermaine', email: 'ada@example.org', phone: null };
    expect(erase('ada quartermaine, QUARTERMAINE,Ada and Quartermaine  Ada wrote to ada@example.org', who)).toBe(
      '[erased], [erased] and [erased] wrote to [erased]',
    );
    expect(erase('Adam Quartermaines and Ada came', who)).toBe('Adam Quartermaines and Ada came');
    const { possible } = mentionMatcher(who, []);
    expect(possible!.test('Ada came')).toBe(true);
    expect(possible!.test('Adam came')).toBe(false);
  });
});
