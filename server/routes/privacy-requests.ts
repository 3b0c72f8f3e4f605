import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams, errors } from '../http/common.ts';
import { rateLimits } from '../http/rate-limits.ts';
import { currentAgent } from '../plugins/auth.ts';
import {
  AssignBody,
  CloseBody,
  ExtendBody,
  LanguageSchema,
  LogRequestBody,
  PrivacyRequestView,
  RequestKindSchema,
  RequestList,
} from '../http/views/privacy-requests.ts';
import {
  assignRequest,
  closeRequest,
  extendRequest,
  fileRequest,
  getRequest,
  listRequests,
  type RequestDeskDeps,
} from '../privacy/request-desk.ts';
import { codeEvidence, requestSession, sendRequestCode, verifyRequestCode } from '../privacy/request-codes.ts';
import {
  customerMailer,
  customerSlack,
  customerTexter,
  requestCodeDeps,
  type SystemMailDeps,
  type SystemSlackDeps,
  type SystemSmsDeps,
} from '../privacy/customer-mail.ts';
import type { Config } from '../config.ts';
import { outcomeRecipient, tellOutcome, type OutcomeSenders } from '../privacy/request-notify.ts';
import { invalidSession } from '../privacy/request-codes.ts';
import { eraseContact, type EraseDeps } from '../privacy/erase.ts';
import { LegalHoldError } from '../privacy/legal-holds.ts';
import { badRequest } from '../domain/errors.ts';
import { assertVisible } from '../domain/scope.ts';
import { contactAudit } from '../privacy/contact-audit.ts';
import { ContactAuditView } from '../http/views/privacy-requests.ts';
import type { RequestOutcome } from '../../drizzle/schema/privacy-requests.ts';

const tags = ['privacy'];
export type RequestRoutesDeps = RequestDeskDeps &
  SystemMailDeps &
  SystemSmsDeps &
  SystemSlackDeps &
  EraseDeps & { config: Pick<Config, 'phoneRegion' | 'publicUrl'> };

