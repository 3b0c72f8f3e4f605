import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  AgentAccessRequest,
  AgentAccessView,
  AgentCreateRequest,
  AgentList,
  AgentResult,
  AgentInviteRequest,
  AgentUpdateRequest,
  NotificationPrefsView,
  OwnPasswordRequest,
  OwnProfileRequest,
} from '../http/views/agents.ts';
import { AgentView } from '../http/views.ts';
import { IdParams, errors } from '../http/common.ts';
import { createAgent, listAgents, updateAgent } from '../domain/agents.ts';
import { listAccess, setAccess, type TeamDeps } from '../domain/teams.ts';
import {
  changeOwnPassword,
  getNotificationPrefs,
  inviteAgent,
  setNotificationPrefs,
  setOneTimePassword,
  updateOwnProfile,
  type InvitationMailer,
} from '../domain/profile.ts';
import type { Config } from '../config.ts';
import { sha256 } from '../security/tokens.ts';
import { SESSION_COOKIE, currentAgent } from '../plugins/auth.ts';
import { invitationMail } from './invitation-mail.ts';
import { staffLocale } from '../http/accept-language.ts';
import type { Locale } from '../../web/i18n/index.ts';

const tags = ['agents'];

/**
 * The event bus: a role change moves the agent's live sockets to the inboxes the new role sees. The email channel
 * mails invitations when an inbox can send.
 */
export type AgentRoutesDeps = TeamDeps & {
  config: Pick<Config, 'publicUrl'>;
  channels: { email?: { sendStaffMail: (mail: { to: string; subject: string; text: string }) => Promise<boolean> } };
};

export const agentRoutes: FastifyPluginAsyncTypebox<{ deps: AgentRoutesDeps }> = async (app, { deps }) => {
  const mailerIn =
    (locale: Locale): InvitationMailer =>
    async (mail) => {
      const send = deps.channels.email?.sendStaffMail;
      if (!send) return false;
      try {
        return await send(invitationMail(mail, locale));
      } catch (err) {
        // The mail server refused or is down: the admin is shown the link instead (no address in the log).
        app.log.warn({ reason: (err as { code?: string }).code ?? 'smtp_error' }, 'invitation mail not sent');
        return false;
      }
    };

  app.patch(
    '/me',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Change my own display name (what customers see on my replies) or avatar colour',
        body: OwnProfileRequest,
        response: { 200: AgentResult, ...errors(400, 401, 403) },
      },
    },
    async (request) => ({ agent: await updateOwnProfile(deps, currentAgent(request).id, request.body) }),
  );

  app.post(
    '/me/password',
    {
      // The one write an agent signed in with a one-time password may make.
      config: { access: 'agent', allowWithOneTimePassword: true },
      schema: {
        tags,
        summary: 'Change my own password (the current one required); my other sessions end',
        body: OwnPasswordRequest,
        response: { 200: AgentResult, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const token = request.cookies[SESSION_COOKIE]!;
      return { agent: await changeOwnPassword(deps, currentAgent(request).id, sha256(token), request.body) };
    },
  );

  app.get(
    '/me/notifications',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'My notification preferences',
        response: { 200: NotificationPrefsView, ...errors(401) },
      },
    },
    async (request) => getNotificationPrefs(deps, currentAgent(request).id),
  );

  app.put(
    '/me/notifications',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Change my notification preferences',
        body: Type.Partial(NotificationPrefsView, { minProperties: 1 }),
        response: { 200: NotificationPrefsView, ...errors(400, 401, 403) },
      },
    },
    async (request) => setNotificationPrefs(deps, currentAgent(request).id, request.body),
  );

  app.post(
    '/:id/one-time-password',
    {
      config: { access: 'admin', inboxScoped: false },
      schema: {
        tags,
        summary:
          'Give an agent a one-time password (admin): shown only in this answer; they choose their own at sign-in',
        params: IdParams,
        response: {
          200: Type.Object({ agent: AgentView, password: Type.String() }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => setOneTimePassword(deps, request.params.id, currentAgent(request).id),
  );

  app.post(
    '/invitations',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary:
          'Invite a colleague (admin): the link is mailed through an email inbox that can send, ' +
          'otherwise returned here once',
        body: AgentInviteRequest,
        response: {
          201: Type.Object({
            agent: AgentView,
            emailed: Type.Boolean(),
            link: Type.Union([Type.String(), Type.Null()], { description: 'Only when it was not emailed' }),
          }),
          ...errors(400, 401, 403, 409),
        },
      },
    },
    async (request, reply) => {
      const result = await inviteAgent(
        { ...deps, publicUrl: deps.config.publicUrl, mailer: mailerIn(staffLocale(request)) },
        request.body,
        currentAgent(request).id,
      );
      return reply.status(201).send(result);
    },
  );
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
      config: { access: 'admin', inboxScoped: false },
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
      config: { access: 'admin', inboxScoped: false },
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
