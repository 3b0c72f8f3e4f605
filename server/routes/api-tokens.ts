import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../db/client.ts';
import { IdParams, errors } from '../http/common.ts';
import { currentAgent } from '../plugins/auth.ts';
import { API_TOKEN_SCOPES, createApiToken, listApiTokens, revokeApiToken } from '../security/api-tokens.ts';

const tags = ['tokens'];
const admin = { access: 'admin' as const, inboxScoped: false as const };

const ApiTokenView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  createdBy: Type.String({ format: 'uuid' }),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/** API tokens for integrations (admins): server/security/api-tokens.ts. */
export const apiTokenRoutes: FastifyPluginAsyncTypebox<{ deps: { db: Db } }> = async (app, { deps }) => {
  app.get(
    '/',
    {
      config: admin,
      schema: {
        tags,
        summary: 'The API tokens, newest first (never their secrets)',
        response: { 200: Type.Object({ items: Type.Array(ApiTokenView) }) },
      },
    },
    async () => ({ items: await listApiTokens(deps.db) }),
  );

  app.post(
    '/',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Create an API token; its secret is in this answer only (stored hashed)',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 200 }),
          scopes: Type.Array(Type.Union(API_TOKEN_SCOPES.map((s) => Type.Literal(s))), { minItems: 1 }),
          expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
        }),
        response: { 201: Type.Object({ token: ApiTokenView, secret: Type.String() }) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createApiToken(deps.db, currentAgent(request).id, request.body)),
  );

  app.post(
    '/:id/revoke',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Revoke an API token at once (revoking a revoked one changes nothing)',
        params: IdParams,
        response: { 200: Type.Object({ token: ApiTokenView }), ...errors(404) },
      },
    },
    async (request) => ({ token: await revokeApiToken(deps.db, currentAgent(request).id, request.params.id) }),
  );
};