/** The admin's request desk: /api/privacy/requests. */
export const requestDeskRoutes: FastifyPluginAsyncTypebox<{ deps: RequestRoutesDeps }> = async (app, { deps }) => {
  const admin = { access: 'admin' as const };
  // The outcome goes where the person verified: by mail, by SMS or as a Slack direct message.
  const senders: OutcomeSenders = {
    db: deps.db,
    clock: deps.clock,
    sendMail: customerMailer(deps, app.log),
    sms: customerTexter(deps, app.log),
    slack: customerSlack(deps, app.log),
    publicUrl: deps.config.publicUrl,
  };
  const actorOf = (request: Parameters<typeof currentAgent>[0]) => ({
    actorKind: 'agent' as const,
    actorId: currentAgent(request).id,
  });
  const One = Type.Object({ request: PrivacyRequestView });

  app.get(
    '/',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Data-subject requests, open ones first (most overdue on top), with open, overdue and median days',
        response: { 200: RequestList, ...errors(401, 403) },
      },
    },
    async () => listRequests(deps),
  );

  app.post(
    '/',
    {
      // Any agent logs what a customer asked them; deciding it stays with the admins.
      config: { access: 'agent' },
      schema: {
        tags,
        summary:
          'Log a request a person made to an agent (by phone, in a mail): when and how it came, how their identity ' +
          'was checked, a staff note; any agent who sees the contact; admins decide it',
        body: LogRequestBody,
        response: { 201: One, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const agent = currentAgent(request);
      const { contactId, kind, language, fields, verifiedHow, channel, note } = request.body;
      await assertVisible(deps.db, agent.inboxIds, 'contact', contactId);
      const filed = await fileRequest(
        deps,
        {
          contactId,
          kind,
          source: 'agent',
          language,
          fields,
          loggedByAgentId: agent.id,
          receivedAt: request.body.receivedAt ? new Date(request.body.receivedAt) : undefined,
          channel,
          note,
          verification: { method: 'agent_statement', how: verifiedHow, verifiedAt: deps.clock().toISOString() },
        },
        actorOf(request),
      );
      return reply.status(201).send({ request: filed });
    },
  );

  app.post(
    '/:id/assign',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Assign the request to a colleague (null: nobody)',
        params: IdParams,
        body: AssignBody,
        response: { 200: One, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => ({
      request: await assignRequest(deps, request.params.id, request.body.assigneeId, actorOf(request)),
    }),
  );

  app.post(
    '/:id/extend',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Extend the deadline once by two months (Art. 12(3)), with the reason; 409 once extended or overdue',
        params: IdParams,
        body: ExtendBody,
        response: { 200: One, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => ({
      request: await extendRequest(deps, request.params.id, request.body.reason, actorOf(request)),
    }),
  );

  app.post(
    '/:id/erase',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'Decide an erasure request: erase the contact everywhere and close it with the receipt, or, while a legal ' +
          'hold binds the data, close it refused on that basis; the person is told either way, in their language, ' +
          'on the channel they verified with (mail, SMS or Slack direct message); `told` says whether they were',
        params: IdParams,
        body: Type.Object({ confirm: Type.Literal(true) }),
        response: {
          200: Type.Object({ request: PrivacyRequestView, told: Type.Boolean() }),
          ...errors(400, 401, 403, 404, 409, 502),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const filed = await getRequest(deps, id);
      if (filed.kind !== 'erasure') throw badRequest('not_erasure', 'Only an erasure request is decided here');
      if (!filed.contactId) throw badRequest('no_contact', 'The request names no contact');
      const recipient = await outcomeRecipient(senders, id);
      const actor = actorOf(request);
      let outcome: RequestOutcome;
      try {
        const receipt = await eraseContact(deps, filed.contactId, { kind: 'agent', id: actor.actorId });
        const rows = Object.values(receipt.database).reduce((a, b) => a + b, 0);
        outcome = {
          kind: 'fulfilled',
          produced: 'erasure_receipt',
          details: { auditEntryId: receipt.auditEntryId, rows, files: receipt.blobs },
        };
      } catch (err) {
        if (!(err instanceof LegalHoldError)) throw err;
        outcome = { kind: 'refused', basis: 'legal_hold' };
      }
      await closeRequest(deps, id, outcome, actor);
      const notice = await tellOutcome(senders, id, recipient, outcome);
      return { request: await getRequest(deps, id), told: notice?.told ?? false };
    },
  );

  app.post(
    '/:id/close',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'Close the request with its outcome (what it produced, or a refusal with its legal basis); the person ' +
          'is told in their language on the channel they verified with (mail, SMS or Slack direct message) or, ' +
          'without one, on an identity on file; `told` says whether they were, the request outcomeNotice how',
        params: IdParams,
        body: CloseBody,
        response: {
          200: Type.Object({ request: PrivacyRequestView, told: Type.Boolean() }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const recipient = await outcomeRecipient(senders, id);
      await closeRequest(deps, id, request.body.outcome, actorOf(request));
      const notice = await tellOutcome(senders, id, recipient, request.body.outcome);
      return { request: await getRequest(deps, id), told: notice?.told ?? false };
    },
  );
};

/** Who touched a person's data (admins): /api/privacy/contacts/:id/audit. */
export const contactAuditRoutes: FastifyPluginAsyncTypebox<{ deps: Pick<RequestRoutesDeps, 'db'> }> = async (
  app,
  { deps },
) => {
  app.get(
    '/:id/audit',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary:
          'Every audit entry about this contact, its conversations and messages: who (person or process), what, ' +
          'which fields, when; ids and field names only, never values',
        params: IdParams,
        response: { 200: ContactAuditView, ...errors(400, 401, 403) },
      },
    },
    async (request) => contactAudit(deps.db, request.params.id),
  );
};

/**
 * The public side, for customers of every channel: a one-time code to an identity on file (by mail, SMS or Slack
 * direct message), then a short session to file requests with. /api/public/privacy-requests.
 */
export const publicRequestRoutes: FastifyPluginAsyncTypebox<{ deps: RequestRoutesDeps }> = async (app, { deps }) => {
  const codeDeps = requestCodeDeps(deps, app.log);

  app.post(
    '/code',
    {
      config: { access: 'public', rateLimit: rateLimits.requestCode },
      schema: {
        tags,
        summary:
          'Send a one-time code to this email address, phone number or Slack member id if it is on file (the answer ' +
          'is the same either way): by mail, by SMS or as a Slack direct message; it expires after 15 minutes and ' +
          'allows five tries. 400 invalid_identity, invalid_phone or not_mobile, 409 sms_unavailable or ' +
          'slack_unavailable, whoever it names',
        body: Type.Object({
          address: Type.String({
            minLength: 3,
            maxLength: 320,
            description: 'an email address, a phone number (national numbers in PHONE_REGION) or a Slack member id',
          }),
          language: Type.Optional(LanguageSchema),
        }),
        response: {
          202: Type.Object({
            challengeId: Type.String({ format: 'uuid' }),
            via: Type.Enum(['email', 'email_or_slack', 'sms', 'slack'], {
              description: 'where to look for the code if the identity is on file (from what was typed, not who)',
            }),
          }),
          ...errors(400, 409, 429),
        },
      },
    },
    async (request, reply) =>
      reply.status(202).send(await sendRequestCode(codeDeps, request.body.address, request.body.language ?? 'en')),
  );

  app.post(
    '/verify',
    {
      config: { access: 'public', rateLimit: rateLimits.requestVerify },
      schema: {
        tags,
        summary: 'Check the code: a right one answers a token for 30 minutes of filing requests',
        body: Type.Object({
          challengeId: Type.String({ format: 'uuid' }),
          code: Type.String({ minLength: 1, maxLength: 12 }),
        }),
        response: {
          200: Type.Object({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }),
          ...errors(400, 429),
        },
      },
    },
    async (request) => {
      const { token, expiresAt } = await verifyRequestCode(codeDeps, request.body.challengeId, request.body.code);
      return { token, expiresAt: expiresAt.toISOString() };
    },
  );

  app.post(
    '/',
    {
      config: { access: 'public', rateLimit: rateLimits.requestFile },
      schema: {
        tags,
        summary: 'File a request as the verified person (Authorization: Bearer <token from /verify>)',
        security: [{ requestToken: [] }],
        body: Type.Object({
          kind: RequestKindSchema,
          fields: Type.Optional(Type.Array(Type.Enum(['name', 'email', 'phone']), { maxItems: 3 })),
        }),
        response: {
          201: Type.Object({ id: Type.String({ format: 'uuid' }), dueAt: Type.String({ format: 'date-time' }) }),
          ...errors(400, 401, 429),
        },
      },
    },
    async (request, reply) => {
      const auth = request.headers.authorization ?? '';
      if (!auth.startsWith('Bearer ')) throw invalidSession();
      const session = await requestSession(codeDeps, auth.slice('Bearer '.length));
      const filed = await fileRequest(
        deps,
        {
          contactId: session.contactId,
          kind: request.body.kind,
          source: 'request_page',
          language: session.language,
          fields: request.body.fields,
          verification: codeEvidence(session),
        },
        { actorKind: 'visitor', actorId: null },
      );
      return reply.status(201).send({ id: filed.id, dueAt: filed.dueAt });
    },
  );
};
