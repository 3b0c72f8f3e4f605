import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  AgentAccessRequest,
  AgentAccessView,
  AgentCreateRequest,
  AgentList,
  AgentResult,
  AgentUpdateRequest,
} from '../http/views/agents.ts';
import { IdParams, errors } from '../http/common.ts';
import { createAgent, listAgents, updateAgent } from '../domain/agents.ts';
import { listAccess, setAccess, type TeamDeps } from '../domain/teams.ts';
import { currentAgent } from '../plugins/auth.ts';

const tags = ['agents'];

/** The event bus: a role change moves the agent's live sockets to the inboxes the new role sees. */
export type AgentRoutesDeps = TeamDeps;

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
    async (request) => {
      const agent = await updateAgent(deps, request.params.id, request.body, currentAgent(request).id);
      // Managers and admins see every inbox, agents their scope: a new role can change what the agent sees.
      if (request.body.role !== undefined) deps.events.publish('agents.scope_changed', { agentIds: [agent.id] });
      return { agent };
    },
  );

  app.get(
    '/access',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: "Every agent's inbox access: scope, chosen inboxes, teams and what they see now (admin)",
        response: { 200: Type.Object({ items: Type.Array(AgentAccessView) }), ...errors(401, 403) },
      },
    },
    async () => ({ items: await listAccess(deps.db) }),
  );

  app.put(
    '/:id/access',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary:
          "Set an agent's inbox access (admin): every inbox, or only the chosen inboxes and their teams' inboxes; " +
          'their open sessions and sockets follow at once',
        params: IdParams,
        body: AgentAccessRequest,
        response: { 200: Type.Object({ access: AgentAccessView }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      access: await setAccess(deps, request.params.id, request.body, currentAgent(request).id),
    }),
  );
};
