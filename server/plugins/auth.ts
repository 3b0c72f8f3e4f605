import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { AgentRole } from '../../drizzle/schema/enums.ts';
import { sessionAgent, type SessionAgent } from '../domain/agents.ts';
import { DomainError } from '../domain/errors.ts';
import { admitVisitor } from '../domain/widget.ts';
import { assertVisible, type ScopedResource } from '../domain/scope.ts';
import type { VisitorClaims, VisitorTokens } from '../security/tokens.ts';
import type { Db } from '../db/client.ts';
import type { Config } from '../config.ts';

/**
 * Who may call a route. Every /api route declares it in `config.access`; a test walks the routes
 * and fails on one that does not, so no route is public by accident.
 */
export type Access = 'public' | 'visitor' | AgentRole;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** A public provider webhook that verifies the provider's signature before anything else. */
    signed?: boolean;
    /**
     * What the route's `:id` names, so an agent restricted to some inboxes gets 404 for anything elsewhere
     * (server/domain/scope.ts); false: the id names nothing that lives in an inbox. The authorization test fails on
     * an agent route with an `:id` that does not say.
     */
    inboxScoped?: ScopedResource | false;
    /**
     * Open to an agent who signed in with an admin's one-time password (reading who they are, signing out, choosing
     * their own password); every other route answers 403 password_change_required until they have.
     */
    allowWithOneTimePassword?: boolean;
  }
  interface FastifyRequest {
    agent: SessionAgent | null;
    visitor: VisitorClaims | null;
  }
}

export const SESSION_COOKIE = 'sid';
const rank: Record<AgentRole, number> = { agent: 1, manager: 2, admin: 3 };
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const unauthorized = () => new DomainError(401, 'unauthorized', 'Sign in first');

/**
 * Agents are checked against their session in the database; visitors by their signed token, then at the door
 * (admitVisitor: not erased, consent not withdrawn, not idle past VISITOR_TOKEN_IDLE_DAYS).
 */
export type AuthPluginDeps = {
  db: Db;
  visitorTokens: Pick<VisitorTokens, 'verify'>;
  config: Pick<Config, 'visitorTokenIdleDays'>;
};

export const authPlugin = fp<{ deps: AuthPluginDeps }>(
  async (app, { deps }) => {
    app.decorateRequest('agent', null);
    app.decorateRequest('visitor', null);
    app.addHook('onRequest', async (request) => {
      const access = request.routeOptions.config.access;
      if (!access || access === 'public') return;
      if (access === 'visitor') {
        const visitor = deps.visitorTokens.verify(bearerToken(request));
        if (!visitor) throw new DomainError(401, 'invalid_visitor_token', 'Missing or invalid visitor token');
        request.visitor = await admitVisitor(deps, visitor);
        return;
      }
      const agent = await sessionAgent(deps.db, request.cookies[SESSION_COOKIE]);
      if (!agent) throw unauthorized();
      if (!SAFE_METHODS.has(request.method) && request.headers['x-csrf-token'] !== agent.csrfToken) {
        throw new DomainError(403, 'csrf', 'Missing or wrong x-csrf-token header');
      }
      if (agent.mustChangePassword && !request.routeOptions.config.allowWithOneTimePassword)
        throw new DomainError(403, 'password_change_required', 'Choose your own password first');
      if (rank[agent.role] < rank[access]) throw new DomainError(403, 'forbidden', `This needs the ${access} role`);
      const scoped = request.routeOptions.config.inboxScoped;
      const id = (request.params as { id?: unknown } | undefined)?.id;
      // A malformed id is left to the schema (400); it cannot name anything anyway.
      if (scoped && agent.inboxIds && typeof id === 'string' && UUID.test(id))
        await assertVisible(deps.db, agent.inboxIds, scoped, id);
      request.agent = agent;
    });
  },
  { name: 'auth', dependencies: ['errors'] },
);

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}

/** For handlers of agent routes: the auth hook has already guaranteed an agent. */
export function currentAgent(request: FastifyRequest): SessionAgent {
  if (!request.agent) throw unauthorized();
  return request.agent;
}

export function currentVisitor(request: FastifyRequest): VisitorClaims {
  if (!request.visitor) throw new DomainError(401, 'invalid_visitor_token', 'Missing or invalid visitor token');
  return request.visitor;
}
