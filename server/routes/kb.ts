import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../db/client.ts';
import type { DomainEventBus } from '../domain/events.ts';
import { KbArticleInput, KbArticleList, KbArticleResult } from '../http/views/kb.ts';
import { IdParams, errors } from '../http/common.ts';
import { currentAgent } from '../plugins/auth.ts';
import { createArticle, deleteArticle, getArticle, listArticles, updateArticle } from '../domain/kb.ts';

const tags = ['knowledge base'];
export type KbRoutesDeps = { db: Db; events: DomainEventBus };

export const kbRoutes: FastifyPluginAsyncTypebox<{ deps: KbRoutesDeps }> = async (app, { deps }) => {
  app.get(
    '/articles',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'All knowledge-base articles',
        response: { 200: KbArticleList, ...errors(401) },
      },
    },
    async () => ({
      items: await listArticles(deps.db),
    }),
  );

  app.get(
    '/articles/:id',
    {
      config: { access: 'agent', inboxScoped: false },
      schema: {
        tags,
        summary: 'One article',
        params: IdParams,
        response: { 200: KbArticleResult, ...errors(401, 404) },
      },
    },
    async (request) => ({ article: await getArticle(deps.db, request.params.id) }),
  );

  app.post(
    '/articles',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Create an article (admin)',
        body: KbArticleInput,
        response: { 201: KbArticleResult, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send({ article: await createArticle(deps.db, deps.events, request.body, currentAgent(request).id) }),
  );

  app.patch(
    '/articles/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Change an article (admin)',
        params: IdParams,
        body: Type.Partial(KbArticleInput, { minProperties: 1 }),
        response: { 200: KbArticleResult, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      article: await updateArticle(deps.db, deps.events, request.params.id, request.body, currentAgent(request).id),
    }),
  );

  app.delete(
    '/articles/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Delete an article (admin)',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await deleteArticle(deps.db, deps.events, request.params.id, currentAgent(request).id);
      return reply.status(204).send(null);
    },
  );
};
