/**
 * A phone number as its digits in international form: `+49 154 9131 5660`, `0049-154-91315660` and
 * `(+49) 1549131 5660` all give `4915491315660`. A national number (`0154 9131 5660`) has no country code; it
 * gives its digits without the trunk prefix (`15491315660`), which matches the end of the international form
 * (see `phonesMatch`). Null when there are too few digits to name a number.
 */
export function phoneDigits(value: string): { digits: string; international: boolean } | null {
  const trimmed = value.trim();
  if (!/^[+0-9 ()./-]+$/.test(trimmed)) return null;
  let digits = trimmed.replace(/\D/g, '');
  let international = trimmed.startsWith('+');
  if (!international && digits.startsWith('00')) {
    digits = digits.slice(2);
    international = true;
  } else if (!international) digits = digits.replace(/^0+/, '');
  if (digits.length < 6) return null;
  return { digits, international };
}
