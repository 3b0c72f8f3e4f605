import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dbMode } from '../helpers/db.ts';
import { LOOPBACK_PROXY } from '../helpers/processes.ts';
import { startTestServer, type TestServer, type VisitorClient } from '../helpers/server.ts';
import { visitorAddress } from '../helpers/fault-harness.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEmail } from '../../channels/email/parse.ts';
import { FUZZ_SEED } from '../helpers/fuzz-seed.ts';
import { expectErrorShape } from '../helpers/error-shape.ts';

/**
 * Property-based fuzzing of the body parsers, byte by byte: whatever arrives under a content type,
 * the answer is a 4xx with the error shape (or a success), never a 5xx or a crash.
 *
 * HTTP parsers: JSON (Fastify's, plus server/plugins/json-body.ts), form-encoded (provider webhooks:
 * Twilio posts application/x-www-form-urlencoded; until a webhook route registers a form parser the
 * answer is 415) and content types nobody parses. Targets: every POST/PUT/PATCH route that anyone
 * may call without an agent session (public and visitor routes, and every webhook route, found by
 * its /webhooks/ URL, as soon as it exists).
 *
 * Raw parsers (pure functions of a byte string, e.g. the email channel's MIME parser under
 * channels/email): register them in `rawParsers` below; each gets the same bounded fuzz.
 */
type RawParser = {
  name: string;
  /** Parses a raw message; may throw the parser's own rejection error, which `rejects` recognizes. */
  parse(raw: Buffer): unknown | Promise<unknown>;
  rejects(err: unknown): boolean;
  /** Seeds to mutate: real inputs of the format (recorded payloads). */
  samples: Buffer[];
};

const EMAIL_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/email/mailparser-fixtures');
const emailSamples = readdirSync(EMAIL_FIXTURES)
  .filter((f) => f.endsWith('.eml'))
  .sort()
  .slice(0, 12)
  .map((f) => readFileSync(join(EMAIL_FIXTURES, f)));

const rawParsers: RawParser[] = [
  {
    // Broken mail is never refused: it becomes a message with a parse-error marker, so any throw is a crash.
    name: 'MIME (channels/email parseEmail)',
    parse: async (raw) => {
      const parsed = await parseEmail(raw, { maxAttachmentBytes: 1_000_000, maxTextChars: 10_000 });
      expect(typeof parsed.text).toBe('string');
      return parsed;
    },
    rejects: () => false,
    samples: emailSamples,
  },
];

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);

/** Valid bytes of a format, mutated: truncated, spliced with junk, bytes flipped. */
const mutated = (samples: Buffer[]) =>
  fc
    .tuple(
      fc.constantFrom(...samples),
      fc.nat(),
      fc.uint8Array({ maxLength: 40 }),
      fc.constantFrom('truncate', 'splice', 'flip', 'as-is'),
    )
    .map(([sample, at, junk, how]) => {
      const i = sample.length ? at % sample.length : 0;
      if (how === 'truncate') return sample.subarray(0, i);
      if (how === 'splice') return Buffer.concat([sample.subarray(0, i), Buffer.from(junk), sample.subarray(i)]);
      if (how === 'flip') return Buffer.from(sample.map((b, j) => (j === i ? b ^ 0xff : b)));
      return sample;
    });

const jsonBodies = fc.oneof(
  fc.json({ maxDepth: 4 }).map((s) => Buffer.from(s)),
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  mutated([
    Buffer.from('{"clientId":"abcdefgh1","text":"hello"}'),
    Buffer.from(
      '{"inboxId":"00000000-0000-0000-0000-000000000000","policyVersion":"1","textHash":"x",' +
        '"consents":{"support":true,"analytics":false}}',
    ),
  ]),
  fc
    .constantFrom(
      '['.repeat(137),
      `[${'['.repeat(5_000)}${']'.repeat(5_000)}]`,
      '{"text":1e999999}',
      '{"a":1,"a":2}',
      '\ufeff{"text":"bom"}',
      '{"__proto__":{"admin":true}}',
      '{"constructor":{"prototype":{"admin":true}}}',
      '{"text":"\\ud83d"}',
      '{"text":"\\u0000"}',
      'null',
      '"just a string"',
      '',
    )
    .map((s) => Buffer.from(s)),
);

