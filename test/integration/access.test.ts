import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('every API route declares who may call it', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('has an access level on each /api route (except the docs)', () => {
    const api = server.routes.filter(
      (r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs') && r.method !== 'HEAD',
    );
    expect(api.length).toBeGreaterThan(15);
    expect(api.filter((r) => !r.access).map((r) => `${r.method} ${r.url}`)).toEqual([]);
    const publicRoutes = api
      .filter((r) => r.access === 'public')
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    // Adding a public route must be a conscious change of this list.
    expect(publicRoutes).toEqual([
      'GET /api/auth/session',
      // A signed, expiring link to one file (404 when forged or gone, 410 expired): see "Files".
      'GET /api/files/:token/:name',
      'GET /api/health',
      // Self-service as the verified person: each needs the request token from /verify (401 without it), and a
      // confirmation also the code mailed to the new address (self-service.test.ts, authorization matrix).
      'GET /api/public/privacy-requests/consent',
      // A copy's download link: a random token (stored hashed, 7 days, 410 once expired, each use audited) is the
      // credential; the link carries no personal data (self-service.test.ts).
      'GET /api/public/privacy-requests/download/:token',
      'GET /api/widget/config',
      // An invitation token (single use, 7 days) is the credential.
      'POST /api/auth/invitation',
      'POST /api/auth/invitation/peek',
      'POST /api/auth/login',
      // The public privacy request page's API: filing, then a one-time code to an identity on file (rate-limited,
      // same answer for unknown addresses); reading a request needs the request token (privacy-requests.test.ts).
      'POST /api/public/privacy-requests',
      'POST /api/public/privacy-requests/code',
      'POST /api/public/privacy-requests/consent',
      'POST /api/public/privacy-requests/copy',
      'POST /api/public/privacy-requests/correction',
      'POST /api/public/privacy-requests/correction/:id/confirm',
      'POST /api/public/privacy-requests/verify',
      // Twilio's webhooks: public, but each checks X-Twilio-Signature before anything else (twilio-sms.test.ts).
      'POST /api/slack/events',
      'POST /api/twilio/:inboxId/sms',
      'POST /api/twilio/:inboxId/status',
      'POST /api/twilio/:inboxId/voice',
      'POST /api/twilio/:inboxId/voice/recorded',
      'POST /api/twilio/:inboxId/voice/recording',
      'POST /api/widget/sessions',
    ]);
  });

  it('anonymous callers get 401 on every agent and visitor route', async () => {
    const paths = [
      ['GET', '/api/conversations'],
      ['GET', '/api/contacts'],
      ['GET', '/api/agents'],
      ['POST', '/api/agents'],
      ['GET', '/api/inboxes'],
      ['GET', '/api/auth/me'],
      ['GET', '/api/widget/messages'],
      ['GET', '/api/attachments/00000000-0000-4000-8000-000000000000'],
    ] as const;
    for (const [method, path] of paths) {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'POST' ? '{}' : undefined,
      });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
  });
});
