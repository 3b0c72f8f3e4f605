import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/rate-limit';
import type { AgentRole } from '../../drizzle/schema/enums.ts';
import { sessionAgent, tokenAgent, type SessionAgent } from '../domain/agents.ts';
import { API_TOKEN_PREFIX, liveApiToken, recordApiTokenUse, requiredScope } from '../security/api-tokens.ts';
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
    /** The API token the request came with (server/security/api-tokens.ts), if any. */
    apiTokenId?: string;
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
  config: Pick<Config, 'visitorTokenIdleDays' | 'apiTokenRatePerMinute'>;
};

export const authPlugin = fp<{ deps: AuthPluginDeps }>(
  async (app, { deps }) => {
    app.decorateRequest('agent', null);
    app.decorateRequest('visitor', null);
    const tokenLimit = app.createRateLimit({
      max: deps.config.apiTokenRatePerMinute,
      timeWindow: '1 minute',
      keyGenerator: (request) => `api-token|${request.apiTokenId ?? ''}`,
    });
    /** A request with an API token: live, scoped for this route, within its rate, its admin still allowed. */
    const tokenCaller = async (request: FastifyRequest, reply: FastifyReply, secret: string, access: AgentRole) => {
      const token = await liveApiToken(deps.db, secret);
      request.apiTokenId = token.id;
      const scope = requiredScope(request.method, request.routeOptions.url ?? '');
      if (!scope) throw new DomainError(403, 'token_scope', 'API tokens cannot call this route');
      if (!token.scopes.includes(scope))
        throw new DomainError(403, 'token_scope', `This needs the ${scope} scope`, { scope });
      const limit = await tokenLimit(request);
      if (!limit.isAllowed && limit.isExceeded) {
        reply.header('retry-after', String(limit.ttlInSeconds));
        throw new DomainError(429, 'rate_limited', `Too many requests: retry in ${limit.ttlInSeconds} s`, {
          retryAfterSeconds: limit.ttlInSeconds,
        });
      }
      const agent = await tokenAgent(deps.db, token.createdBy);
      if (!agent) throw new DomainError(401, 'invalid_api_token', 'The admin of this token is disabled');
      if (rank[agent.role] < rank[access]) throw new DomainError(403, 'forbidden', `This needs the ${access} role`);
      await assertScoped(request, agent);
      await recordApiTokenUse(deps.db, token.id, agent.id, request.method, request.routeOptions.url ?? '');
      return agent;
    };
    const assertScoped = async (request: FastifyRequest, agent: SessionAgent) => {
      const scoped = request.routeOptions.config.inboxScoped;
      const id = (request.params as { id?: unknown } | undefined)?.id;
      // A malformed id is left to the schema (400); it cannot name anything anyway.
      if (scoped && agent.inboxIds && typeof id === 'string' && UUID.test(id))
        await assertVisible(deps.db, agent.inboxIds, scoped, id);
    };
    app.addHook('onRequest', async (request, reply) => {
      const access = request.routeOptions.config.access;
      if (!access || access === 'public') return;
      if (access === 'visitor') {
        const visitor = deps.visitorTokens.verify(bearerToken(request));
        if (!visitor) throw new DomainError(401, 'invalid_visitor_token', 'Missing or invalid visitor token');
        request.visitor = await admitVisitor(deps, visitor);
        return;
      }
      const bearer = bearerToken(request);
      if (bearer?.startsWith(API_TOKEN_PREFIX)) {
        request.agent = await tokenCaller(request, reply, bearer, access);
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
      await assertScoped(request, agent);
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