const formBodies = fc.oneof(
  fc
    .dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 60 }))
    .map((d) => Buffer.from(new URLSearchParams(d).toString())),
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)),
  mutated([
    Buffer.from('MessageSid=SM123&From=%2B15550100&To=%2B15550111&Body=Hello%20there&NumMedia=0'),
    Buffer.from('payload=%7B%22type%22%3A%22event_callback%22%7D'),
  ]),
  fc
    .constantFrom('a=%ZZ', '%', '&&&==&', 'a[b][c][d][e][f]=1', '__proto__[admin]=1', 'x='.repeat(2_000))
    .map((s) => Buffer.from(s)),
);

const contentTypes: Array<{ name: string; types: fc.Arbitrary<string>; bodies: fc.Arbitrary<Buffer> }> = [
  {
    name: 'JSON',
    types: fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/vnd.api+json',
    ),
    bodies: jsonBodies,
  },
  {
    name: 'form-encoded',
    types: fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8'),
    bodies: formBodies,
  },
  {
    name: 'other content types',
    types: fc.constantFrom(
      'text/plain',
      'multipart/form-data; boundary=xyz',
      'application/xml',
      'application/octet-stream',
      '',
      ';;;',
      'application/json\u0000',
    ),
    bodies: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  },
];

describe(`fuzzing the body parsers on ${dbMode}`, () => {
  let server: TestServer;
  let visitor: VisitorClient;
  beforeAll(async () => {
    // Requests spread over many client addresses (X-Forwarded-For from the trusted loopback proxy).
    server = await startTestServer(LOOPBACK_PROXY);
    visitor = await server.visitor();
  });
  afterAll(() => server.stop());

  const targets = () =>
    server.routes.filter(
      (r) =>
        ['POST', 'PUT', 'PATCH'].includes(r.method) &&
        (r.access === 'public' || r.access === 'visitor' || r.url.includes('/webhooks/')),
    );

  for (const { name, types, bodies } of contentTypes) {
    it(`${name}: never a 5xx, always the error shape`, async () => {
      expect(targets().length).toBeGreaterThanOrEqual(4);
      for (const route of targets()) {
        await fc.assert(
          fc.asyncProperty(types, bodies, fc.nat({ max: 60_000 }), async (type, body, address) => {
            const res = await server.fastify.inject({
              method: route.method as 'POST',
              url: route.url.replace(/:[A-Za-z]+/g, '00000000-0000-0000-0000-000000000000'),
              headers: {
                ...(type ? { 'content-type': type } : {}),
                authorization: `Bearer ${visitor.token}`,
                'x-forwarded-for': visitorAddress(address),
              },
              payload: body,
            });
            expect(res.statusCode, `${route.method} ${route.url} ${type}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
            if (res.statusCode < 400) return;
            // The public request page is a form for browsers without script: it answers a page that says what is
            // wrong. Every API route answers the error shape.
            if (!route.url.startsWith('/api/') && String(res.headers['content-type']).startsWith('text/html'))
              expect(res.body).toMatch(/^<!doctype html>/i);
            else expectErrorShape(res.json());
          }),
          { numRuns: Math.max(20, Math.round(RUNS / 2)), seed: FUZZ_SEED },
        );
      }
      expect(server.logs()).not.toContain('"request failed"');
      expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    }, 300_000);
  }

  for (const parser of rawParsers) {
    it(`${parser.name}: parses or rejects, never crashes`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            mutated(parser.samples),
            fc.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b)),
          ),
          async (raw) => {
            try {
              await parser.parse(raw);
            } catch (err) {
              expect(parser.rejects(err), String(err)).toBe(true);
            }
          },
        ),
        { numRuns: RUNS, seed: FUZZ_SEED },
      );
    });
  }
});
