import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  IdParams,
  LocaleSchema,
  VisitorConsentView,
  VisitorHistoryView,
  VisitorFilesRequest,
  VisitorMessageResult,
  VisitorSendRequest,
  VisitorSessionRequest,
  VisitorSessionView,
  WidgetConfigView,
  download,
  errors,
  rateLimits,
  type VisitorDesk,
} from '../../server/channel-port.ts';

const tags = ['widget'];

/**
 * The chat widget's HTTP API, mounted at /api/widget (its rating routes, an analytics concern, stay in
 * server/routes/analytics.ts). Everything a visitor does goes through the port's visitor desk; the same
 * operations over the /widget socket live in server/realtime.
 */
export const chatRoutes =
  (visitors: VisitorDesk, uploadBodyLimit: number): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/config',
      {
        config: { access: 'public', rateLimit: rateLimits.widgetRead },
        schema: {
          tags,
          summary: 'What the widget shows before anything is stored: inbox name, greeting and the consent notice',
          querystring: Type.Object({ inbox: Type.String({ format: 'uuid' }), locale: Type.Optional(LocaleSchema) }),
          response: { 200: WidgetConfigView, ...errors(400, 404, 429) },
        },
      },
      async (request) => visitors.config(request.query.inbox, request.query.locale),
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
      async (request, reply) => reply.status(201).send(await visitors.startSession(request.body)),
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
      async (request) => visitors.history(visitors.current(request)),
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
        reply.status(201).send({ message: await visitors.send(visitors.current(request), request.body) }),
    );

    app.post(
      '/files',
      {
        config: { access: 'visitor', rateLimit: rateLimits.widgetMessage },
        bodyLimit: uploadBodyLimit,
        schema: {
          tags,
          summary:
            'Send a message with files as the visitor (base64 in JSON; size, count and type limits from ' +
            'UPLOAD_*; executables refused by their bytes: 415); clientId makes retries idempotent',
          body: VisitorFilesRequest,
          response: { 201: VisitorMessageResult, ...errors(400, 401, 413, 415, 429) },
        },
      },
      async (request, reply) =>
        reply.status(201).send({ message: await visitors.send(visitors.current(request), request.body) }),
    );

    app.get(
      '/consent',
      {
        config: { access: 'visitor', rateLimit: rateLimits.widgetRead },
        schema: {
          tags,
          summary: "The visitor's current consent per purpose",
          querystring: Type.Object({ locale: Type.Optional(LocaleSchema) }),
          response: { 200: VisitorConsentView, ...errors(401, 429) },
        },
      },
      async (request) => ({ purposes: await visitors.consent(visitors.current(request), request.query.locale) }),
    );

    app.post(
      '/consent',
      {
        config: { access: 'visitor', rateLimit: rateLimits.widgetConsent },
        schema: {
          tags,
          summary: 'Grant or withdraw an optional purpose; withdrawing "support" ends the chat session',
          body: Type.Object({
            purpose: Type.Enum(['support', 'analytics']),
            granted: Type.Boolean(),
            /** The language the visitor reads the widget in (the ledger records that language's notice). */
            language: Type.Optional(LocaleSchema),
          }),
          response: { 200: VisitorConsentView, ...errors(400, 401, 429) },
        },
      },
      async (request) => ({
        purposes: await visitors.changeConsent(
          visitors.current(request),
          request.body.purpose,
          request.body.granted,
          request.body.language,
        ),
      }),
    );

    app.get(
      '/export',
      {
        config: { access: 'visitor', rateLimit: rateLimits.widgetExport },
        schema: {
          tags,
          summary:
            "The visitor's own copy: what they and the company said to each other and the data about them " +
            '(no internal notes, timeline or bot internals; staff by display name only)',
          response: { 200: download('ZIP archive of the visitor’s own data', 'application/zip'), ...errors(401, 429) },
        },
      },
      async (request, reply) => {
        const stream = await visitors.exportOwnData(visitors.current(request));
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
      async (request) => visitors.conversation(visitors.current(request), request.params.id),
    );
  };
