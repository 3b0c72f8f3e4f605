import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../db/client.ts';
import { IdParams, errors } from '../http/common.ts';
import { currentAgent } from '../plugins/auth.ts';
import type { BotRunner } from '../bot/runner.ts';
import { createAssist } from '../bot/assist.ts';
import { notFound } from '../domain/errors.ts';
import { conversations } from '../../drizzle/schema/index.ts';
import { eq } from 'drizzle-orm';

const tags = ['agent assist'];

export const AssistView = Type.Object({
  /** The customer's language as the bot detects it (null before they wrote). */
  language: Type.Union([Type.String(), Type.Null()]),
  /** The customer's last message, which the suggestions answer. */
  question: Type.Union([Type.String(), Type.Null()]),
  articles: Type.Array(
    Type.Object({ articleId: Type.String(), title: Type.String(), text: Type.String(), score: Type.Number() }),
  ),
  similar: Type.Array(
    Type.Object({
      conversationId: Type.String(),
      question: Type.String(),
      reply: Type.String(),
      score: Type.Number(),
      resolvedAt: Type.String(),
    }),
  ),
});

export type AssistRoutesDeps = { db: Db };

/** Agent assist: suggestions from the bot's local model for the conversation an agent is answering. */
export const assistRoutes: FastifyPluginAsyncTypebox<{ deps: AssistRoutesDeps; bot: BotRunner }> = async (
  app,
  { deps, bot },
) => {
  const assist = createAssist(deps.db, () => bot.languageBots());

  app.get(
    '/conversations/:id',
    {
      config: { access: 'agent', inboxScoped: 'conversation' },
      schema: {
        tags,
        summary: "KB answers for the customer's last message and similar resolved conversations (computed locally)",
        params: IdParams,
        response: { 200: AssistView, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const [row] = await deps.db
        .select({ id: conversations.id })
        .from(conversations)
        .where(eq(conversations.id, request.params.id));
      if (!row) throw notFound('Conversation');
      return assist.suggestions(row.id, currentAgent(request).inboxIds);
    },
  );
};
