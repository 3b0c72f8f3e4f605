import { describe, expect, it } from 'vitest';
import { canTakeText, parseTypedIdentity } from '../../server/privacy/request-identity.ts';

/** What the request page makes of the identity a person types (server/privacy/request-identity.ts). */
describe('the identity typed on the request page', () => {
  const code = (raw: string, region?: 'FI' | 'DE') => {
    try {
      parseTypedIdentity(raw, region);
      return null;
    } catch (err) {
      return (err as { code: string }).code;
    }
  };

  it('reads an email address, lower-cased', () => {
    expect(parseTypedIdentity('  Olga.O@Example.ORG ', 'FI')).toEqual({ kind: 'email', address: 'olga.o@example.org' });
    expect(code('olga o@example.org')).toBe('invalid_identity');
  });

  it('reads phone numbers to E.164: national ones in the region, international ones anywhere', () => {
    const phone = (address: string) => ({ kind: 'phone', address });
    expect(parseTypedIdentity('040 123 4567', 'FI')).toEqual(phone('+358401234567'));
    expect(parseTypedIdentity('040-1234567', 'FI')).toEqual(phone('+358401234567'));
    expect(parseTypedIdentity('+358 (0)40 123 4567', 'FI')).toEqual(phone('+358401234567'));
    expect(parseTypedIdentity('00358401234567', undefined)).toEqual(phone('+358401234567'));
    expect(parseTypedIdentity('+49 151 23456789', 'FI')).toEqual(phone('+4915123456789'));
    expect(parseTypedIdentity('0151 23456789', 'DE')).toEqual(phone('+4915123456789'));
    // Without a region a national number cannot be read.
    expect(code('040 123 4567')).toBe('invalid_phone');
    expect(code('040 12', 'FI')).toBe('invalid_phone');
  });

  it('refuses numbers that cannot take a text message', () => {
    expect(code('09 123 4567', 'FI')).toBe('not_mobile');
    expect(code('+44 20 7946 0958')).toBe('not_mobile');
    expect(code('0800 123 456', 'FI')).toBe('not_mobile');
  });

  it('reads a Slack member id, whatever its case', () => {
    expect(parseTypedIdentity('U0CUSTOMR1', 'FI')).toEqual({ kind: 'slack', memberId: 'U0CUSTOMR1' });
    expect(parseTypedIdentity(' w0123abcd ', 'FI')).toEqual({ kind: 'slack', memberId: 'W0123ABCD' });
  });

  it('refuses anything else', () => {
    for (const raw of ['Sirpa', 'my number is 040', 'C0123ABCD', '', '+'])
      expect(code(raw, 'FI')).toBe('invalid_identity');
  });

  it('tells a number on file that can take a text (a request outcome by SMS) from one that cannot', () => {
    expect(canTakeText('+358401234567')).toBe(true); // Finnish mobile
    expect(canTakeText('+4915112345678')).toBe(true); // German mobile
    expect(canTakeText('+35891234567')).toBe(false); // Helsinki fixed line
    expect(canTakeText('+498001234567')).toBe(false); // German toll-free
    expect(canTakeText('+1555')).toBe(false); // not a number
  });
});
