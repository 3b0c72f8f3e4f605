import { describe, expect, it } from 'vitest';
import { brandTheme, contrast, DEFAULT_BRAND, luminance, parseHex } from '../../web/widget/theme.ts';

const WHITE = '#ffffff';
/** The widget's light backgrounds: its canvas (messages, notice text) and the surface. */
const CANVAS = '#f6f7fb';

/** Hue in degrees, to check that an adjustment kept the admin's colour recognisable. */
function hue(hex: string): number {
  const [r, g, b] = parseHex(hex)!.map((c) => c / 255) as [number, number, number];
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  if (d === 0) return 0;
  const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}

describe('WCAG 2.1 contrast math', () => {
  it('matches the published reference values', () => {
    expect(luminance('#000000')).toBe(0);
    expect(luminance(WHITE)).toBe(1);
    expect(contrast('#000000', WHITE)).toBe(21);
    // #767676 is the well-known lightest grey that passes 4.5:1 on white; #777777 just fails.
    expect(contrast('#767676', WHITE)).toBeCloseTo(4.54, 2);
    expect(contrast('#777777', WHITE)).toBeCloseTo(4.48, 2);
    // The audit's numbers: the old widget switch (off) and text-box border against white.
    expect(contrast('#c9cce0', WHITE)).toBeCloseTo(1.59, 1);
    expect(contrast('#cfd3de', WHITE)).toBeCloseTo(1.5, 1);
    expect(contrast(WHITE, '#000000')).toBe(contrast('#000000', WHITE));
  });
});

describe('the brand colour an admin chooses for the widget', () => {
  it('keeps the default and any colour that already passes, unchanged', () => {
    expect(brandTheme(null)).toMatchObject({ brand: DEFAULT_BRAND, adjusted: false });
    expect(brandTheme('#0b5394')).toMatchObject({ brand: '#0b5394', adjusted: false });
    expect(brandTheme('#000000')).toMatchObject({ brand: '#000000', adjusted: false });
  });

  it('falls back to the default for something that is not a #rrggbb colour', () => {
    for (const bad of ['red', '#fff', 'url(x)', '#12345g', '', undefined]) {
      expect(brandTheme(bad).brand).toBe(DEFAULT_BRAND);
    }
  });

  it.each([
    ['yellow', '#ffeb3b'],
    ['lime', '#00ff00'],
    ['sky blue', '#87ceeb'],
    ['pink', '#ff69b4'],
    ['orange', '#ff9800'],
    ['white', '#ffffff'],
    ['a blue just below 4.5:1', '#5b8def'],
  ])('darkens %s until white text on it passes 4.5:1, keeping its hue', (_name, requested) => {
    const before = contrast(requested, WHITE);
    expect(before).toBeLessThan(4.5);
    const theme = brandTheme(requested);
    expect(theme.adjusted).toBe(true);
    // White text and icons on the brand (buttons, bubbles, header), and the brand as a border on light grounds.
    expect(contrast(theme.brand, WHITE)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(theme.brand, CANVAS)).toBeGreaterThanOrEqual(3);
    // The smallest change that passes: a slightly lighter shade would fail again.
    expect(contrast(theme.brand, WHITE)).toBeLessThan(4.6);
    // Links and focus rings in the strong shade pass on white and on the soft tint.
    expect(contrast(theme.strong, WHITE)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(theme.strong, theme.soft)).toBeGreaterThanOrEqual(4.5);
    // Dark text on the soft tint.
    expect(contrast('#1f2330', theme.soft)).toBeGreaterThanOrEqual(4.5);
    if (requested !== WHITE) expect(Math.abs(hue(theme.brand) - hue(requested))).toBeLessThan(2);
  });

  it('gives every accepted colour passing shades (a sweep over the colour cube)', () => {
    const steps = [0, 51, 102, 153, 204, 255];
    for (const r of steps)
      for (const g of steps)
        for (const b of steps) {
          const hex = '#' + [r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('');
          const theme = brandTheme(hex);
          expect(contrast(theme.brand, WHITE), hex).toBeGreaterThanOrEqual(4.5);
          expect(contrast(theme.strong, theme.soft), hex).toBeGreaterThanOrEqual(4.5);
          expect(contrast('#1f2330', theme.soft), hex).toBeGreaterThanOrEqual(4.5);
        }
  });
});
