import { describe, expect, it } from 'vitest';
import { detectPii } from '../../server/privacy/pii/detect.ts';

const found = (text: string) => detectPii(text).map((f) => ({ kind: f.kind, text: text.slice(f.start, f.end) }));

describe('PII detectors', () => {
  it('find a card number only when its issuer prefix, length and Luhn check all fit, and keep its last four', () => {
    expect(detectPii('card 4111 1111 1111 1111 ok')).toEqual([{ kind: 'card', start: 5, end: 24, keep: '1111' }]);
    expect(found('card 4111 1111 1111 1112')).toEqual([]);
    expect(found('order 1234567812345678, tracking 9400111899223197428490')).toEqual([]);
  });

  it('find IBANs with the country length and mod-97, grouped or not, and stop at the next word', () => {
    expect(found('to DE89 3704 0044 0532 0130 00 please')).toEqual([
      { kind: 'iban', text: 'DE89 3704 0044 0532 0130 00' },
    ]);
    expect(found('GB82WEST12345698765432')).toEqual([{ kind: 'iban', text: 'GB82WEST12345698765432' }]);
    expect(found('DE89 3704 0044 0532 0130 01')).toEqual([]);
  });

  it('find national identity numbers by their check digits (FI, SE, FR, DE, IE), not phone or order numbers', () => {
    expect(
      found('hetu 131052-308T, pnr 811218-9876, NIR 2 55 08 14 168 025 38, IdNr 86095742719, PPS 1234567T'),
    ).toEqual([
      { kind: 'national_id', text: '131052-308T' },
      { kind: 'national_id', text: '811218-9876' },
      { kind: 'national_id', text: '2 55 08 14 168 025 38' },
      { kind: 'national_id', text: '86095742719' },
      { kind: 'national_id', text: '1234567T' },
    ]);
    expect(found('131052-308X, 0701234567, 01701234567, +33 6 12 34 56 78, QQ123456C')).toEqual([]);
  });

  it('find the secret after "password is", in five languages, and leave sentences about a password alone', () => {
    expect(found('Passwort: sommer2024 / salasana on Kissa123 / mitt lösenord är Sommar99')).toEqual([
      { kind: 'password', text: 'sommer2024' },
      { kind: 'password', text: 'Kissa123' },
      { kind: 'password', text: 'Sommar99' },
    ]);
    expect(found('My password is wrong. I forgot my password. Mein Passwort ist abgelaufen.')).toEqual([]);
  });

  it('find Art. 9 terms in five languages and not their look-alikes', () => {
    expect(
      found('I have diabetes; ich bin schwanger; je suis musulman; olen raskaana; jag är gravid').map((f) => f.text),
    ).toEqual(['diabetes', 'schwanger', 'musulman', 'raskaana', 'gravid']);
    expect(found('Merry Christmas! The birthday party and the European Union. Run the diagnostics.')).toEqual([]);
  });

  it('report a number once, as the stricter kind, when two detectors see it', () => {
    expect(found('DE89370400440532013000 and 4111111111111111').map((f) => f.kind)).toEqual(['iban', 'card']);
  });
});
