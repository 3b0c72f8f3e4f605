import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AgentCreateRequest, AgentList, AgentResult, AgentUpdateRequest } from '../http/views/agents.ts';
import { IdParams, errors } from '../http/common.ts';
import { createAgent, listAgents, updateAgent, type AgentAccessDeps } from '../domain/agents.ts';
import { currentAgent } from '../plugins/auth.ts';

const tags = ['agents'];

export type AgentRoutesDeps = AgentAccessDeps;

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
        body: AgentCreateRequest,
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
        body: AgentUpdateRequest,
        response: { 200: AgentResult, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      agent: await updateAgent(deps, request.params.id, request.body, currentAgent(request).id),
    }),
  );
};
