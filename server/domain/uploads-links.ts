import { createHmac, timingSafeEqual } from 'node:crypto';
import { derivedKey } from '../security/derived-keys.ts';
import type { KeyProvider } from '../security/keys.ts';

/**
 * Signed, expiring links to one stored file, for whoever cannot send our session cookie: the widget's visitor
 * (an <img> or a download in the chat), an SMS recipient (the link in the text, or Twilio fetching MediaUrl).
 * A link names the attachment, its expiry and the master key it was signed under (so it survives a key rotation
 * while the old key is kept), with an HMAC-SHA256 under a key derived for this purpose only. It proves nothing
 * else: the file is looked up again on every use, so an erased or retained-away file answers 404 even to a
 * valid link, and an expired one answers 410.
 *
 *   <PUBLIC_URL>/api/files/<attachment id>.<expiry, unix s>.<key id>.<mac>/<file name>
 */
export type FileLinks = {
  /** The absolute URL of a file (under PUBLIC_URL), valid for the configured time from now. */
  url(attachmentId: string, filename: string, now?: Date): string;
  /** The same link as a path on this server (`/api/files/...`), for pages this server serves (the widget). */
  path(attachmentId: string, filename: string, now?: Date): string;
  /** The attachment a token names: `expired` when it was genuine but is past its time, null when not genuine. */
  verify(token: string, now?: Date): { attachmentId: string; expired: boolean } | null;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function createFileLinks(
  keys: Pick<KeyProvider, 'current' | 'byId'>,
  publicUrl: string,
  ttlHours: number,
): FileLinks {
  const mac = (keyId: string, payload: string) => {
    const master = keys.byId(keyId);
    // 128 bits of the HMAC (RFC 2104 truncation) keep the token under the router's 100-character parameter limit.
    return master
      ? createHmac('sha256', derivedKey(master, 'file-links')).update(payload).digest('base64url').slice(0, 22)
      : null;
  };
  const path = (attachmentId: string, filename: string, now = new Date()) => {
    const expires = Math.floor(now.getTime() / 1000) + ttlHours * 3600;
    const keyId = keys.current().id;
    const payload = `${attachmentId}.${expires}`;
    return `/api/files/${payload}.${keyId}.${mac(keyId, payload)}/${encodeURIComponent(filename)}`;
  };
  return {
    path,
    url: (attachmentId, filename, now) => `${publicUrl}${path(attachmentId, filename, now)}`,
    verify(token, now = new Date()) {
      const [attachmentId, expires, keyId, given, ...rest] = token.split('.');
      if (rest.length || !attachmentId || !expires || !keyId || !given) return null;
      if (!UUID.test(attachmentId) || !/^\d{1,12}$/.test(expires)) return null;
      const expected = mac(keyId, `${attachmentId}.${expires}`);
      if (!expected) return null;
      const a = Buffer.from(given);
      const b = Buffer.from(expected);
      if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
      return { attachmentId, expired: Number(expires) * 1000 <= now.getTime() };
    },
  };
}
