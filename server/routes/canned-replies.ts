import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../db/client.ts';
import { IdParams, errors } from '../http/common.ts';
import {
  createCannedReply,
  deleteCannedReply,
  listCannedReplies,
  renderCannedReply,
  replyLanguages,
  replyVariables,
  updateCannedReply,
} from '../domain/canned-replies.ts';
import { currentAgent } from '../plugins/auth.ts';

const tags = ['canned-replies'];
const Language = Type.Enum([...replyLanguages]);
const Variants = Type.Object(
  Object.fromEntries(replyLanguages.map((l) => [l, Type.Optional(Type.String({ maxLength: 5000 }))])),
  { additionalProperties: false, description: 'The text per language; {{variables}} are filled when inserted' },
);
const CannedReplyView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  shortcut: Type.String(),
  title: Type.String(),
  shared: Type.Boolean({ description: 'Shared with every agent; otherwise the signed-in agent’s own' }),
  variants: Variants,
  updatedAt: Type.String({ format: 'date-time' }),
});
const CannedReplyRequest = Type.Object({
  shortcut: Type.String({ minLength: 1, maxLength: 41, description: 'One word, typed after "/" in the composer' }),
  title: Type.String({ minLength: 1, maxLength: 120 }),
  shared: Type.Boolean(),
  variants: Variants,
});
const RenderRequest = Type.Object({
  conversationId: Type.String({ format: 'uuid' }),
  language: Type.Optional(Language),
});
const Rendered = Type.Object({
  text: Type.String(),
  language: Language,
  languageSource: Type.Enum(['conversation', 'requested', 'fallback']),
  unfilled: Type.Array(Type.String(), { description: 'Variables left as {{placeholders}} for the agent to fill' }),
});

/**
 * Canned replies: every agent lists the shared ones and their own, and keeps their own; managers and admins keep the
 * shared ones. A reply's `:id` names no inbox (inboxScoped false); rendering checks the conversation's.
 */
export const cannedReplyRoutes: FastifyPluginAsyncTypebox<{ deps: { db: Db } }> = async (app, { deps }) => {
  app.get(
    '/',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'The shared canned replies and my own, with the variables they may use',
        response: {
          200: Type.Object({
            items: Type.Array(CannedReplyView),
            variables: Type.Array(Type.String()),
            languages: Type.Array(Language),
          }),
          ...errors(401),
        },
      },
    },
    async (request) => ({
      items: await listCannedReplies(deps.db, currentAgent(request).id),
      variables: [...replyVariables],
      languages: [...replyLanguages],
    }),
  );

  app.post(
    '/',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Add a canned reply (shared ones: managers and admins)',
        body: CannedReplyRequest,
        response: { 201: CannedReplyView, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createCannedReply(deps.db, currentAgent(request), request.body)),
  );

  app.put(
    '/:id',
    {
      config: { access: 'agent', inboxScoped: false },
      schema: {
        tags,
        summary: 'Change a canned reply (my own; shared ones: managers and admins)',
        params: IdParams,
        body: CannedReplyRequest,
        response: { 200: CannedReplyView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => updateCannedReply(deps.db, currentAgent(request), request.params.id, request.body),
  );

  app.delete(
    '/:id',
    {
      config: { access: 'agent', inboxScoped: false },
      schema: {
        tags,
        summary: 'Delete a canned reply (my own; shared ones: managers and admins)',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await deleteCannedReply(deps.db, currentAgent(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/:id/render',
    {
      config: { access: 'agent', inboxScoped: false },
      schema: {
        tags,
        summary:
          'A canned reply filled in for a conversation: its language (the agent’s pick, else the conversation’s), ' +
          'variables from known data; unknown ones stay {{placeholders}}',
        params: IdParams,
        body: RenderRequest,
        response: { 200: Rendered, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) =>
      renderCannedReply(
        deps.db,
        currentAgent(request),
        request.params.id,
        request.body.conversationId,
        request.body.language,
      ),
  );
};
