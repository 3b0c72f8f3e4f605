import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contrast } from '../../web/widget/theme.ts';
import { AVATAR_NO_NAME, AVATAR_PALETTE, readableTone } from '../../web/inbox/src/lib/avatar-colors.ts';

/** The inbox's colour tokens, read from the `:root` block of its stylesheet as the browser gets them. */
const css = readFileSync(join(import.meta.dirname, '../../web/inbox/src/app.css'), 'utf8');
const root = css.slice(css.indexOf(':root'), css.indexOf('}', css.indexOf(':root')));
const token = (name: string): string => {
  const value = new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{6})\\s*;`).exec(root)?.[1];
  if (!value) throw new Error(`--${name} is not a 6-digit hex colour in app.css`);
  return value;
};
const surfaces = ['bg', 'surface', 'surface-2', 'surface-hover'];

// WCAG 2.1 AA: 1.4.3 (text 4.5:1) and 1.4.11 (boundaries of controls and focus indicators 3:1).
describe('the inbox colour tokens meet WCAG 2.1 AA contrast on every surface', () => {
  for (const text of ['text', 'text-2', 'text-3', 'accent-text', 'danger', 'success', 'warn'])
    it(`--${text} reads at 4.5:1 or more`, () => {
      for (const surface of surfaces)
        expect(contrast(token(text), token(surface)), `--${text} on --${surface}`).toBeGreaterThanOrEqual(4.5);
    });

  it('badges and alerts: their text on their own soft background reads at 4.5:1', () => {
    for (const [text, soft] of [
      ['accent-text', 'accent-soft'],
      ['danger', 'danger-soft'],
      ['success', 'success-soft'],
      ['text-3', 'surface-hover'],
      ['note-text', 'note-bg'],
    ])
      expect(contrast(token(text!), token(soft!)), `--${text} on --${soft}`).toBeGreaterThanOrEqual(4.5);
  });

  it('control borders and the focus ring stand out at 3:1', () => {
    expect(root).toContain('--focus-ring: 2px solid var(--accent)');
    for (const surface of surfaces) {
      expect(contrast(token('border-strong'), token(surface)), `border on --${surface}`).toBeGreaterThanOrEqual(3);
      expect(contrast(token('accent'), token(surface)), `focus ring on --${surface}`).toBeGreaterThanOrEqual(3);
    }
  });

  it('white initials read at 4.5:1 on every avatar colour, an agent’s own choice darkened until they do', () => {
    for (const colour of [...AVATAR_PALETTE, AVATAR_NO_NAME])
      expect(contrast('#ffffff', colour), colour).toBeGreaterThanOrEqual(4.5);
    // Colours of the old palette and any light choice: kept in hue, darkened enough.
    for (const chosen of ['#0f8b8d', '#c2571a', '#4f6bed', '#ffd700', '#ffffff', '#9aa3ae']) {
      const shown = readableTone(chosen);
      expect(contrast('#ffffff', shown), `${chosen} -> ${shown}`).toBeGreaterThanOrEqual(4.5);
    }
    expect(readableTone('#2c7a3f')).toBe('#2c7a3f');
    expect(readableTone('not a colour')).toBe(AVATAR_NO_NAME);
  });
});
