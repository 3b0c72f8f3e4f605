import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../db/client.ts';
import type { DomainEventBus } from '../domain/events.ts';
import { KbArticleInput, KbArticleList, KbArticleResult } from '../http/views/kb.ts';
import { IdParams, errors } from '../http/common.ts';
import { currentAgent } from '../plugins/auth.ts';
import { createArticle, deleteArticle, getArticle, listArticles, updateArticle } from '../domain/kb.ts';
import { badRequest } from '../domain/errors.ts';
import { kbArticles } from '../../drizzle/schema/index.ts';
import { KB_LIMITS } from '../../bot/kb.ts';

const tags = ['knowledge base'];
export type KbRoutesDeps = { db: Db; events: DomainEventBus };

/**
 * The KB's limits (KB_LIMITS): the number of articles and of example questions in all. The questions of one
 * article are limited by the request schema (maxItems), which answers 400 too.
 */
async function checkLimits(db: Db, input: { questions?: string[] }, replacing: string | null) {
  const rows = await db.select({ id: kbArticles.id, questions: kbArticles.questions }).from(kbArticles);
  const others = rows.filter((r) => r.id !== replacing);
  if (replacing === null && others.length >= KB_LIMITS.articles)
    throw badRequest('kb_limit', `The knowledge base holds at most ${KB_LIMITS.articles} articles`, {
      what: 'articles',
      max: KB_LIMITS.articles,
    });
  if (!input.questions) return;
  const mine = new Set(input.questions.map((q) => q.trim()).filter(Boolean)).size;
  const total = others.reduce((n, r) => n + r.questions.length, 0) + mine;
  if (total > KB_LIMITS.questions)
    throw badRequest(
      'kb_limit',
      `The knowledge base holds at most ${KB_LIMITS.questions} example questions in all ` +
        `(this change would make ${total})`,
      { what: 'questions', max: KB_LIMITS.questions, total },
    );
}

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
    async (request, reply) => {
      await checkLimits(deps.db, request.body, null);
      return reply
        .status(201)
        .send({ article: await createArticle(deps.db, deps.events, request.body, currentAgent(request).id) });
    },
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
    async (request) => {
      await checkLimits(deps.db, request.body, request.params.id);
      return {
        article: await updateArticle(deps.db, deps.events, request.params.id, request.body, currentAgent(request).id),
      };
    },
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
