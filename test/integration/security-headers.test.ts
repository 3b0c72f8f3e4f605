import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { silentMp3 } from '../helpers/fake-twilio.ts';
import { ingest } from '../../server/domain/ingest.ts';
import type { InboundAttachment } from '../../channels/types.ts';
import { inboxes, recordings } from '../../drizzle/schema/index.ts';

// The smallest valid PNG (1x1, transparent) and a GIF header: images a browser only decodes.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const EVIL_JS = Buffer.from('window.__pwned = true; fetch("/api/conversations");\n');

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

  const head = async (path: string) => {
    const res = await fetch(`${server.url}${path}`, { redirect: 'manual' });
    await res.arrayBuffer(); // an unread body keeps its connection busy, and the server's close waits for it
    return res.headers;
  };
  const socketOrigin = () => `ws://${new URL(server.root.config.publicUrl).host}`;

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

  it('the apps may open WebSockets to PUBLIC_URL only, never to any host', async () => {
    for (const path of ['/inbox/', `/widget/?inbox=${server.chatInboxId}`]) {
      const connect = directives((await head(path)).get('content-security-policy')).get('connect-src');
      expect(connect, path).toEqual(["'self'", socketOrigin()]);
      expect(connect, path).not.toContain('ws:');
      expect(connect, path).not.toContain('wss:');
    }
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

  describe('with an https public address', () => {
    // Its own server, started in a hook (as the main one): a second start on a loaded machine is slow.
    let tls: TestServer;
    beforeAll(async () => {
      tls = await startTestServer({ PUBLIC_URL: 'https://support.example.com' });
    });
    afterAll(() => tls.stop());

    it('sends HSTS, and lets the apps open WebSockets to its wss: origin only', async () => {
      const health = await fetch(`${tls.url}/api/health`);
      await health.arrayBuffer();
      expect(health.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      const inbox = await fetch(`${tls.url}/inbox/`);
      await inbox.arrayBuffer();
      expect(directives(inbox.headers.get('content-security-policy')).get('connect-src')).toEqual([
        "'self'",
        'wss://support.example.com',
      ]);
    });
  });

  it('the API docs have a CSP: Swagger UI runs its own bundled scripts only and cannot be framed', async () => {
    for (const path of ['/api/docs', '/api/docs/', '/api/docs/static/index.html', '/api/docs/json']) {
      const h = await head(path);
      const csp = directives(h.get('content-security-policy'));
      expect(csp.get('script-src'), path).toEqual(["'self'"]);
      expect(csp.get('script-src-attr'), path).toEqual(["'none'"]);
      expect(csp.get('style-src'), path).not.toContain("'unsafe-inline'");
      expect(csp.get('object-src'), path).toEqual(["'none'"]);
      expect(csp.get('frame-ancestors'), path).toEqual(["'none'"]);
      expect(csp.get('connect-src'), path).toEqual(["'self'"]);
      expect(h.get('x-frame-options'), path).toBe('DENY');
    }
  });

  describe('stored files are inert downloads, whatever their sender declared', () => {
    let agent: AgentClient;
    let files: Map<string, string>;
    beforeAll(async () => {
      agent = await server.agentClient('agent');
      const [mail] = await server.root.db.insert(inboxes).values({ name: 'Mail', channel: 'email' }).returning();
      const attachments: InboundAttachment[] = [
        { filename: 'evil.js', contentType: 'application/javascript', content: EVIL_JS },
        { filename: 'page.html', contentType: 'text/html', content: Buffer.from('<script>alert(1)</script>') },
        {
          filename: 'logo.svg',
          contentType: 'image/svg+xml',
          content: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        },
        // The declared type is the sender's word: a script declared as an image, an image declared as a script.
        { filename: 'photo.png', contentType: 'image/png', content: EVIL_JS },
        { filename: 'pixel.png', contentType: 'application/javascript', content: PNG },
      ];
      const { message } = await ingest(server.root, {
        channel: 'email',
        inboxId: mail!.id,
        sender: { kind: 'email', address: 'mallory@evil.example' },
        threadKey: `<${randomUUID()}@evil.example>`,
        externalId: `<${randomUUID()}@evil.example>`,
        text: 'see attached',
        occurredAt: new Date(),
        attachments,
      });
      files = new Map(message.attachments!.map((a) => [a.filename, a.id]));
    });

    const download = async (path: string) => {
      const res = await fetch(`${server.url}${path}`, { headers: { cookie: agent.cookie } });
      expect(res.status, path).toBe(200);
      return { headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
    };
    const expectInert = (headers: Headers, what: string) => {
      const csp = directives(headers.get('content-security-policy'));
      expect(csp.get('default-src'), what).toEqual(["'none'"]);
      expect(csp.has('sandbox'), what).toBe(true);
      expect(csp.has('script-src'), what).toBe(false);
      expect(csp.get('frame-ancestors'), what).toEqual(["'none'"]);
      expect(headers.get('x-content-type-options'), what).toBe('nosniff');
      expect(headers.get('content-disposition'), what).toMatch(/^attachment;/);
    };

    it('an emailed evil.js sent as application/javascript is served as octet-stream, in a sandbox', async () => {
      const { headers, body } = await download(`/api/attachments/${files.get('evil.js')}`);
      expect(headers.get('content-type')).toBe('application/octet-stream');
      expect(headers.get('content-disposition')).toBe(`attachment; filename="evil.js"; filename*=UTF-8''evil.js`);
      expectInert(headers, 'evil.js');
      expect(body.equals(EVIL_JS)).toBe(true);
    });

    it('HTML, SVG, a script declared as an image: octet-stream; a real PNG is an image, by its bytes', async () => {
      for (const name of ['page.html', 'logo.svg', 'photo.png']) {
        const { headers } = await download(`/api/attachments/${files.get(name)}`);
        expect(headers.get('content-type'), name).toBe('application/octet-stream');
        expectInert(headers, name);
      }
      const { headers, body } = await download(`/api/attachments/${files.get('pixel.png')}`);
      expect(headers.get('content-type')).toBe('image/png');
      expectInert(headers, 'pixel.png');
      expect(body.equals(PNG)).toBe(true);
    });

    it("recordings are typed from their bytes, not the provider's header, and sent in the same sandbox", async () => {
      const [call] = await server.root.db.insert(inboxes).values({ name: 'Phone', channel: 'voice' }).returning();
      const { conversation, message } = await ingest(server.root, {
        channel: 'voice',
        inboxId: call!.id,
        sender: { kind: 'phone', address: '+15550109999' },
        threadKey: `CA${randomUUID().replace(/-/g, '')}`,
        externalId: `CA${randomUUID().replace(/-/g, '')}`,
        text: 'Voicemail',
        occurredAt: new Date(),
      });
      // A provider whose media answer claims to be HTML: it is not served as HTML.
      server.root.recordingProviders.set('lying-provider', {
        deleteRecording: async () => 'deleted',
        openMedia: async () => ({
          stream: Readable.from([Buffer.from('<script>alert(1)</script>')]),
          contentType: 'text/html',
        }),
      });
      const mp3 = silentMp3(2);
      const base = {
        conversationId: conversation.id,
        messageId: message.id,
        durationSeconds: 2,
        recordedAt: new Date(),
        deleteAfter: new Date(Date.now() + 86_400_000),
      };
      const [local, remote] = await server.root.db
        .insert(recordings)
        .values([
          {
            ...base,
            provider: 'lying-provider',
            providerSid: 'RE-local',
            blobId: (await server.root.blobs.put(mp3, { conversationId: conversation.id })).id,
          },
          { ...base, provider: 'lying-provider', providerSid: 'RE-remote', blobId: null },
        ])
        .returning();
      const played = await download(`/api/recordings/${local!.id}/media`);
      expect(played.headers.get('content-type')).toBe('audio/mpeg');
      expectInert(played.headers, 'local recording');
      expect(played.body.equals(mp3)).toBe(true);
      const streamed = await download(`/api/recordings/${remote!.id}/media`);
      expect(streamed.headers.get('content-type')).toBe('application/octet-stream');
      expectInert(streamed.headers, 'provider recording');
    });
  });
});
