/**
 * The marker stored where text was removed (by an agent's redaction, the PII policy or an erasure reaching
 * someone's name in another person's message). It is a language-neutral code inside the stored text, never shown
 * as such: every reader sees it worded in their own language (catalog key `redaction.marker` of the widget,
 * `message.redactedMarker` of the inbox, `export.redacted` of a copy of someone's data). Search, the PII policy
 * and the offsets in a message's `redactions` count its characters, so the stored form never changes (old rows
 * hold the same ten characters).
 */
export const REDACTION_SENTINEL = '[redacted]';

/** A text cut into its own words and the places where something was removed, in order. */
export function redactionParts(text: string): Array<{ text: string; removed: boolean }> {
  const parts: Array<{ text: string; removed: boolean }> = [];
  text.split(REDACTION_SENTINEL).forEach((piece, i) => {
    if (i > 0) parts.push({ text: REDACTION_SENTINEL, removed: true });
    if (piece) parts.push({ text: piece, removed: false });
  });
  return parts;
}

/** A plain text (a preview, a snippet, a mail) with each marker replaced by the reader's word for it. */
export const wordRedactions = (text: string, word: string): string => text.split(REDACTION_SENTINEL).join(word);
