import fp from 'fastify-plugin';

/**
 * Security headers for everything the server answers, decided by what the response is:
 *
 *   /inbox/...     the agents' app holds personal data: strict CSP, never framed, own window (COOP)
 *   /widget/...    the chat iframe: the same strict CSP, but framable by any customer's site
 *                  (frame-ancestors *), and loadable cross-origin (CORP) by sites that isolate themselves
 *   /widget.js     the loader script customers embed: CORP cross-origin, like the iframe
 *   /demo          a host page: may load the loader and frame the widget from PUBLIC_URL, nothing else
 *   /api/docs      Swagger UI sets its own CSP (it needs its bundled scripts); only the common headers
 *   /api/...       JSON, zips, and two printable HTML pages: no script may ever run from an API answer
 *
 * Everywhere: nosniff, no referrer (URLs can carry ids), a Permissions-Policy that turns off device APIs,
 * and HSTS when PUBLIC_URL is https.
 */
export type SecurityHeadersOptions = { publicUrl: string };

const PERMISSIONS = 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()';
const APP_CSP = (frameAncestors: string) =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "img-src 'self' data:",
    // Svelte sets style attributes; no inline script is allowed anywhere.
    "style-src 'self' 'unsafe-inline'",
    "connect-src 'self' ws: wss:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');

export const INBOX_CSP = APP_CSP("'none'");
// The widget is embedded on customers' sites, whatever they are: framing must stay open to any origin.
export const WIDGET_CSP = APP_CSP('*');
export const API_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
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
    app.addHook('onSend', async (request, reply) => {
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('permissions-policy', PERMISSIONS);
      if (hsts) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
      const path = request.url.split('?')[0]!;
      if (path.startsWith('/widget/') || path === '/widget') {
        reply.header('content-security-policy', WIDGET_CSP);
        reply.header('cross-origin-resource-policy', 'cross-origin');
      } else if (path === '/widget.js') {
        reply.header('cross-origin-resource-policy', 'cross-origin');
      } else if (path.startsWith('/api/docs')) {
        reply.header('x-frame-options', 'DENY');
      } else {
        const csp = path.startsWith('/api/') ? API_CSP : path === '/demo' ? demo : INBOX_CSP;
        reply.header('content-security-policy', csp);
        reply.header('x-frame-options', 'DENY');
        reply.header('cross-origin-opener-policy', 'same-origin');
        reply.header('cross-origin-resource-policy', 'same-origin');
      }
    });
  },
  { name: 'security-headers' },
);
