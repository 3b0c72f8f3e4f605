import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { inArray } from 'drizzle-orm';
import type { Services } from '../services.ts';
import { errors } from '../http/common.ts';
import { EMBEDDER_KINDS } from '../../bot/embedders/index.ts';
import { kbArticles } from '../../drizzle/schema/index.ts';
import { DomainError } from '../domain/errors.ts';
import type { BotRunner } from '../bot/runner.ts';
import { BotCandidateView, BotSettingsView } from '../bot/views.ts';

export const botRoutes: FastifyPluginAsyncTypebox<{ services: Services; bot: BotRunner }> = async (
  app,
  { services, bot },
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
            threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
          },
          { minProperties: 1 },
        ),
        response: { 200: BotSettingsView, ...errors(400, 401, 403) },
      },
    },
    async (request) => bot.updateSettings(request.body),
  );

  app.post(
    '/try',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['bot'],
        summary: 'What the bot would do with a question (nothing is stored)',
        body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 2000 }) }),
        response: {
          200: Type.Object({
            action: Type.Enum(['answer', 'handoff', 'silent']),
            confidence: Type.Union([Type.Number(), Type.Null()]),
            reason: Type.String(),
            article: Type.Union([Type.Object({ id: Type.String(), title: Type.String() }), Type.Null()]),
            candidates: Type.Array(BotCandidateView),
          }),
          ...errors(400, 401, 503),
        },
      },
    },
    async (request) => {
      const decision = await bot.tryQuestion(request.body.text);
      if (!decision) throw new DomainError(503, 'bot_unavailable', 'The bot model is not loaded; see the server log');
      const ids = decision.candidates.map((c) => c.articleId);
      const titles = new Map(
        ids.length
          ? (
              await services.db
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
