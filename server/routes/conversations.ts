import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { DataKeys } from '../security/data-keys.ts';
import type { DomainEventBus } from '../domain/events.ts';
import type { Adapters } from '../../channels/registry.ts';
import { ChannelKindSchema, ConversationStatusSchema } from '../http/views.ts';
import {
  ConversationDetail,
  ConversationPage,
  ConversationResult,
  MessageResult,
} from '../http/views/conversations.ts';
import { IdParams, MessageText, decodeCursor, encodeCursor, errors } from '../http/common.ts';
import { currentAgent } from '../plugins/auth.ts';
import { addNote, assign, markRead, reply, setStatus, type ConversationDeps } from '../domain/conversations.ts';
import {
  loadConversationView,
  loadConversationViews,
  loadMessageViews,
  loadParticipantViews,
} from '../domain/views.ts';
import { getContact } from '../domain/contacts.ts';
import { assignTeam } from '../domain/conversation-team.ts';
import { notFound } from '../domain/errors.ts';
import { conversationDecisions } from '../bot/actions.ts';

const tags = ['conversations'];

/** Replies go out through the channel adapters; every change is published on the event bus. */
export type ConversationRoutesDeps = {
  db: Db;
  events: DomainEventBus;
  adapters: Adapters;
  config: Pick<Config, 'messageMaxChars'>;
  /** Opens the bot decisions' sealed scores. */
  dataKeys: DataKeys;
};

export const conversationRoutes: FastifyPluginAsyncTypebox<{ deps: ConversationRoutesDeps }> = async (
  app,
  { deps },
) => {
  const { db } = deps;
  const conversationDeps: ConversationDeps = {
    db,
    events: deps.events,
    adapters: deps.adapters,
    messageMaxChars: deps.config.messageMaxChars,
    dataKeys: deps.dataKeys,
  };

  app.get(
    '/',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'List conversations, newest activity first (keyset pagination)',
        querystring: Type.Object({
          status: Type.Optional(ConversationStatusSchema),
          channel: Type.Optional(ChannelKindSchema),
          assignee: Type.Optional(
            Type.Union([Type.Literal('me'), Type.Literal('unassigned'), Type.String({ format: 'uuid' })]),
          ),
          inbox: Type.Optional(Type.String({ format: 'uuid' })),
          team: Type.Optional(
            Type.Union([Type.Literal('mine'), Type.Literal('none'), Type.String({ format: 'uuid' })], {
              description: "'mine': the signed-in agent's teams; 'none': no team; or a team id",
            }),
          ),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
        }),
        response: { 200: ConversationPage, ...errors(400, 401) },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 25;
      let before;
      if (q.cursor) {
        const [at, seq] = decodeCursor(q.cursor, 2);
        before = { lastMessageAt: new Date(at!), seq: Number(seq) };
        if (Number.isNaN(before.lastMessageAt.getTime()) || !Number.isInteger(before.seq)) before = undefined;
      }
      const agent = currentAgent(request);
      const rows = await loadConversationViews(
        db,
        deps.dataKeys,
        {
          status: q.status,
          channel: q.channel,
          assignee: q.assignee,
          inboxId: q.inbox,
          team: q.team,
          inboxIds: agent.inboxIds,
          before,
          limit: limit + 1,
        },
        agent.id,
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(({ seq: _seq, ...view }) => view),
        nextCursor: rows.length > limit && last ? encodeCursor(last.lastMessageAt, last.seq) : null,
      };
    },
  );

  app.get(
    '/:id',
    {
      config: { access: 'agent', inboxScoped: 'conversation' },
      schema: {
        tags,
        summary: 'A conversation with all its messages (oldest first) and its contact',
        params: IdParams,
        response: { 200: ConversationDetail, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const agent = currentAgent(request);
      const conversation = await loadConversationView(db, deps.dataKeys, request.params.id, agent.id);
      if (!conversation) throw notFound('Conversation');
      const [messages, contact, botDecisions, participants] = await Promise.all([
        loadMessageViews(db, deps.dataKeys, conversation.id),
        getContact(db, conversation.contact.id, agent.inboxIds),
        conversationDecisions(deps, conversation.id),
        loadParticipantViews(db, conversation.id),
      ]);
      return { conversation, messages, contact, botDecisions, participants };
    },
  );

  const textBody = Type.Object({ text: MessageText });

  app.post(
    '/:id/messages',
    {
      config: { access: 'agent', inboxScoped: 'conversation' },
      schema: {
        tags,
        summary: "Reply to the customer on the conversation's channel",
        params: IdParams,
        body: textBody,
        response: { 201: MessageResult, ...errors(400, 401, 403, 404, 413) },
      },
    },
    async (request, replyTo) => {
      const message = await reply(conversationDeps, request.params.id, currentAgent(request), request.body.text);
      return replyTo.status(201).send({ message });
    },
  );

  app.post(
    '/:id/notes',
    {
      config: { access: 'agent', inboxScoped: 'conversation' },
      schema: {
        tags,
        summary: 'Add an internal note (never sent to the customer)',
        params: IdParams,
        body: textBody,
        response: { 201: MessageResult, ...errors(400, 401, 403, 404, 413) },
      },
    },
    async (request, replyTo) => {
      const message = await addNote(conversationDeps, request.params.id, currentAgent(request), request.body.text);
      return replyTo.status(201).send({ message });
    },
  );

  app.post(
    '/:id/assign',
    {
      config: { access: 'agent', inboxScoped: 'conversation' },
      schema: {
        tags,
        summary: 'Assign to an agent who can see the inbox (409 otherwise), or unassign with null',
        params: IdParams,
        body: Type.Object({ agentId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]) }),
        response: { 200: ConversationResult, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => ({
      conversation: await assign(conversationDeps, request.params.id, request.body.agentId, currentAgent(request)),
    }),
  );

  app.post(
    '/:id/team',
    {
      config: { access: 'agent', inboxScoped: 'conversation' },
      schema: {
        tags,
        summary: "Assign to a team that serves the conversation's inbox (409 team_outside_inbox otherwise), or none",
        params: IdParams,
        body: Type.Object({ teamId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]) }),
        response: { 200: ConversationResult, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => ({
      conversation: await assignTeam(conversationDeps, request.params.id, request.body.teamId, currentAgent(request)),
    }),
  );

  app.post(
    '/:id/status',
    {
      config: { access: 'agent', inboxScoped: 'conversation' },
      schema: {
        tags,
        summary: 'Change the status (open, pending, resolved, bot)',
        params: IdParams,
        body: Type.Object({ status: ConversationStatusSchema }),
        response: { 200: ConversationResult, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      conversation: await setStatus(conversationDeps, request.params.id, request.body.status, currentAgent(request)),
    }),
  );

  app.post(
    '/:id/read',
    {
      config: { access: 'agent', inboxScoped: 'conversation' },
      schema: {
        tags,
        summary: 'Mark as read for the current agent',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, replyTo) => {
      await markRead(db, request.params.id, currentAgent(request).id);
      return replyTo.status(204).send(null);
    },
  );
};
