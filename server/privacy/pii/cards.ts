import { luhnValid } from './checksums.ts';
import type { PiiFinding } from './types.ts';

// 13 to 19 digits, in groups separated by single spaces or dashes, not glued to other digits or letters.
const CANDIDATE = /(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])/g;

/**
 * Issuer prefixes and lengths of the card networks (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay,
 * Maestro): Luhn alone passes one random number in ten, so an order or tracking number that happens to pass it
 * must also look like a card an issuer could have printed.
 */
function issued(digits: string): boolean {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p4 = Number(digits.slice(0, 4));
  if (digits[0] === '4') return n === 13 || n === 16 || n === 19;
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16;
  if (p2 === 34 || p2 === 37) return n === 15;
  if (p4 === 6011 || p2 === 65 || (p4 >= 6440 && p4 <= 6499)) return n >= 16 && n <= 19;
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19;
  if (p2 === 36 || p2 === 38 || (p4 >= 3000 && p4 <= 3059)) return n >= 14 && n <= 19;
  if (p2 === 62) return n >= 16 && n <= 19;
  if (p2 === 50 || (p2 >= 56 && p2 <= 69)) return n >= 12 && n <= 19;
  return false;
}

/** Payment card numbers (PAN): issuer prefix and length, then Luhn. Redaction keeps the last four digits. */
export function findCards(text: string): PiiFinding[] {
  const found: PiiFinding[] = [];
  for (const m of text.matchAll(CANDIDATE)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (!issued(digits) || !luhnValid(digits)) continue;
    found.push({ kind: 'card', start: m.index, end: m.index + m[0].length, keep: digits.slice(-4) });
  }
  return found;
}
