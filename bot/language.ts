/**
 * The customer's language, detected offline by ELD (the npm package `eld`, "efficient language detector":
 * n-gram tables for 60 languages shipped inside the package, pure JavaScript, no network). Measured against
 * cld3-asm and fasttext.wasm.js (lid.176) on short support messages: see bot/README.md, "Languages".
 *
 * Short messages ("hi", "merci") are often not reliable on their own, so the conversation's language is the
 * latest reliable detection over the customer's messages, newest first, then over all of them together;
 * failing that, the caller's fallback (the KB's first language).
 */
import { eld } from 'eld/large';

export type Detected = { language: string | null; reliable: boolean };

/** ISO 639-1 code of one text ('' when ELD has no idea) and whether ELD calls it reliable. */
export function detectLanguage(text: string): Detected {
  const result = eld.detect(text);
  return { language: result.language || null, reliable: Boolean(result.language) && result.isReliable() };
}

/**
 * The language of a conversation from the customer's messages (oldest first, the new one last): the newest
 * message detected reliably, else all messages together, else `fallback`.
 */
export function conversationLanguage(texts: readonly string[], fallback: string | null): string | null {
  for (let i = texts.length - 1; i >= 0; i--) {
    const d = detectLanguage(texts[i]!);
    if (d.reliable) return d.language;
  }
  const all = detectLanguage(texts.join('\n'));
  return all.reliable ? all.language : fallback;
}

/** The primary subtag of a BCP 47 tag ("pt-BR" -> "pt"). */
export const primaryLanguage = (tag: string) => tag.toLowerCase().split('-')[0]!;

/**
 * The language of one inbound message as stored in messages.language (search stems by it; the inbox shows the
 * conversation's language from it): ELD's answer when reliable, else null, and the database then takes the
 * contact's locale. The first 1,000 characters decide: enough for ELD, and a long mail costs no more.
 */
export function messageLanguage(text: string): string | null {
  const d = detectLanguage(text.slice(0, 1000));
  return d.reliable ? d.language : null;
}
