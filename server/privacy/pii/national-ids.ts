import { iso7064Mod11_10, luhnValid, mod97 } from './checksums.ts';
import type { PiiFinding } from './types.ts';

/**
 * National identity numbers of the countries of the five languages that carry a check digit: Finland
 * (henkilötunnus), Sweden (personnummer and samordningsnummer), France (NIR, the social security number),
 * Germany (Steuerliche Identifikationsnummer; the ID card's own number is a document number, not the person's)
 * and Ireland (PPSN). The United Kingdom's National Insurance number has no check digit: a detector for it could
 * only guess, so there is none.
 */
type IdRule = { label: string; pattern: RegExp; valid: (m: RegExpExecArray) => boolean };

const isDate = (mm: number, dd: number) => mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31;

const HETU_CHECK = '0123456789ABCDEFHJKLMNPRSTUVWXY';

const rules: IdRule[] = [
  {
    label: 'Finnish henkilötunnus',
    // DDMMYY, the century sign (+ 1800s; - and Y X W V U 1900s; A to F 2000s), individual number, check character.
    pattern: /(?<![\w-])(\d{2})(\d{2})(\d{2})[-+A-FU-Y](\d{3})([0-9A-Y])(?![\w-])/gi,
    valid: (m) =>
      isDate(Number(m[2]), Number(m[1])) && HETU_CHECK[Number(m[1]! + m[2] + m[3] + m[4]) % 31] === m[5]!.toUpperCase(),
  },
  {
    label: 'Swedish personnummer',
    // YYMMDD-NNNC (+ for the over-hundred), or YYYYMMDD with or without the dash; day + 60: samordningsnummer.
    // A bare YYMMDDNNNC is not taken: it is written like a Swedish mobile number (070 123 45 67).
    pattern: /(?<![\w+-])(?:(?:19|20)(\d{2})(\d{2})(\d{2})-?|(\d{2})(\d{2})(\d{2})[-+])(\d{3})(\d)(?![\w-])/g,
    valid: (m) => {
      const [yy, mm, dd] = m[1] !== undefined ? [m[1], m[2]!, m[3]!] : [m[4]!, m[5]!, m[6]!];
      const day = Number(dd) > 60 ? Number(dd) - 60 : Number(dd);
      return isDate(Number(mm), day) && luhnValid(yy + mm + dd + m[7] + m[8]);
    },
  },
  {
    label: 'French NIR',
    // Sex, year, month, département (2A/2B: Corsica), commune, order number, key; often written in groups.
    pattern: /(?<![\w-])([12]) ?(\d{2}) ?(\d{2}) ?(\d{2}|2[AB]) ?(\d{3}) ?(\d{3}) ?(\d{2})(?![\w-])/gi,
    valid: (m) => {
      const month = Number(m[3]);
      if (!((month >= 1 && month <= 12) || month === 20 || (month >= 30 && month <= 99))) return false;
      const dept = m[4]!.toUpperCase().replace('2A', '19').replace('2B', '18');
      const number = m[1]! + m[2] + m[3] + dept + m[5] + m[6];
      return 97 - mod97(number) === Number(m[7]);
    },
  },
  {
    label: 'German tax identification number',
    // 11 digits, no leading zero, in one piece or grouped 2-3-3-3.
    pattern: /(?<![\w-])([1-9]\d) ?(\d{3}) ?(\d{3}) ?(\d{3})(?![\w-])/g,
    valid: (m) => {
      const digits = m[1]! + m[2] + m[3] + m[4];
      const counts = new Map<string, number>();
      for (const d of digits.slice(0, 10)) counts.set(d, (counts.get(d) ?? 0) + 1);
      // Of the first ten digits exactly one occurs twice or three times, so eight or nine distinct digits.
      const repeated = [...counts.values()].filter((c) => c > 1);
      if (repeated.length !== 1 || repeated[0]! > 3) return false;
      if (/(\d)\1\1/.test(digits.slice(0, 10))) return false;
      return iso7064Mod11_10(digits.slice(0, 10)) === Number(digits[10]);
    },
  },
  {
    label: 'Irish PPS number',
    // Seven digits, a check letter, and since 2013 a second letter (A, B, … or W).
    pattern: /(?<![\w-])(\d{7})([A-W])([A-IW]?)(?![\w-])/gi,
    valid: (m) => {
      let sum = 0;
      for (let i = 0; i < 7; i++) sum += Number(m[1]![i]) * (8 - i);
      const second = m[3]!.toUpperCase();
      if (second && second !== 'W') sum += (second.charCodeAt(0) - 64) * 9;
      const check = sum % 23;
      return (check === 0 ? 'W' : String.fromCharCode(64 + check)) === m[2]!.toUpperCase();
    },
  },
];

export function findNationalIds(text: string): PiiFinding[] {
  const found: PiiFinding[] = [];
  for (const rule of rules) {
    for (const m of text.matchAll(rule.pattern)) {
      if (rule.valid(m))
        found.push({ kind: 'national_id', start: m.index, end: m.index + m[0].length, label: rule.label });
    }
  }
  return found;
}
