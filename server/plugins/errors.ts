import fp from 'fastify-plugin';
import type { FastifyError } from 'fastify';
import { DomainError, errorOf } from '../domain/errors.ts';

/** The one error shape of the API: { code, message, params?, requestId }. Internal details never leave the server. */
export const errorsPlugin = fp(
  async (app) => {
    app.setErrorHandler((err: FastifyError | DomainError, request, reply) => {
      const requestId = String(request.id);
      if (err instanceof DomainError) {
        return reply.status(err.statusCode).send({ ...errorOf(err), requestId });
      }
      if ((err as FastifyError).validation) {
        // A malformed id in the path names no resource: to the caller that is "not found", not "bad request".
        if ((err as FastifyError).validationContext === 'params') {
          return reply.status(404).send({ code: 'not_found', message: 'No such resource', requestId });
        }
        return reply.status(400).send({ code: 'bad_request', message: err.message, requestId });
      }
      const status = (err as FastifyError).statusCode ?? 500;
      if (status === 413) {
        return reply.status(413).send({ code: 'payload_too_large', message: 'Request body is too large', requestId });
      }
      if (status === 415) {
        return reply.status(415).send({ code: 'unsupported_media_type', message: err.message, requestId });
      }
      if (status === 429) {
        // @fastify/rate-limit has set Retry-After (seconds): the wait is the one detail worth wording.
        const retryAfterSeconds = Number(reply.getHeader('retry-after'));
        const params = Number.isFinite(retryAfterSeconds) ? { retryAfterSeconds } : undefined;
        return reply.status(429).send({ code: 'rate_limited', message: err.message, ...(params && { params }), requestId });
      }
      if (status >= 400 && status < 500) {
        const code =
          (err as FastifyError).code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
            ? 'malformed_json'
            : 'bad_request';
        return reply.status(status).send({ code, message: err.message, requestId });
      }
      // The logger's err serializer (server/logging/safe-error.ts) keeps personal data out of the line.
      request.log.error({ err }, 'request failed');
      return reply.status(500).send({ code: 'internal', message: 'Internal server error', requestId });
    });
    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send({ code: 'not_found', message: 'Route not found', requestId: String(request.id) }),
    );
  },
  { name: 'errors' },
);
