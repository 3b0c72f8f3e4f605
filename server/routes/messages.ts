import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MessageResult } from '../http/views/conversations.ts';
import { IdParams, errors } from '../http/common.ts';
import { currentAgent } from '../plugins/auth.ts';
import { redactMessage } from '../privacy/redact.ts';

/** What redaction needs (server/privacy/redact.ts declares it). */
export type MessageRoutesDeps = Parameters<typeof redactMessage>[0];

export const messageRoutes: FastifyPluginAsyncTypebox<{ deps: MessageRoutesDeps }> = async (app, { deps }) => {
  app.post(
    '/:id/redact',
    {
      config: { access: 'agent', inboxScoped: 'message' },
      schema: {
        tags: ['privacy'],
        summary:
          'Irreversibly replace a span of a message body with "[redacted]" (UTF-16 offsets, end exclusive); ' +
          "409 legal_hold while a legal hold binds the message's conversation or contact",
        params: IdParams,
        body: Type.Object({ start: Type.Integer({ minimum: 0 }), end: Type.Integer({ minimum: 1 }) }),
        response: { 200: MessageResult, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => ({
      message: await redactMessage(deps, request.params.id, request.body, currentAgent(request)),
    }),
  );
};
