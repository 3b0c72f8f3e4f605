import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../config.ts';
import { InvitationAcceptRequest, InvitationPeekRequest, SessionView } from '../http/views/agents.ts';
import { errors } from '../http/common.ts';
import { rateLimits } from '../http/rate-limits.ts';
import { login, logout, sessionAgent, type AgentAccessDeps } from '../domain/agents.ts';
import { acceptInvitation, describeInvitation } from '../domain/profile.ts';
import { DomainError } from '../domain/errors.ts';
import { SESSION_COOKIE, currentAgent } from '../plugins/auth.ts';

export type AuthRoutesDeps = AgentAccessDeps & { config: Pick<Config, 'publicUrl' | 'sessionTtlHours'> };

export const authRoutes: FastifyPluginAsyncTypebox<{ deps: AuthRoutesDeps }> = async (app, { deps }) => {
  const secure = deps.config.publicUrl.startsWith('https:');
  // Per address (the route's own limit, counted before the body is read) and per account (here).
  const perAccount = app.createRateLimit({
    ...rateLimits.loginAccount,
    keyGenerator: (req) => `login-account|${String((req.body as { email?: unknown }).email ?? '').toLowerCase()}`,
  });

  app.post(
    '/login',
    {
      config: { access: 'public', rateLimit: rateLimits.login },
      // After body parsing, so the key can be the email being tried: guessing one account's password from
      // many addresses is throttled too.
      preHandler: async (request, reply) => {
        const result = await perAccount(request);
        if (result.isAllowed || !result.isExceeded) return;
        reply.header('retry-after', String(result.ttlInSeconds));
        throw new DomainError(429, 'rate_limited', `Too many sign-in attempts: retry in ${result.ttlInSeconds} s`, {
          retryAfterSeconds: result.ttlInSeconds,
        });
      },
      schema: {
        tags: ['auth'],
        summary: 'Sign in as an agent; sets the httpOnly session cookie',
        body: Type.Object({
          email: Type.String({ minLength: 3, maxLength: 320 }),
          password: Type.String({ minLength: 1, maxLength: 1024 }),
        }),
        response: { 200: SessionView, ...errors(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const session = await login(deps.db, request.body.email, request.body.password, deps.config.sessionTtlHours);
      if (!session) throw new DomainError(401, 'invalid_credentials', 'Wrong email or password');
      reply.setCookie(SESSION_COOKIE, session.token, {
        httpOnly: true,
        sameSite: 'lax',
        secure,
        path: '/',
        maxAge: deps.config.sessionTtlHours * 3600,
      });
      return { agent: session.agent, csrfToken: session.csrfToken };
    },
  );

  app.post(
    '/invitation/peek',
    {
      config: { access: 'public', rateLimit: rateLimits.login },
      schema: {
        tags: ['auth'],
        summary: 'Who an invitation link is for (the page that asks them to choose a password)',
        body: InvitationPeekRequest,
        response: {
          200: Type.Object({ name: Type.String(), email: Type.String() }),
          ...errors(400, 404, 429),
        },
      },
    },
    async (request) => describeInvitation(deps, request.body.token),
  );

  app.post(
    '/invitation',
    {
      config: { access: 'public', rateLimit: rateLimits.login },
      schema: {
        tags: ['auth'],
        summary: 'An invited colleague chooses their password and is signed in (sets the session cookie)',
        body: InvitationAcceptRequest,
        response: { 200: SessionView, ...errors(400, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const email = await acceptInvitation(deps, request.body.token, request.body.password);
      const session = await login(deps.db, email, request.body.password, deps.config.sessionTtlHours);
      if (!session) throw new DomainError(401, 'invalid_credentials', 'Could not sign in');
      reply.setCookie(SESSION_COOKIE, session.token, {
        httpOnly: true,
        sameSite: 'lax',
        secure,
        path: '/',
        maxAge: deps.config.sessionTtlHours * 3600,
      });
      return { agent: session.agent, csrfToken: session.csrfToken };
    },
  );

  app.post(
    '/logout',
    {
      config: { access: 'agent', allowWithOneTimePassword: true },
      schema: {
        tags: ['auth'],
        summary: 'End the current session',
        response: { 204: Type.Null(), ...errors(401, 403) },
      },
    },
    async (request, reply) => {
      await logout(deps, request.cookies[SESSION_COOKIE]!);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  // The inbox asks this on every load: "not signed in" is an answer (200, session null), not an error, so a
  // signed-out browser shows no failed request in its console. /me stays the strict 401 check.
  app.get(
    '/session',
    {
      config: { access: 'public', rateLimit: rateLimits.sessionCheck },
      schema: {
        tags: ['auth'],
        summary: 'The current session, or null when signed out (never 401)',
        response: { 200: Type.Object({ session: Type.Union([SessionView, Type.Null()]) }) },
      },
    },
    async (request) => {
      const current = await sessionAgent(deps.db, request.cookies[SESSION_COOKIE]);
      if (!current) return { session: null };
      const { csrfToken, ...agent } = current;
      return { session: { agent, csrfToken } };
    },
  );

  app.get(
    '/me',
    {
      config: { access: 'agent', allowWithOneTimePassword: true },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in agent and the CSRF token for writes',
        response: { 200: SessionView, ...errors(401) },
      },
    },
    async (request) => {
      const { csrfToken, ...agent } = currentAgent(request);
      return { agent, csrfToken };
    },
  );
};
