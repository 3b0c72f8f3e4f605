/** Check-digit algorithms the detectors rely on: a number that fails its checksum is not reported. */

/** Luhn (ISO/IEC 7812): payment cards, Swedish personnummer. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** ISO 7064 MOD 97-10 over a digit-and-letter string (letters count A=10 … Z=35), as IBANs use it. */
export function mod97(text: string): number {
  let rest = 0;
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : ch;
    for (const digit of value) rest = (rest * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return rest;
}

/** ISO 7064 MOD 11,10: the German tax identification number's check digit. */
export function iso7064Mod11_10(digits: string): number {
  let product = 10;
  for (const ch of digits) {
    let sum = (ch.charCodeAt(0) - 48 + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  const check = 11 - product;
  return check === 10 ? 0 : check;
}
