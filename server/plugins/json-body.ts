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
          return done(new DomainError(400, 'unstorable_text', 'Text must not contain NUL (U+0000) or unpaired surrogate characters'), undefined);
        }
        done(null, value);
      });
    });
  },
  { name: 'json-body' },
);

const SUSPECT_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;
