/**
 * The widget's brand colour, made accessible. A site admin may choose any colour (`data-color` on the embed), but
 * the widget puts white text and icons on it and uses it for borders and focus rings on white: a colour that
 * would fail WCAG 2.1 AA (4.5:1 for text, 3:1 for controls) is darkened, keeping its hue, until it passes.
 * Shared by the loader (the launcher) and the iframe app, so both show the same colour; no dependencies.
 */
export const DEFAULT_BRAND = '#4f46e5';
const HEX = /^#[0-9a-f]{6}$/i;

/** White text on the brand: WCAG 1.4.3 (normal text). */
export const TEXT_CONTRAST = 4.5;
/** The stronger shade (hover, links on tinted backgrounds, focus rings) keeps a margin on light tints too. */
const STRONG_CONTRAST = 6;

type Rgb = [number, number, number];

export function parseHex(hex: string | null | undefined): Rgb | null {
  const value = (hex ?? '').trim();
  if (!HEX.test(value)) return null;
  return [1, 3, 5].map((i) => parseInt(value.slice(i, i + 2), 16)) as Rgb;
}

const toHex = (rgb: Rgb) => '#' + rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('');

/** WCAG 2.1 relative luminance of an sRGB colour. */
export function luminance(hex: string): number {
  const rgb = parseHex(hex);
  if (!rgb) throw new Error(`not a #rrggbb colour: ${hex}`);
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2.1 contrast ratio, 1 to 21. */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The colour scaled toward black by `amount` (0: itself, 1: black): same hue, darker. */
function darken(rgb: Rgb, amount: number): string {
  return toHex(rgb.map((c) => c * (1 - amount)) as Rgb);
}

/** The lightest shade of the colour (same hue) with at least `min` contrast against white. */
function darkEnough(rgb: Rgb, min: number): string {
  if (contrast(toHex(rgb), '#ffffff') >= min) return toHex(rgb);
  // Bisection on the darkening: the smallest change that passes, so the colour stays recognisable.
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 24; i++) {
    const mid = (lo + hi) / 2;
    if (contrast(darken(rgb, mid), '#ffffff') >= min) hi = mid;
    else lo = mid;
  }
  return darken(rgb, hi);
}

function mixWithWhite(rgb: Rgb, white: number): string {
  return toHex(rgb.map((c) => c + (255 - c) * white) as Rgb);
}

export type Theme = { brand: string; strong: string; soft: string; adjusted: boolean };

/**
 * The widget's three brand shades from an admin's colour (or the default when it is missing or not #rrggbb):
 * `brand` carries white text, `strong` is for links and rings, `soft` is a light tint behind dark text.
 */
export function brandTheme(requested: string | null | undefined): Theme {
  const rgb = parseHex(requested) ?? parseHex(DEFAULT_BRAND)!;
  const brand = darkEnough(rgb, TEXT_CONTRAST);
  const base = parseHex(brand)!;
  return {
    brand,
    strong: darkEnough(parseHex(darken(base, 0.15))!, STRONG_CONTRAST),
    soft: mixWithWhite(base, 0.92),
    adjusted: brand !== toHex(rgb),
  };
}
