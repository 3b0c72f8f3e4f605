import type { TextKeys } from '../domain/message-text.ts';
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
import type { DomainEventBus } from '../domain/events.ts';
import { acceptProposal, learningAllowed, listProposals, propose, rejectProposal } from '../bot/assist-proposals.ts';

const tags = ['agent assist'];

export const AssistView = Type.Object({
  /** The customer's language as the bot detects it (null before they wrote). */
  language: Type.Union([Type.String(), Type.Null()]),
  /** The customer's last message, which the suggestions answer. */
  question: Type.Union([Type.String(), Type.Null()]),
  articles: Type.Array(
    Type.Object({ articleId: Type.String(), title: Type.String(), text: Type.String(), score: Type.Number() }),
  ),
  /** The contact's current consent allows proposing their questions as KB examples ("bot_training"). */
  learningAllowed: Type.Boolean(),
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

export const ProposalView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  articleId: Type.String({ format: 'uuid' }),
  articleTitle: Type.String(),
  articleLanguage: Type.String(),
  conversationId: Type.String({ format: 'uuid' }),
  question: Type.String(),
  createdAt: Type.String(),
});

export type AssistRoutesDeps = { db: Db; events: DomainEventBus; dataKeys: TextKeys };

/** Agent assist: suggestions from the bot's local model for the conversation an agent is answering. */
export const assistRoutes: FastifyPluginAsyncTypebox<{ deps: AssistRoutesDeps; bot: BotRunner }> = async (
  app,
  { deps, bot },
) => {
  const assist = createAssist(deps.db, deps.dataKeys, () => bot.languageBots());

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
        .select({ id: conversations.id, contactId: conversations.contactId })
        .from(conversations)
        .where(eq(conversations.id, request.params.id));
      if (!row) throw notFound('Conversation');
      const [view, allowed] = await Promise.all([
        assist.suggestions(row.id, currentAgent(request).inboxIds),
        learningAllowed(deps.db, row.contactId),
      ]);
      return { ...view, learningAllowed: allowed };
    },
  );

  app.post(
    '/conversations/:id/proposals',
    {
      config: { access: 'agent', inboxScoped: 'conversation' },
      schema: {
        tags,
        summary: "Propose a customer's question an agent answered as an example question of an article (admin review)",
        params: IdParams,
        body: Type.Object({ messageId: Type.String({ format: 'uuid' }), articleId: Type.String({ format: 'uuid' }) }),
        response: { 204: Type.Null(), ...errors(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      await propose(deps.db, { conversationId: request.params.id, ...request.body }, currentAgent(request).id);
      return reply.status(204).send(null);
    },
  );

  // The review queue is for admins, who see every inbox: a proposal's id is checked against nothing narrower.
  app.get(
    '/proposals',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Questions proposed as KB example questions, waiting for review (admin)',
        response: { 200: Type.Object({ items: Type.Array(ProposalView) }), ...errors(401, 403) },
      },
    },
    async () => ({ items: await listProposals(deps.db, deps.dataKeys) }),
  );

  app.post(
    '/proposals/:id/accept',
    {
      config: { access: 'admin', inboxScoped: false },
      schema: {
        tags,
        summary: "Accept: the question (as edited) joins the article's example questions (admin)",
        params: IdParams,
        body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 500 }) }),
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await acceptProposal(deps.db, deps.events, request.params.id, request.body.text.trim(), currentAgent(request).id);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/proposals/:id',
    {
      config: { access: 'admin', inboxScoped: false },
      schema: {
        tags,
        summary: 'Reject a proposed example question (admin)',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await rejectProposal(deps.db, request.params.id, currentAgent(request).id);
      return reply.status(204).send(null);
    },
  );
};
