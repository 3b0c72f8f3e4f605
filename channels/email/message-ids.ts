import { createHash, randomBytes } from 'node:crypto';

/**
 * Our own outbound Message-IDs: `<pi.{message uuid}.{random}@{support domain}>`. The prefix and the
 * embedded message id make a reply recognisable even when the customer's client dropped everything
 * but one reference, and make our own mail recognisable when it comes back (a loop).
 */
const OWN_ID = /^<pi\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[0-9a-z]+@[^>]+>$/i;

export function ownMessageId(messageId: string, address: string): string {
  const domain = address.split('@')[1] ?? 'localhost';
  return `<pi.${messageId}.${randomBytes(6).toString('hex')}@${domain}>`;
}

/** The id of our stored outbound message inside one of our own Message-IDs, else null. */
export function ownMessageUuid(messageIdHeader: string): string | null {
  return OWN_ID.exec(messageIdHeader.trim())?.[1]?.toLowerCase() ?? null;
}

/** Normalizes a Message-ID (with or without angle brackets) to `<id>`; null when empty. */
export function normalizeMessageId(value: string | undefined | null): string | null {
  if (!value) return null;
  const trimmed = value.trim().replace(/^<|>$/g, '').trim();
  // Spaces and control characters (a NUL would fail every query that looks the id up) make it no id at all.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
  return trimmed === '' || /[\s\u0000-\u001f\u007f]/.test(trimmed) ? null : `<${trimmed}>`;
}

/** A stable stand-in for a message without a Message-ID, so a re-read of the same mail is a replay. */
export function syntheticMessageId(raw: Buffer): string {
  return `<${createHash('sha256').update(raw).digest('hex').slice(0, 40)}@no-message-id.invalid>`;
}

/**
 * external_id is unique per channel, but one mail can reach two of our inboxes (support@ and sales@
 * both in To): the inbox id namespaces it, so each inbox gets its copy and a replay stays a no-op.
 */
export const emailExternalId = (inboxId: string, messageId: string) => `${inboxId}/${messageId}`;
