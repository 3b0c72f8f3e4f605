import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../services.ts';
import { MessageView } from '../http/views.ts';
import { IdParams, errors } from '../http/common.ts';
import { currentAgent } from '../plugins/auth.ts';
import { redactMessage } from '../privacy/redact.ts';

export const messageRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post(
    '/:id/redact',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['privacy'],
        summary: 'Irreversibly replace a span of a message body with "[redacted]" (UTF-16 offsets, end exclusive)',
        params: IdParams,
        body: Type.Object({ start: Type.Integer({ minimum: 0 }), end: Type.Integer({ minimum: 1 }) }),
        response: { 200: Type.Object({ message: MessageView }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      message: await redactMessage(services, request.params.id, request.body, currentAgent(request)),
    }),
  );
};
