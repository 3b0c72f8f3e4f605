import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const directives = (csp: string | null) =>
  new Map(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );

describe(`security headers on ${dbMode}`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  const head = async (path: string) => (await fetch(`${server.url}${path}`, { redirect: 'manual' })).headers;

  it('the inbox may never be framed and runs only its own scripts', async () => {
    const h = await head('/inbox/');
    const csp = directives(h.get('content-security-policy'));
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(h.get('x-frame-options')).toBe('DENY');
    expect(h.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(h.get('x-content-type-options')).toBe('nosniff');
    expect(h.get('referrer-policy')).toBe('no-referrer');
    expect(h.get('permissions-policy')).toContain('camera=()');
  });

  it('the widget iframe can be framed by any customer site, and loaded cross-origin', async () => {
    const h = await head(`/widget/?inbox=${server.chatInboxId}`);
    const csp = directives(h.get('content-security-policy'));
    expect(csp.get('frame-ancestors')).toEqual(['*']);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(h.get('x-frame-options')).toBeNull();
    expect(h.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect((await head('/widget.js')).get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('the demo page may load the loader and frame the widget from PUBLIC_URL only', async () => {
    const h = await head('/demo');
    const csp = directives(h.get('content-security-policy'));
    const origin = new URL(server.root.config.publicUrl).origin;
    expect(csp.get('script-src')).toEqual(["'self'", origin]);
    expect(csp.get('frame-src')).toEqual(["'self'", origin]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('API answers can never run a script or be framed, errors included', async () => {
    for (const path of ['/api/health', '/api/conversations', '/api/no-such-route']) {
      const h = await head(path);
      const csp = directives(h.get('content-security-policy'));
      expect(csp.get('default-src'), path).toEqual(["'none'"]);
      expect(csp.has('script-src'), path).toBe(false);
      expect(csp.get('frame-ancestors'), path).toEqual(["'none'"]);
      expect(h.get('x-content-type-options'), path).toBe('nosniff');
    }
    expect((await head('/api/health')).get('strict-transport-security')).toBeNull();
  });

  it('sends HSTS when the public address is https', async () => {
    const tls = await startTestServer({ PUBLIC_URL: 'https://support.example.com' });
    try {
      const h = (await fetch(`${tls.url}/api/health`)).headers;
      expect(h.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    } finally {
      await tls.stop();
    }
  });
});
