import type { InboundMessage } from '../../channels/types.ts';

/** NUL (PostgreSQL text cannot hold it) or an unpaired UTF-16 surrogate (PostgreSQL jsonb refuses it). */
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/** True when every string (and key) in a parsed JSON value can be stored as PostgreSQL text and jsonb. */
export function storable(value: unknown): boolean {
  if (typeof value === 'string') return !UNSTORABLE.test(value);
  if (Array.isArray(value)) return value.every(storable);
  if (value && typeof value === 'object')
    return Object.entries(value).every(([k, v]) => !UNSTORABLE.test(k) && storable(v));
  return true;
}

/**
 * The text with every NUL and unpaired surrogate replaced by U+FFFD, the character decoders show for bytes they
 * cannot read: the agent sees where something was, and the same input always cleans to the same text (so a
 * provider's retry of a cleaned message is still recognised as a replay).
 */
export function storableText(value: string): string {
  return UNSTORABLE.test(value) ? value.replace(UNSTORABLE_ALL, '\uFFFD') : value;
}

/** Every string and key of a JSON-like value cleaned with storableText (Dates and other objects kept as they are). */
export function storableValue<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) return value.map(storableValue) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableValue(v)])) as T;
  return value;
}

/** The marker a cleaned message carries (MessageMarkerView 'text_cleaned'); `fields` names what was cleaned. */
export function textCleanedMarker(fields: string[]) {
  return {
    kind: 'text_cleaned' as const,
    detail: `characters that cannot be stored (NUL, broken Unicode) were replaced with \uFFFD in: ${fields.join(', ')}`,
    event: { code: 'characters_replaced', args: { fields: fields.join(', ') } },
  };
}

/**
 * The message as it can be stored: unstorable characters replaced in every text field, its metadata and its file
 * names, and a text_cleaned marker naming the fields when anything changed. A clean message is returned as is.
 */
export function storableInbound(msg: InboundMessage): InboundMessage {
  const fields: string[] = [];
  const text = <T>(name: string, value: T): T => {
    if (storable(value)) return value;
    fields.push(name);
    return storableValue(value);
  };
  const cleaned: InboundMessage = {
    ...msg,
    sender: text('sender', msg.sender),
    threadKey: text('thread', msg.threadKey),
    externalId: text('message id', msg.externalId),
    text: text('text', msg.text),
    ...(msg.html !== undefined ? { html: text('html', msg.html) } : {}),
    ...(msg.subject !== undefined ? { subject: text('subject', msg.subject) } : {}),
    ...(msg.metadata !== undefined ? { metadata: text('provider details', msg.metadata) } : {}),
    ...(msg.attachments !== undefined
      ? {
          attachments: msg.attachments.map((a) => ({
            ...a,
            filename: text('file name', a.filename),
            contentType: text('file type', a.contentType),
          })),
        }
      : {}),
  };
  if (fields.length === 0) return msg;
  const markers = Array.isArray(cleaned.metadata?.markers) ? (cleaned.metadata.markers as unknown[]) : [];
  return {
    ...cleaned,
    metadata: { ...cleaned.metadata, markers: [...markers, textCleanedMarker([...new Set(fields)])] },
  };
}
