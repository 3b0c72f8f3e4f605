import type { InboundMessage } from '../../../channels/types.ts';
import { REDACTED_MARKER } from '../redact-marker.ts';
import { redactHtml } from '../redact-html.ts';
import { detectPii } from './detect.ts';
import type { PiiPolicy } from './policy.ts';
import { piiKindNames, type PiiFinding } from './types.ts';

/** What replaces a finding: the usual marker, and a card's last four digits after it. */
export const replacementFor = (f: PiiFinding) => (f.keep ? `${REDACTED_MARKER} (…${f.keep})` : REDACTED_MARKER);

/** The text with the given findings replaced (they come from detectPii: ordered, not overlapping). */
export function replaceFindings(text: string, findings: PiiFinding[]): string {
  let out = '';
  let cursor = 0;
  for (const f of findings) {
    out += text.slice(cursor, f.start) + replacementFor(f);
    cursor = f.end;
  }
  return out + text.slice(cursor);
}

/** Every finding masked (a card's last four digits too), whatever an inbox's policy: for text the bot might repeat. */
export const withoutPii = (text: string) =>
  replaceFindings(
    text,
    detectPii(text).map(({ keep: _, ...f }) => f),
  );

/** "payment card number (2), IBAN (1)": what was found, in words, never the values. */
function describe(findings: PiiFinding[]): string {
  const counts = new Map<string, number>();
  for (const f of findings) {
    const name =
      f.kind === 'special_category' && f.label ? `${piiKindNames[f.kind]}: ${f.label}` : piiKindNames[f.kind];
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([name, n]) => `${name} (${n})`).join(', ');
}

/**
 * The same as marker arguments, for the inbox to word in the agent's language: each kind (a special category as
 * "special_category:<category>") with its count.
 */
function countsOf(findings: PiiFinding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of findings) {
    const key = f.kind === 'special_category' && f.label ? `${f.kind}:${f.label}` : f.kind;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * The message as the inbox's policy wants it stored: findings of kinds set to 'redact' replaced by the marker in
 * the text, the sanitized HTML and the subject, before anything is written; a `pii_redacted` marker says what was
 * removed and a `pii_flagged` marker what was kept for the agent's attention (kinds and counts, never values).
 * The same message always comes out the same, so a provider's retry is still recognised as a replay.
 */
export function applyPiiPolicy(msg: InboundMessage, policy: PiiPolicy): InboundMessage {
  const found = {
    text: detectPii(msg.text),
    subject: msg.subject ? detectPii(msg.subject) : [],
    html: msg.html ? detectPii(msg.html) : [],
  };
  const all = [...found.text, ...found.subject];
  if (all.length === 0 && found.html.length === 0) return msg;
  const redacts = (f: PiiFinding) => policy[f.kind] === 'redact';
  const removed = all.filter(redacts);
  const flagged = all.filter((f) => !redacts(f));
  const markers = Array.isArray(msg.metadata?.markers) ? [...(msg.metadata.markers as unknown[])] : [];
  if (removed.length)
    markers.push({
      kind: 'pii_redacted',
      detail: `removed before storage: ${describe(removed)}`,
      event: { code: 'pii_removed', args: countsOf(removed) },
    });
  if (flagged.length)
    markers.push({
      kind: 'pii_flagged',
      detail: `may contain: ${describe(flagged)}`,
      event: { code: 'pii_may_contain', args: countsOf(flagged) },
    });
  const out: InboundMessage = { ...msg, metadata: { ...msg.metadata, markers } };
  if (found.text.some(redacts)) out.text = replaceFindings(msg.text, found.text.filter(redacts));
  if (msg.subject && found.subject.some(redacts))
    out.subject = replaceFindings(msg.subject, found.subject.filter(redacts));
  if (msg.html) {
    const values = [
      ...found.text
        .filter(redacts)
        .map((f) => ({ value: msg.text.slice(f.start, f.end), replacement: replacementFor(f) })),
      ...found.html
        .filter(redacts)
        .map((f) => ({ value: msg.html!.slice(f.start, f.end), replacement: replacementFor(f) })),
    ];
    if (values.length) out.html = redactInHtml(msg.html, values);
  }
  return out;
}

/**
 * The HTML copy: each removed value (found in the text, or in the HTML itself) replaced as a reader sees it, across
 * tags and entities, every occurrence; where a reader sees nothing of it, wherever it stands literally.
 */
function redactInHtml(html: string, values: Array<{ value: string; replacement: string }>): string {
  let out = html;
  for (const { value, replacement } of values) {
    const replaced = redactHtml(out, value, replacement);
    out = replaced !== out ? replaced : out.split(value).join(replacement);
  }
  return out;
}
