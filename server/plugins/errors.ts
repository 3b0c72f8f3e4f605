import fp from 'fastify-plugin';
import type { FastifyError } from 'fastify';
import { DomainError, errorOf, type ErrorParams } from '../domain/errors.ts';
import { wordError } from '../http/error-words.ts';

/** The one error shape of the API: { code, message, params?, requestId }. Internal details never leave the server. */
export const errorsPlugin = fp(
  async (app) => {
    app.setErrorHandler((err: FastifyError | DomainError, request, reply) => {
      const requestId = String(request.id);
      /** Sends the error; a code people read is worded in their language (the code itself never changes). */
      const answer = (status: number, body: { code: string; message: string; params?: ErrorParams }) => {
        const worded = wordError(request, body.code, body.params);
        if (worded) reply.header('content-language', worded.locale);
        return reply.status(status).send({ ...body, ...(worded && { message: worded.message }), requestId });
      };
      if (err instanceof DomainError) return answer(err.statusCode, errorOf(err));
      if ((err as FastifyError).validation) {
        // A malformed id in the path names no resource: to the caller that is "not found", not "bad request".
        if ((err as FastifyError).validationContext === 'params') {
          return answer(404, { code: 'not_found', message: 'No such resource' });
        }
        return answer(400, { code: 'bad_request', message: err.message });
      }
      const status = (err as FastifyError).statusCode ?? 500;
      if (status === 413) {
        return answer(413, { code: 'payload_too_large', message: 'Request body is too large' });
      }
      if (status === 415) {
        return answer(415, { code: 'unsupported_media_type', message: err.message });
      }
      if (status === 429) {
        // @fastify/rate-limit has set Retry-After (seconds): the wait is the one detail worth wording.
        const retryAfterSeconds = Number(reply.getHeader('retry-after'));
        const params = Number.isFinite(retryAfterSeconds) ? { retryAfterSeconds } : undefined;
        return answer(429, { code: 'rate_limited', message: err.message, ...(params && { params }) });
      }
      if (status >= 400 && status < 500) {
        const code =
          (err as FastifyError).code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
            ? 'malformed_json'
            : 'bad_request';
        return answer(status, { code, message: err.message });
      }
      // The logger's err serializer (server/logging/safe-error.ts) keeps personal data out of the line.
      request.log.error({ err }, 'request failed');
      return answer(500, { code: 'internal', message: 'Internal server error' });
    });
    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send({ code: 'not_found', message: 'Route not found', requestId: String(request.id) }),
    );
  },
  { name: 'errors' },
);
