import type { Redaction } from '../privacy-types.ts';
import { REDACTION_SENTINEL } from '../../../i18n/redaction.ts';

export const REDACTED = REDACTION_SENTINEL;

export type BodySegment = { text: string; redaction: Redaction | null; marker: boolean };

/**
 * Splits a message body into plain text and "[redacted]" markers. Positions come from the server's
 * `redactions` (checked against the body, so a stale list never styles the wrong text); literal markers
 * without a listed position (e.g. an erased person's name inside someone else's message) are styled too.
 * The segments always concatenate back to exactly `body`: selection offsets depend on it.
 */
export function bodySegments(body: string, redactions: Redaction[] | undefined): BodySegment[] {
  const spans: Array<{ start: number; end: number; redaction: Redaction | null }> = [];
  for (const r of redactions ?? []) {
    if (Number.isInteger(r.start) && body.slice(r.start, r.end) === REDACTED && r.end === r.start + REDACTED.length) {
      spans.push({ start: r.start, end: r.end, redaction: r });
    }
  }
  for (let at = body.indexOf(REDACTED); at !== -1; at = body.indexOf(REDACTED, at + REDACTED.length)) {
    const end = at + REDACTED.length;
    if (!spans.some((s) => s.start < end && at < s.end)) spans.push({ start: at, end, redaction: null });
  }
  spans.sort((a, b) => a.start - b.start);

  const segments: BodySegment[] = [];
  let cursor = 0;
  for (const span of spans) {
    if (span.start < cursor) continue;
    if (span.start > cursor) segments.push({ text: body.slice(cursor, span.start), redaction: null, marker: false });
    segments.push({ text: REDACTED, redaction: span.redaction, marker: true });
    cursor = span.end;
  }
  if (cursor < body.length || segments.length === 0) {
    segments.push({ text: body.slice(cursor), redaction: null, marker: false });
  }
  return segments;
}
