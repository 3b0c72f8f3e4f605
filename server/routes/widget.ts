import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { eq } from 'drizzle-orm';
import type { VisitorTokens } from '../security/tokens.ts';
import {
  VisitorConsentView,
  VisitorHistoryView,
  VisitorMessageResult,
  VisitorSendRequest,
  VisitorSessionRequest,
  VisitorSessionView,
  WidgetConfigView,
} from '../http/views/widget.ts';
import { IdParams, errors } from '../http/common.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import { notFound } from '../domain/errors.ts';
import { NOTICE_POLICY_VERSION, NOTICE_PURPOSES, NOTICE_TEXT, NOTICE_TEXT_HASH } from '../privacy/notice.ts';
import { startVisitorSession } from '../domain/visitors.ts';
import {
  changeVisitorConsent,
  visitorConsent,
  visitorConversation,
  visitorHistory,
  visitorSend,
  type WidgetDeps,
} from '../domain/widget.ts';
import { exportContact } from '../privacy/export.ts';
import { currentVisitor } from '../plugins/auth.ts';
import { rateLimits } from '../http/rate-limits.ts';

const tags = ['widget'];
/** The widget's own domain, the visitor token issuer, and what a visitor's export needs (server/privacy/export.ts). */
export type WidgetRoutesDeps = WidgetDeps & {
  visitorTokens: Pick<VisitorTokens, 'issue'>;
} & Parameters<typeof exportContact>[0];

export const widgetRoutes: FastifyPluginAsyncTypebox<{ deps: WidgetRoutesDeps }> = async (app, { deps }) => {
  app.get(
    '/config',
    {
      config: { access: 'public', rateLimit: rateLimits.widgetRead },
      schema: {
        tags,
        summary: 'What the widget shows before anything is stored: inbox name, greeting and the consent notice',
        querystring: Type.Object({ inbox: Type.String({ format: 'uuid' }) }),
        response: { 200: WidgetConfigView, ...errors(400, 404, 429) },
      },
    },
    async (request) => {
      const [inbox] = await deps.db.select().from(inboxes).where(eq(inboxes.id, request.query.inbox));
      if (!inbox || inbox.channel !== 'chat') throw notFound('Chat inbox');
      const greeting = typeof inbox.settings.greeting === 'string' ? inbox.settings.greeting : 'Hi! How can we help?';
      return {
        inbox: { id: inbox.id, name: inbox.name },
        greeting,
        notice: {
          policyVersion: NOTICE_POLICY_VERSION,
          text: NOTICE_TEXT,
          textHash: NOTICE_TEXT_HASH,
          purposes: NOTICE_PURPOSES,
        },
      };
    },
  );

  app.post(
    '/sessions',
    {
      config: { access: 'public', rateLimit: rateLimits.widgetSession },
      schema: {
        tags,
        summary: 'Accept the notice: records consent and returns the signed visitor token',
        body: VisitorSessionRequest,
        response: { 201: VisitorSessionView, ...errors(400, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const session = await startVisitorSession(deps, request.body);
      return reply.status(201).send({ token: deps.visitorTokens.issue(session), visitorId: session.visitorId });
    },
  );

  app.get(
    '/messages',
    {
      config: { access: 'visitor', rateLimit: rateLimits.widgetRead },
      schema: {
        tags,
        summary: "The visitor's own conversation history (Bearer visitor token)",
        response: { 200: VisitorHistoryView, ...errors(401, 403, 429) },
      },
    },
    async (request) => visitorHistory(deps, currentVisitor(request)),
  );

  app.post(
    '/messages',
    {
      config: { access: 'visitor', rateLimit: rateLimits.widgetMessage },
      schema: {
        tags,
        summary: 'Send a message as the visitor (the socket does the same); clientId makes retries idempotent',
        body: VisitorSendRequest,
        response: { 201: VisitorMessageResult, ...errors(400, 401, 413, 429) },
      },
    },
    async (request, reply) =>
      reply.status(201).send({ message: await visitorSend(deps, currentVisitor(request), request.body) }),
  );

  app.get(
    '/consent',
    {
      config: { access: 'visitor', rateLimit: rateLimits.widgetRead },
      schema: {
        tags,
        summary: "The visitor's current consent per purpose",
        response: { 200: VisitorConsentView, ...errors(401, 429) },
      },
    },
    async (request) => ({ purposes: await visitorConsent(deps, currentVisitor(request)) }),
  );

  app.post(
    '/consent',
    {
      config: { access: 'visitor', rateLimit: rateLimits.widgetConsent },
      schema: {
        tags,
        summary: 'Grant or withdraw an optional purpose; withdrawing "support" ends the chat session',
        body: Type.Object({ purpose: Type.Enum(['support', 'analytics']), granted: Type.Boolean() }),
        response: { 200: VisitorConsentView, ...errors(400, 401, 429) },
      },
    },
    async (request) => ({
      purposes: await changeVisitorConsent(deps, currentVisitor(request), request.body.purpose, request.body.granted),
    }),
  );

  app.get(
    '/export',
    {
      config: { access: 'visitor', rateLimit: rateLimits.widgetExport },
      schema: {
        tags,
        summary: "A copy of the visitor's own data (the same archive agents export)",
        response: { 200: Type.Unsafe<unknown>({ type: 'string', format: 'binary' }), ...errors(401, 429) },
      },
    },
    async (request, reply) => {
      const visitor = currentVisitor(request);
      const { stream } = await exportContact(deps, visitor.contactId, { kind: 'visitor', id: visitor.contactId });
      return reply
        .type('application/zip')
        .header('content-disposition', 'attachment; filename="my-support-data.zip"')
        .send(stream);
    },
  );

  app.get(
    '/conversations/:id',
    {
      config: { access: 'visitor', rateLimit: rateLimits.widgetRead },
      schema: {
        tags,
        summary: 'One conversation, only if it is the visitor’s own',
        params: IdParams,
        response: { 200: VisitorHistoryView, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (request) => visitorConversation(deps, currentVisitor(request), request.params.id),
  );
};
