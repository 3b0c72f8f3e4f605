import { mod97 } from './checksums.ts';
import type { PiiFinding } from './types.ts';

/** IBAN length per country (the SWIFT IBAN registry): a wrong length is no IBAN even when mod-97 passes. */
const LENGTHS: Record<string, number> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MR: 27,
  MT: 31,
  MU: 30,
  NL: 18,
  NO: 15,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  SA: 24,
  SC: 31,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
};

// Country code, check digits, then the account part, written in one piece or in groups of four.
const CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])/gi;

/** IBANs: the country's length and the ISO 13616 mod-97 check (a valid IBAN leaves remainder 1). */
export function findIbans(text: string): PiiFinding[] {
  const found: PiiFinding[] = [];
  for (const m of text.matchAll(CANDIDATE)) {
    let raw = m[0];
    const compact = raw.replace(/ /g, '').toUpperCase();
    const length = LENGTHS[compact.slice(0, 2)];
    if (!length || compact.length < length) continue;
    // Grouped text may run on into the next word ("DE89 3704 … 00 is mine"): keep the country's length.
    let iban = compact;
    if (compact.length > length) {
      iban = compact.slice(0, length);
      let seen = 0;
      let cut = 0;
      while (seen < length) if (raw[cut++] !== ' ') seen++;
      if (/[A-Za-z0-9]/.test(raw[cut] ?? '')) continue;
      raw = raw.slice(0, cut);
    }
    if (mod97(iban.slice(4) + iban.slice(0, 4)) !== 1) continue;
    found.push({ kind: 'iban', start: m.index, end: m.index + raw.length });
  }
  return found;
}
