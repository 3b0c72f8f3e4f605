import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { errors } from '../http/common.ts';
import { EMBEDDER_KINDS } from '../../bot/embedders/index.ts';
import { kbArticles } from '../../drizzle/schema/index.ts';
import { DomainError } from '../domain/errors.ts';
import type { BotRunner } from '../bot/runner.ts';
import { BotCurveView, BotSettingsView, BotTryResultView } from '../bot/views.ts';

export type BotRoutesDeps = { db: Db };

export const botRoutes: FastifyPluginAsyncTypebox<{ deps: BotRoutesDeps; bot: BotRunner }> = async (
  app,
  { deps, bot },
) => {
  app.get(
    '/settings',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['bot'],
        summary: 'Bot settings and readiness',
        response: { 200: BotSettingsView, ...errors(401, 403) },
      },
    },
    async () => bot.settingsView(),
  );

  app.put(
    '/settings',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['bot'],
        summary: 'Turn the bot on or off, choose the embedder, set the confidence threshold',
        body: Type.Object(
          {
            enabled: Type.Optional(Type.Boolean()),
            embedder: Type.Optional(Type.Enum([...EMBEDDER_KINDS])),
            threshold: Type.Optional(
              Type.Union([Type.Null(), Type.Number({ minimum: 0, maximum: 1 })], {
                description: "null: the threshold the KB's cross-validation recommends",
              }),
            ),
          },
          { minProperties: 1 },
        ),
        response: { 200: BotSettingsView, ...errors(400, 401, 403) },
      },
    },
    async (request) => bot.updateSettings(request.body),
  );

  app.get(
    '/curve',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['bot'],
        summary: 'Expected answer precision and coverage of this KB per threshold, at 3, 18 and 50 % off-topic traffic',
        response: { 200: BotCurveView, ...errors(401, 403) },
      },
    },
    // Without an index yet (bot off, or still loading): no points.
    async () => bot.curve(),
  );

  app.post(
    '/try',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['bot'],
        summary: 'What the bot would do with a question (nothing is stored)',
        body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 2000 }) }),
        response: { 200: BotTryResultView, ...errors(400, 401, 503) },
      },
    },
    async (request) => {
      const decision = await bot.tryQuestion(request.body.text);
      if (!decision) throw new DomainError(503, 'bot_unavailable', 'The bot model is not loaded; see the server log');
      const ids = decision.candidates.map((c) => c.articleId);
      const titles = new Map(
        ids.length
          ? (
              await deps.db
                .select({ id: kbArticles.id, title: kbArticles.title })
                .from(kbArticles)
                .where(inArray(kbArticles.id, ids))
            ).map((a) => [a.id, a.title])
          : [],
      );
      const articleId = decision.action === 'answer' ? decision.articleId : null;
      return {
        action: decision.action,
        confidence: decision.confidence,
        reason: decision.reason,
        article: articleId ? { id: articleId, title: titles.get(articleId) ?? '' } : null,
        candidates: decision.candidates.map((c) => ({ ...c, title: titles.get(c.articleId) ?? '' })),
      };
    },
  );
};
