/**
 * Whether a handshake with the agent's session cookie comes from one of our own pages. Browsers attach cookies to
 * any page's WebSocket, so /agent checks the Origin: absent (non-browser clients, and browsers' same-origin polling
 * requests) is fine; PUBLIC_URL's origin, or the Host the client asked for on this connection's scheme, is ours;
 * everything else is refused, including `null` (sandboxed iframes, file:// pages) and anything that is not a
 * serialized origin.
 */
export function isOwnOrigin(
  origin: string | undefined,
  request: { host: string | undefined; secure: boolean },
  publicUrl: string,
): boolean {
  if (origin === undefined) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  // An Origin header is exactly a serialized origin; "http://host/path" or an opaque "file://" is not one.
  if (parsed.origin === 'null' || parsed.origin !== origin) return false;
  if (parsed.origin === new URL(publicUrl).origin) return true;
  // Behind a TLS-terminating proxy the connection is plain HTTP: there PUBLIC_URL is the match.
  return parsed.protocol === (request.secure ? 'https:' : 'http:') && parsed.host === request.host?.toLowerCase();
}
