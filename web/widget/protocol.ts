/**
 * The typed postMessage protocol between the loader (on the host page) and the iframe app (on the
 * server's origin). Both sides import this file; it has no dependencies so the loader stays tiny.
 *
 * Security rules, enforced by the helpers below rather than by each caller:
 * - the loader accepts a message only when it comes from the server origin AND from its own iframe's window;
 * - the iframe accepts a message only from the `parent` origin given in its URL AND from window.parent;
 * - nobody ever posts to '*': every post names the exact target origin.
 * No message carries personal data or message content: only state the other side needs to draw itself, and
 * the visitor token, which the loader keeps first-party on the host page once the visitor has consented
 * (a cross-site iframe's own storage is blocked or partitioned by the browser).
 */

/** Sent by the iframe app to the loader. */
export type FrameToHostMessage =
  /** The app has started and listens; the loader answers with its current open/closed state. */
  | { type: 'widget:ready' }
  /** Agent/bot messages that arrived while the panel was closed (0 clears the dot). */
  | { type: 'widget:unread'; count: number }
  /** The visitor asked to close the panel (header close button, "Not now", Escape). */
  | { type: 'widget:close' }
  /**
   * The visitor accepted the notice and the server issued this token: the loader may now keep it in the host
   * page's storage. Never sent before consent.
   */
  | { type: 'widget:session'; token: string }
  /** The token was rejected (401/403) or the visitor ended the session: the loader deletes its copy. */
  | { type: 'widget:forget' };

/** Sent by the loader to the iframe app. */
export type HostToFrameMessage =
  /** The panel became visible: clear unread, move focus into the app. */
  | { type: 'widget:open' }
  /** The panel was hidden (the app keeps running so it can count unread messages). */
  | { type: 'widget:hidden' }
  /** The answer to 'widget:ready': the token the loader holds for this inbox, or null when it has none. */
  | { type: 'widget:init'; token: string | null };

type Target = Pick<Window, 'postMessage'>;

function isRecord(data: unknown): data is Record<string, unknown> {
  return typeof data === 'object' && data !== null;
}

/** A visitor token as the server issues it (base64url parts joined by dots), bounded in length. */
export function isToken(value: unknown): value is string {
  return typeof value === 'string' && /^[\w.~+/=-]{1,4096}$/.test(value);
}

export function isFrameToHostMessage(data: unknown): data is FrameToHostMessage {
  if (!isRecord(data)) return false;
  switch (data.type) {
    case 'widget:ready':
    case 'widget:close':
    case 'widget:forget':
      return true;
    case 'widget:session':
      return isToken(data.token);
    case 'widget:unread':
      return typeof data.count === 'number' && Number.isInteger(data.count) && data.count >= 0;
    default:
      return false;
  }
}

export function isHostToFrameMessage(data: unknown): data is HostToFrameMessage {
  if (!isRecord(data)) return false;
  switch (data.type) {
    case 'widget:open':
    case 'widget:hidden':
      return true;
    case 'widget:init':
      return data.token === null || isToken(data.token);
    default:
      return false;
  }
}

/**
 * Normalizes an origin string ("https://shop.example") and rejects anything that is not a plain
 * http(s) origin (paths, "null", "*", javascript: ...). Returns null when invalid.
 */
export function parseOrigin(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** Loader side: the message if it is from our own iframe on the server origin, else null. */
export function acceptFromFrame(
  event: MessageEvent,
  serverOrigin: string,
  frameWindow: Window | null | undefined,
): FrameToHostMessage | null {
  if (event.origin !== serverOrigin) return null;
  if (!frameWindow || event.source !== frameWindow) return null;
  return isFrameToHostMessage(event.data) ? event.data : null;
}

/** Iframe side: the message if it is from the embedding page on the expected origin, else null. */
export function acceptFromHost(
  event: MessageEvent,
  parentOrigin: string | null,
  parentWindow: Window | null,
): HostToFrameMessage | null {
  if (!parentOrigin || event.origin !== parentOrigin) return null;
  if (!parentWindow || event.source !== parentWindow) return null;
  return isHostToFrameMessage(event.data) ? event.data : null;
}

export function postToFrame(
  frameWindow: Target | null | undefined,
  serverOrigin: string,
  message: HostToFrameMessage,
): void {
  frameWindow?.postMessage(message, serverOrigin);
}

export function postToHost(
  parentWindow: Target | null,
  parentOrigin: string | null,
  message: FrameToHostMessage,
): void {
  // Without a valid parent origin we stay silent rather than fall back to '*'.
  if (!parentWindow || !parentOrigin) return;
  parentWindow.postMessage(message, parentOrigin);
}
