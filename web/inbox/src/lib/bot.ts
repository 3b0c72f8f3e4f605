import { formatNumber } from './format.ts';
import { t } from './i18n.svelte.ts';
import type { BotCandidate } from '../bot-types.ts';

/** Languages offered first in the article editor; any other BCP 47 code can be typed. */
export const commonLanguages = [
  'en',
  'de',
  'fr',
  'es',
  'it',
  'nl',
  'pt',
  'sv',
  'da',
  'nb',
  'fi',
  'pl',
  'cs',
  'et',
  'tr',
  'ru',
  'uk',
  'ar',
  'zh',
  'ja',
];

let names: Intl.DisplayNames | null = null;
try {
  names = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });
} catch {
  names = null;
}

/** "German" for "de"; null when the code is not a language the browser knows. */
export function languageName(code: string): string | null {
  const trimmed = code.trim();
  if (!trimmed) return null;
  try {
    return names?.of(trimmed) ?? null;
  } catch {
    return null;
  }
}

/** Scores and confidences are shown with two decimals, as the threshold is set, in the inbox's language (0,82). */
export function score(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value)
    ? formatNumber(value, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    : '—';
}

/** A 0..1 value as a bar width, clamped. */
export function barWidth(value: number | null): string {
  const v = value !== null && Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
  return `${(v * 100).toFixed(1)}%`;
}

/** Candidates, best first. */
export function ranked(candidates: BotCandidate[]): BotCandidate[] {
  return [...candidates].sort((a, b) => b.score - a.score);
}

/** Readable names for the server's embedder ids (bot/embedders/index.ts); an unknown id is shown as it is. */
const embedderNames: Record<string, string> = {
  hybrid: 'Hybrid: sentence encoder + words',
  'use-lite': 'Sentence encoder (USE Lite)',
  lexical: 'Words only (lexical)',
  transformers: 'Transformer (MiniLM)',
  'transformers-hybrid': 'Hybrid: MiniLM + words',
};

export function embedderLabel(id: string): string {
  return embedderNames[id] ?? id;
}

/** The policy's reason codes (bot/policy.ts) in words; anything else (already a sentence) is shown as sent. */
const REASONS = new Set([
  'confident',
  'low_confidence',
  'human_requested',
  'unresolved_turns',
  'empty_knowledge_base',
  'empty_message',
  'language_not_covered',
  'asked_order_number',
  'agent_active',
  'already_handed_off',
]);

export function reasonText(reason: string, confidence: number | null = null, threshold: number | null = null): string {
  if (!REASONS.has(reason.trim())) return reason;
  const known = t(`bot.reason.${reason.trim()}`);
  if (reason.trim() === 'low_confidence' && confidence !== null) {
    return threshold !== null
      ? `${known} (${score(confidence)} < ${score(threshold)})`
      : `${known} (${score(confidence)})`;
  }
  return known;
}
