import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingHttpHeaders, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OutboundRefused,
  OutboundTooLarge,
  createOutbound,
  isPublicAddress,
  parseAllowHosts,
  type OutboundOptions,
} from '../../server/http/outbound.ts';
import { createLocalBlobStore } from '../../server/blobs/store.ts';
import { loadConfig, ConfigError } from '../../server/config.ts';
import { twilioClient } from '../../channels/twilio/client.ts';
import { fetchRecordingMedia } from '../../channels/twilio/recordings.ts';
import { createSlackClient } from '../../channels/slack/channel.ts';
import { startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.ts';
import { FakeSlack } from '../helpers/fake-slack.ts';

describe('the outbound address classifier', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '0.1.2.3',
    '255.255.255.255',
    '224.0.0.1',
    '239.255.255.250',
    '198.18.0.1',
    '::1',
    '::',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd12:3456:789a::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    '2001:db8::1',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['2130706433', '0x7f000001', '0x7f.1', '0177.0.0.1', '127.1', '017700000001', '167772161'])(
    'refuses the numeric form %s (getaddrinfo reads it as a private address)',
    (address) => {
      expect(isPublicAddress(address)).toBe(false);
    },
  );

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '2606:4700:4700::1111',
    '2a00:1450:4001:82a::200e',
    '::ffff:8.8.8.8',
  ])('accepts the public address %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each(['', 'localhost', 'example.com', '127.0.0.1:80', '[::1]', '1.2.3.4.5'])('is false for "%s"', (value) => {
    expect(isPublicAddress(value)).toBe(false);
  });
});

describe('OUTBOUND_ALLOW_HOSTS', () => {
  it('reads names, addresses, ports and ranges', () => {
    expect(
      parseAllowHosts('proxy.internal, 127.0.0.1:4010,[::1]:8080 ,fd00::1, 10.0.0.0/8,Egress.Example.:3128'),
    ).toEqual([
      { kind: 'name', name: 'proxy.internal' },
      { kind: 'address', address: '127.0.0.1', port: 4010 },
      { kind: 'address', address: '0:0:0:0:0:0:0:1', port: 8080 },
      { kind: 'address', address: 'fd00:0:0:0:0:0:0:1' },
      { kind: 'range', range: expect.any(Array) },
      { kind: 'name', name: 'egress.example', port: 3128 },
    ]);
    expect(parseAllowHosts(undefined)).toEqual([]);
    expect(parseAllowHosts('')).toEqual([]);
  });

  it('stops the server with a message naming the setting for a bad value', () => {
    for (const bad of ['127.0.0.1:99999', 'http://proxy', '10.0.0.0/99', 'a b', '[zz]:1', 'host:port']) {
      expect(() => loadConfig({ OUTBOUND_ALLOW_HOSTS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ OUTBOUND_ALLOW_HOSTS: bad })).toThrow(/OUTBOUND_ALLOW_HOSTS/);
    }
  });
});

type Seen = { path: string; headers: IncomingHttpHeaders };
type Handler = (path: string, res: ServerResponse) => void;

