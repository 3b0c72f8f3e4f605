import { findCards } from './cards.ts';
import { findIbans } from './iban.ts';
import { findNationalIds } from './national-ids.ts';
import { findPasswords } from './passwords.ts';
import { findSpecialCategories } from './special-categories.ts';
import type { PiiFinding, PiiKind } from './types.ts';

export const detectors: Record<PiiKind, (text: string) => PiiFinding[]> = {
  card: findCards,
  iban: findIbans,
  national_id: findNationalIds,
  password: findPasswords,
  special_category: findSpecialCategories,
};

/**
 * Every finding in the text, in order, overlaps resolved: a card or an IBAN wins over a national id found
 * inside the same digits (the checks are stricter), an earlier and longer span over a later one.
 */
export function detectPii(text: string, kinds: readonly PiiKind[] = Object.keys(detectors) as PiiKind[]): PiiFinding[] {
  const all = kinds.flatMap((kind) => detectors[kind](text));
  const rank: Record<PiiKind, number> = { card: 0, iban: 1, password: 2, national_id: 3, special_category: 4 };
  all.sort((a, b) => rank[a.kind] - rank[b.kind] || a.start - b.start || b.end - a.end);
  const kept: PiiFinding[] = [];
  for (const f of all) if (!kept.some((k) => f.start < k.end && k.start < f.end)) kept.push(f);
  return kept.sort((a, b) => a.start - b.start);
}
