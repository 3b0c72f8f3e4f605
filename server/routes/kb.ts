import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../services.ts';
import { IdParams, errors } from '../http/common.ts';
import { currentAgent } from '../plugins/auth.ts';
import { createArticle, deleteArticle, getArticle, listArticles, updateArticle } from '../domain/kb.ts';

const tags = ['knowledge base'];
const Article = Type.Object({
  id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  body: Type.String(),
  language: Type.String(),
  questions: Type.Array(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const Fields = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  body: Type.String({ minLength: 1, maxLength: 20_000 }),
  language: Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z]{2,4})?$', description: 'BCP 47 language, e.g. en, de, fi' }),
  questions: Type.Array(Type.String({ minLength: 1, maxLength: 500 }), {
    maxItems: 200,
    description: 'Example questions the bot matches',
  }),
};

export const kbRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/articles',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'All knowledge-base articles',
        response: { 200: Type.Object({ items: Type.Array(Article) }), ...errors(401) },
      },
    },
    async () => ({
      items: await listArticles(services.db),
    }),
  );

  app.get(
    '/articles/:id',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'One article',
        params: IdParams,
        response: { 200: Type.Object({ article: Article }), ...errors(401, 404) },
      },
    },
    async (request) => ({ article: await getArticle(services.db, request.params.id) }),
  );

  app.post(
    '/articles',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Create an article (admin)',
        body: Type.Object(Fields),
        response: { 201: Type.Object({ article: Article }), ...errors(400, 401, 403) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send({ article: await createArticle(services.db, services.events, request.body, currentAgent(request).id) }),
  );

  app.patch(
    '/articles/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Change an article (admin)',
        params: IdParams,
        body: Type.Partial(Type.Object(Fields), { minProperties: 1 }),
        response: { 200: Type.Object({ article: Article }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      article: await updateArticle(
        services.db,
        services.events,
        request.params.id,
        request.body,
        currentAgent(request).id,
      ),
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
      await deleteArticle(services.db, services.events, request.params.id, currentAgent(request).id);
      return reply.status(204).send(null);
    },
  );
};
