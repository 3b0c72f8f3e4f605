import { createHash } from 'node:crypto';
import fp from 'fastify-plugin';

/**
 * Security headers for everything the server answers, decided by what the response is:
 *
 *   /inbox/...     the agents' app holds personal data: strict CSP, never framed, own window (COOP)
 *   /widget/...    the chat iframe: the same strict CSP, but framable by any customer's site
 *                  (frame-ancestors *), and loadable cross-origin (CORP) by sites that isolate themselves
 *   /widget.js     the loader script customers embed: CORP cross-origin, like the iframe
 *   /demo          a host page: may load the loader and frame the widget from PUBLIC_URL, nothing else
 *   /api/docs      Swagger UI: its own bundled scripts and styles only (it has no inline script), never framed
 *   /api/...       JSON, zips, and two printable HTML pages: no script may ever run from an API answer
 *
 * A route that sets its own CSP keeps it: stored files (attachments, recordings) are sent with a sandbox that
 * allows nothing (server/http/downloads.ts), which the path-based defaults below must not loosen.
 * The apps may connect only to their own origin and to PUBLIC_URL's WebSocket origin (socket.io).
 * Everywhere: nosniff, no referrer (URLs can carry ids), a Permissions-Policy that turns off device APIs,
 * and HSTS when PUBLIC_URL is https.
 */
export type SecurityHeadersOptions = { publicUrl: string };

const PERMISSIONS = 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()';
const APP_CSP = (frameAncestors: string, socketOrigin: string) =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "img-src 'self' data:",
    // Svelte sets style attributes; no inline script is allowed anywhere.
    "style-src 'self' 'unsafe-inline'",
    `connect-src 'self' ${socketOrigin}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');

/** PUBLIC_URL's origin as a WebSocket origin: http -> ws, https -> wss (what socket.io connects to). */
export const socketOriginOf = (publicUrl: string) => new URL(publicUrl).origin.replace(/^http/, 'ws');
export const inboxCsp = (socketOrigin: string) => APP_CSP("'none'", socketOrigin);
// The widget is embedded on customers' sites, whatever they are: framing must stay open to any origin.
export const widgetCsp = (socketOrigin: string) => APP_CSP('*', socketOrigin);
export const API_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
// Swagger UI's page loads only its bundled files (@fastify/swagger-ui's csp.json lists no inline script or
// style hash); the spec is fetched from here. Its validator badge is turned off in app.ts (no third party).
// The one inline <style> it renders is the one inside its SVG logo (swagger-ui-standalone-preset.js): allowed
// by its hash, not by 'unsafe-inline'.
const SWAGGER_LOGO_STYLE = '.logo_small_svg__cls-2{fill:#fff}.logo_small_svg__cls-3{fill:#85ea2d}';
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "script-src-attr 'none'",
  `style-src 'self' 'sha256-${createHash('sha256').update(SWAGGER_LOGO_STYLE).digest('base64')}'`,
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
const demoCsp = (widgetOrigin: string) =>
  [
    "default-src 'self'",
    `script-src 'self' ${widgetOrigin}`,
    `frame-src 'self' ${widgetOrigin}`,
    "style-src 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

export const securityHeadersPlugin = fp<SecurityHeadersOptions>(
  async (app, { publicUrl }) => {
    const widgetOrigin = new URL(publicUrl).origin;
    const hsts = publicUrl.startsWith('https:');
    const demo = demoCsp(widgetOrigin);
    const socketOrigin = socketOriginOf(publicUrl);
    const inbox = inboxCsp(socketOrigin);
    const widget = widgetCsp(socketOrigin);
    app.addHook('onSend', async (request, reply) => {
      // A route's own CSP is stricter than the path's default (stored files: a sandbox that allows nothing).
      const csp = (value: string) => {
        if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', value);
      };
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('permissions-policy', PERMISSIONS);
      if (hsts) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
      const path = request.url.split('?')[0]!;
      if (path.startsWith('/widget/') || path === '/widget') {
        csp(widget);
        reply.header('cross-origin-resource-policy', 'cross-origin');
      } else if (path === '/widget.js') {
        reply.header('cross-origin-resource-policy', 'cross-origin');
      } else if (path === '/api/docs' || path.startsWith('/api/docs/')) {
        csp(DOCS_CSP);
        reply.header('x-frame-options', 'DENY');
      } else {
        csp(path.startsWith('/api/') ? API_CSP : path === '/demo' ? demo : inbox);
        reply.header('x-frame-options', 'DENY');
        reply.header('cross-origin-opener-policy', 'same-origin');
        reply.header('cross-origin-resource-policy', 'same-origin');
      }
    });
  },
  { name: 'security-headers' },
);