/** A local HTTP server that records what reaches it. */
async function listener(handler: Handler = (_p, res) => res.end('hello')) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    handler(req.url ?? '', res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const text = async (body: NodeJS.ReadableStream) => {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
};

describe('outbound requests', () => {
  let target: Awaited<ReturnType<typeof listener>>;
  let other: Awaited<ReturnType<typeof listener>>;
  const outbound = (options: OutboundOptions = {}) => createOutbound(options);

  beforeAll(async () => {
    other = await listener();
    target = await listener((path, res) => {
      if (path === '/same') return res.writeHead(302, { location: '/final' }).end();
      if (path === '/away') return res.writeHead(302, { location: `${other.origin}/stolen` }).end();
      if (path === '/loop') return res.writeHead(302, { location: '/loop' }).end();
      if (path === '/big') return res.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000));
      if (path === '/chunked') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write('x'.repeat(3000));
        return res.end('y'.repeat(3000));
      }
      if (path === '/silent') return; // never answers
      res.end(`body of ${path}`);
    });
  });
  afterAll(async () => {
    await target.close();
    await other.close();
  });

  it('refuses loopback by address, by name and in every spelling, and nothing reaches the listener', async () => {
    const before = target.seen.length;
    const guard = outbound();
    for (const url of [
      `${target.origin}/a`,
      `http://localhost:${target.port}/a`,
      `http://[::ffff:127.0.0.1]:${target.port}/a`,
      `http://2130706433:${target.port}/a`,
      `http://0x7f.1:${target.port}/a`,
      `http://0177.0.0.1:${target.port}/a`,
      `http://127.1:${target.port}/a`,
    ]) {
      await expect(guard.request(url, { maxBytes: 1000 }), url).rejects.toBeInstanceOf(OutboundRefused);
    }
    expect(target.seen.length).toBe(before);
  });

  it('refuses a host name whose DNS answer is private, or mixes a public and a private address', async () => {
    const before = target.seen.length;
    const guard = outbound({
      lookup: async (name) =>
        name === 'mixed.test'
          ? [
              { address: '93.184.216.34', family: 4 },
              { address: '127.0.0.1', family: 4 },
            ]
          : [{ address: '::ffff:127.0.0.1', family: 6 }],
    });
    await expect(guard.request(`http://rebind.test:${target.port}/`, { maxBytes: 10 })).rejects.toBeInstanceOf(
      OutboundRefused,
    );
    await expect(guard.request(`http://mixed.test:${target.port}/`, { maxBytes: 10 })).rejects.toBeInstanceOf(
      OutboundRefused,
    );
    expect(target.seen.length).toBe(before);
  });

  it('reaches an allow-listed host and port only, connecting to the address it checked', async () => {
    const byAddress = outbound({ allowHosts: parseAllowHosts(target.host) });
    const res = await byAddress.request(`${target.origin}/ok`, { maxBytes: 1000 });
    expect(res.status).toBe(200);
    expect(await text(res.body)).toBe('body of /ok');
    // The same address on another port is not allowed.
    await expect(byAddress.request(`${other.origin}/x`, { maxBytes: 10 })).rejects.toBeInstanceOf(OutboundRefused);
    expect(other.seen).toEqual([]);

    const lookups: string[] = [];
    const byName = outbound({
      allowHosts: parseAllowHosts(`svc.test:${target.port}`),
      lookup: async (name) => {
        lookups.push(name);
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    const named = await byName.request(`http://svc.test:${target.port}/named`, { maxBytes: 1000 });
    expect(await text(named.body)).toBe('body of /named');
    expect(target.seen.at(-1)!.headers.host).toBe(`svc.test:${target.port}`);
    // One resolution per connection, whose answer is the one connected to: no second lookup to rebind.
    expect(lookups).toEqual(['svc.test']);
  });

  it('follows redirects only where allowed, re-checked per hop, credentials to the first origin only', async () => {
    const guard = outbound({ allowHosts: parseAllowHosts(`${target.host},${other.host}`) });
    const auth = { authorization: 'Bearer xoxb-secret' };

    const same = await guard.request(`${target.origin}/same`, { maxBytes: 100, headers: auth, maxRedirects: 2 });
    expect(await text(same.body)).toBe('body of /final');
    expect(target.seen.at(-1)).toMatchObject({ path: '/final', headers: { authorization: 'Bearer xoxb-secret' } });

    // Another origin is refused by default (same origin only) and never contacted.
    await expect(
      guard.request(`${target.origin}/away`, { maxBytes: 100, headers: auth, maxRedirects: 2 }),
    ).rejects.toThrow(/redirect to another host/);
    expect(other.seen).toEqual([]);

    // Allowed by the caller, it is followed, but without the credentials.
    const away = await guard.request(`${target.origin}/away`, {
      maxBytes: 100,
      headers: auth,
      maxRedirects: 2,
      redirectAllowed: () => true,
    });
    expect(await text(away.body)).toBe('hello');
    expect(other.seen).toHaveLength(1);
    expect(other.seen[0]!.headers.authorization).toBeUndefined();

    // A redirect where none is wanted, and a redirect loop, end with a refusal.
    await expect(guard.request(`${target.origin}/same`, { maxBytes: 100 })).rejects.toThrow(/Too many redirects/);
    await expect(guard.request(`${target.origin}/loop`, { maxBytes: 100, maxRedirects: 5 })).rejects.toThrow(
      /Too many redirects/,
    );
  });

  it('stops a response over its size limit, and the blob store keeps nothing of it', async () => {
    const guard = outbound({ allowHosts: parseAllowHosts(target.host) });
    await expect(guard.request(`${target.origin}/big`, { maxBytes: 4000 })).rejects.toBeInstanceOf(OutboundTooLarge);
    const dir = mkdtempSync(join(tmpdir(), 'outbound-blobs-'));
    try {
      const blobs = createLocalBlobStore(dir);
      const res = await guard.request(`${target.origin}/chunked`, { maxBytes: 4000 });
      await expect(blobs.put(res.body)).rejects.toBeInstanceOf(OutboundTooLarge);
      expect(await blobs.list()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives up on a host that does not answer', async () => {
    const guard = outbound({ allowHosts: parseAllowHosts(target.host) });
    await expect(guard.request(`${target.origin}/silent`, { maxBytes: 10, timeoutMs: 300 })).rejects.toThrow();
  });

  it('refuses URLs that are not http(s) or carry credentials', async () => {
    const guard = outbound({ allowHosts: parseAllowHosts(target.host) });
    await expect(guard.request('file:///etc/passwd', { maxBytes: 10 })).rejects.toBeInstanceOf(OutboundRefused);
    await expect(guard.request(`http://u:p@${target.host}/`, { maxBytes: 10 })).rejects.toBeInstanceOf(OutboundRefused);
  });
});

describe('provider SDK clients go through the guard', () => {
  let twilio: FakeTwilio;
  let slack: FakeSlack;
  beforeAll(async () => {
    twilio = await startFakeTwilio();
    slack = await FakeSlack.start();
  });
  afterAll(async () => {
    await twilio.close();
    await slack.close();
  });

  it('Twilio: the REST client and recording downloads reach no address outside the allow-list', async () => {
    const strict = createOutbound();
    const client = twilioClient(strict, twilio.accountSid, twilio.authToken, twilio.url);
    await expect(
      client.messages.create({ from: '+15550100000', to: '+15550100001', body: 'hello' }),
    ).rejects.toMatchObject({ code: 'EOUTBOUNDREFUSED' });
    await expect(client.recordings('RE0123456789abcdef0123456789abcdef').remove()).rejects.toMatchObject({
      code: 'EOUTBOUNDREFUSED',
    });
    await expect(
      fetchRecordingMedia(strict, twilio.url, twilio, 'RE0123456789abcdef0123456789abcdef'),
    ).rejects.toBeInstanceOf(OutboundRefused);
    expect(twilio.messages).toEqual([]);
    expect(twilio.deleteRequests).toEqual([]);

    const allowed = createOutbound({ allowHosts: parseAllowHosts(new URL(twilio.url).host) });
    const sent = await twilioClient(allowed, twilio.accountSid, twilio.authToken, twilio.url).messages.create({
      from: '+15550100000',
      to: '+15550100001',
      body: 'hello',
    });
    expect(sent.sid).toMatch(/^SM/);
  });

  it('Slack: the Web API client reaches no address outside the allow-list', async () => {
    const config = { signingSecret: 's', botToken: slack.botToken, channelIds: [], apiUrl: slack.apiUrl };
    await expect(createSlackClient(config, createOutbound()).auth.test()).rejects.toThrow();
    expect(slack.calls).toEqual([]);
    const allowed = createOutbound({ allowHosts: parseAllowHosts(new URL(slack.apiUrl).host) });
    expect((await createSlackClient(config, allowed).auth.test()).ok).toBe(true);
  });
});
