import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { TeamRequest, TeamSummary, TeamView } from '../http/views/agents.ts';
import { IdParams, errors } from '../http/common.ts';
import { currentAgent } from '../plugins/auth.ts';
import { deleteTeam, listTeams, saveTeam, teamDirectory, type TeamDeps } from '../domain/teams.ts';

const tags = ['agents'];
const TeamResult = Type.Object({ team: TeamView });

/** Teams: members who work the same inboxes; an agent restricted to their teams sees only those (admin). */
export type TeamRoutesDeps = TeamDeps;

export const teamRoutes: FastifyPluginAsyncTypebox<{ deps: TeamRoutesDeps }> = async (app, { deps }) => {
  const admin = { access: 'admin' as const };

  app.get(
    '/',
    {
      config: admin,
      schema: {
        tags,
        summary: 'All teams with their members and inboxes (admin)',
        response: { 200: Type.Object({ items: Type.Array(TeamView) }), ...errors(401, 403) },
      },
    },
    async () => ({ items: await listTeams(deps.db) }),
  );

  app.get(
    '/directory',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'The teams the signed-in agent can assign conversations to or filter by (those of visible inboxes)',
        response: { 200: Type.Object({ items: Type.Array(TeamSummary) }), ...errors(401, 403) },
      },
    },
    async (request) => {
      const agent = currentAgent(request);
      return { items: await teamDirectory(deps.db, agent.id, agent.inboxIds) };
    },
  );

  app.post(
    '/',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Create a team with its members and inboxes (admin)',
        body: TeamRequest,
        response: { 201: TeamResult, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) =>
      reply.status(201).send({ team: await saveTeam(deps, null, request.body, currentAgent(request).id) }),
  );

  app.put(
    '/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: "Replace a team's name, members and inboxes (admin); members' live sessions follow at once",
        params: IdParams,
        body: TeamRequest,
        response: { 200: TeamResult, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => ({ team: await saveTeam(deps, request.params.id, request.body, currentAgent(request).id) }),
  );

  app.delete(
    '/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Delete a team (admin); restricted members lose its inboxes',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await deleteTeam(deps, request.params.id, currentAgent(request).id);
      return reply.status(204).send(null);
    },
  );
};
