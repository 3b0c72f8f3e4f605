/**
 * Avatar colours carry white initials in small type, so each must give white at least 4.5:1 (WCAG 1.4.3).
 * An agent's own colour may come from an older palette or any hex: `readableTone` darkens it until it does.
 */
export const AVATAR_PALETTE = ['#3f5bd9', '#0b6e70', '#a8461a', '#8e44ad', '#2c7a3f', '#b03079', '#4f5bd0', '#8a5406'];
export const AVATAR_NO_NAME = '#5f6773';

const channel = (v: number) => {
  const c = v / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};
const luminance = ([r, g, b]: number[]) => 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
const contrastWithWhite = (rgb: number[]) => 1.05 / (luminance(rgb) + 0.05);

function parseHex(hex: string): number[] | null {
  const m = /^#([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return null;
  return [0, 2, 4].map((i) => parseInt(m[1]!.slice(i, i + 2), 16));
}

/** `hex`, or the same hue darkened in small steps until white text on it reads at 4.5:1. */
export function readableTone(hex: string): string {
  let rgb = parseHex(hex);
  if (!rgb) return AVATAR_NO_NAME;
  for (let i = 0; i < 20 && contrastWithWhite(rgb) < 4.6; i++) rgb = rgb.map((v) => Math.floor(v * 0.92));
  return `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}
