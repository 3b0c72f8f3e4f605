import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../db/client.ts';
import { AgentRoleSchema } from '../http/views.ts';
import { AgentList, AgentResult } from '../http/views/agents.ts';
import { IdParams, errors } from '../http/common.ts';
import { createAgent, listAgents, updateAgent } from '../domain/agents.ts';
import { currentAgent } from '../plugins/auth.ts';

const tags = ['agents'];
const Password = Type.String({ minLength: 10, maxLength: 1024, description: 'At least 10 characters' });

export type AgentRoutesDeps = { db: Db };

export const agentRoutes: FastifyPluginAsyncTypebox<{ deps: AgentRoutesDeps }> = async (app, { deps }) => {
  app.get(
    '/',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'All agents (for assignment)',
        response: { 200: AgentList, ...errors(401) },
      },
    },
    async () => ({ items: await listAgents(deps.db) }),
  );

  app.post(
    '/',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Create an agent (admin)',
        body: Type.Object({
          email: Type.String({ format: 'email', maxLength: 320 }),
          name: Type.String({ minLength: 1, maxLength: 200 }),
          role: AgentRoleSchema,
          password: Password,
        }),
        response: { 201: AgentResult, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const agent = await createAgent(deps.db, request.body, currentAgent(request).id);
      return reply.status(201).send({ agent });
    },
  );

  app.patch(
    '/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Change name, role, password or disable an agent (admin)',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            role: Type.Optional(AgentRoleSchema),
            disabled: Type.Optional(Type.Boolean()),
            password: Type.Optional(Password),
          },
          { minProperties: 1 },
        ),
        response: { 200: AgentResult, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      agent: await updateAgent(deps.db, request.params.id, request.body, currentAgent(request).id),
    }),
  );
};
