import fp from 'fastify-plugin';
import { DomainError } from '../domain/errors.ts';
import { storable } from '../domain/storable-text.ts';

/**
 * Fastify's own JSON parser (prototype-poisoning checks included), plus one rule: every string must be
 * storable text, i.e. no U+0000 (PostgreSQL's text type cannot hold it) and no lone UTF-16 surrogate
 * (PostgreSQL's jsonb refuses "\ud800"). Either would otherwise fail deep inside a query as a 500;
 * both were found by the route fuzzer (test/integration/fuzz-routes.test.ts). A body decoded from
 * UTF-8 can carry them only as \u escapes, so a body without such an escape costs one scan.
 */
export const jsonBodyPlugin = fp(
  async (app) => {
    const parse = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      parse(request, body as string, (err, value) => {
        if (err) return done(err, undefined);
        if (SUSPECT_ESCAPE.test(body as string) && !storable(value)) {
          return done(
            new DomainError(
              400,
              'unstorable_text',
              'Text must not contain NUL (U+0000) or unpaired surrogate characters',
            ),
            undefined,
          );
        }
        if (SUSPECT_NUMBER.test(body as string) && !allFinite(value)) return done(notFinite(), undefined);
        done(null, value);
      });
    });
    // Query strings are coerced by the schema validator, which turns "1e999" (or 400 nines) into
    // Infinity and lets it pass `integer` and `maximum`: refuse it before a handler hands it to SQL.
    app.addHook('preHandler', async (request) => {
      const query = request.query as Record<string, unknown> | undefined;
      if (query && typeof query === 'object' && !allFinite(query)) throw notFinite();
    });
  },
  { name: 'json-body' },
);

const SUSPECT_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;
/** JSON.parse gives Infinity only for a huge exponent or a very long run of digits. */
const SUSPECT_NUMBER = /[eE]\+?\d{3}|\d{300}/;

const notFinite = () => new DomainError(400, 'bad_request', 'Numbers must be finite');

function allFinite(value: unknown, depth = 0): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (depth > 64 || value === null || typeof value !== 'object') return true;
  for (const v of Array.isArray(value) ? value : Object.values(value)) if (!allFinite(v, depth + 1)) return false;
  return true;
}
