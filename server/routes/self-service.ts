import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { download, errors } from '../http/common.ts';
import { rateLimits } from '../http/rate-limits.ts';
import { currentVisitor } from '../plugins/auth.ts';
import type { Config } from '../config.ts';
import { consentPurposes } from '../../drizzle/schema/enums.ts';
import { customerMailer, customerTexter, type SystemSmsDeps } from '../privacy/customer-mail.ts';
import { outcomeRecipient } from '../privacy/request-notify.ts';
import {
  codeEvidence,
  invalidSession,
  requestSession,
  verifiedMailbox,
  type VerifiedSession,
} from '../privacy/request-codes.ts';
import {
  confirmCorrection,
  deliverCopy,
  openDownload,
  requestCorrection,
  requestErasure,
  type Requester,
  type SelfServiceDeps,
} from '../privacy/self-service.ts';
import { changeConsentByCode, consentLines } from '../privacy/self-service-consent.ts';
import type { NoticesDeps } from '../privacy/notice.ts';
import { visitorLanguage } from '../domain/widget.ts';
import { asRequestLanguage } from '../privacy/request-texts.ts';
import type { RequestRoutesDeps } from './privacy-requests.ts';
import { LanguageSchema } from '../http/views/privacy-requests.ts';

const tags = ['privacy'];
export type SelfServiceRoutesDeps = RequestRoutesDeps &
  NoticesDeps &
  SystemSmsDeps & { config: Pick<Config, 'publicUrl'> };

const CopyView = Type.Object({
  requestId: Type.String({ format: 'uuid' }),
  url: Type.String({ description: 'the download link; it carries a random token only, never personal data' }),
  expiresAt: Type.String({ format: 'date-time' }),
  mailed: Type.Boolean({
    description: 'whether the link was also mailed to the verified address (only when the code went by mail)',
  }),
});
const CorrectionBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    email: Type.Optional(Type.String({ maxLength: 320 })),
    phone: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);
const CorrectionView = Type.Object({
  requestId: Type.String({ format: 'uuid' }),
  applied: Type.Array(Type.Literal('name')),
  pending: Type.Array(Type.Object({ id: Type.String({ format: 'uuid' }), field: Type.Enum(['email', 'phone']) }), {
    description: 'changes waiting for the code sent to the new address or number',
  }),
});
const ConfirmParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const ConfirmBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 12 }) });
const ConfirmView = Type.Object({ applied: Type.Enum(['email', 'phone']) });
const ErasureFiledView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  dueAt: Type.String({ format: 'date-time' }),
  answeredVia: Type.Union([Type.Enum(['email', 'sms', 'slack']), Type.Null()], {
    description:
      'how the outcome will reach you, from what is on file now: by mail, text message or Slack; null when we ' +
      'have no address or number to send it to (or your number texted STOP): add an email address to be told',
  }),
});
const PurposeSchema = Type.Enum([...consentPurposes]);
const SessionConsentView = Type.Object({
  purposes: Type.Array(
    Type.Object({
      purpose: PurposeSchema,
      label: Type.Union([Type.String(), Type.Null()]),
      granted: Type.Boolean(),
      occurredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      canGrant: Type.Boolean({ description: 'false where no notice text exists to grant it against' }),
    }),
  ),
});

export function selfServiceDeps(deps: SelfServiceRoutesDeps, log: FastifyRequest['log']): SelfServiceDeps {
  return {
    ...deps,
    publicUrl: deps.config.publicUrl,
    sendMail: customerMailer(deps, log),
    sms: customerTexter(deps, log),
  };
}

/**
 * Self-service on the public request page's API, as the person verified by a one-time code
 * (Authorization: Bearer <token from /verify>), and the download of a copy by its link.
 */
export const publicSelfServiceRoutes: FastifyPluginAsyncTypebox<{ deps: SelfServiceRoutesDeps }> = async (
  app,
  { deps },
) => {
  const self = selfServiceDeps(deps, app.log);
  const session = async (request: FastifyRequest): Promise<VerifiedSession> => {
    const auth = request.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ')) throw invalidSession();
    return requestSession(deps, auth.slice('Bearer '.length));
  };
  const requester = (s: VerifiedSession): Requester => ({
    contactId: s.contactId,
    source: 'request_page',
    language: s.language,
    verification: codeEvidence(s),
  });
  const verified = { config: { access: 'public' as const, rateLimit: rateLimits.requestFile } };
  const security = [{ requestToken: [] }];

  app.post(
    '/copy',
    {
      ...verified,
      schema: {
        tags,
        security,
        summary: `A copy of your data: files an access request and answers it with a download link valid 7 days, also
          mailed to the verified address`.replace(/\s+/g, ' '),
        response: { 201: CopyView, ...errors(401, 429) },
      },
    },
    async (request, reply) => {
      const s = await session(request);
      return reply.status(201).send(await deliverCopy(self, requester(s), await verifiedMailbox(deps.db, s)));
    },
  );

  app.post(
    '/correction',
    {
      ...verified,
      schema: {
        tags,
        security,
        summary:
          'Correct your name, email or phone: the name changes at once; a new email or phone gets a code and ' +
          'changes only once the code is confirmed',
        body: CorrectionBody,
        response: { 201: CorrectionView, ...errors(400, 401, 409, 429) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await requestCorrection(self, requester(await session(request)), request.body)),
  );

  app.post(
    '/correction/:id/confirm',
    {
      config: { access: 'public', rateLimit: rateLimits.requestVerify },
      schema: {
        tags,
        security,
        summary: 'Confirm a new email address or phone number with the code sent to it; then it is applied',
        params: ConfirmParams,
        body: ConfirmBody,
        response: { 200: ConfirmView, ...errors(400, 401, 429) },
      },
    },
    async (request) => {
      const s = await session(request);
      const { field } = await confirmCorrection(self, s.contactId, request.params.id, request.body.code);
      return { applied: field };
    },
  );

  app.get(
    '/consent',
    {
      ...verified,
      schema: {
        tags,
        security,
        summary: 'Your consent per purpose, as the ledger records it',
        response: { 200: SessionConsentView, ...errors(401, 429) },
      },
    },
    async (request) => {
      const s = await session(request);
      return { purposes: await consentLines(deps, s.contactId, s.language) };
    },
  );

  app.post(
    '/consent',
    {
      ...verified,
      schema: {
        tags,
        security,
        summary: 'Grant or withdraw a consent; recorded in the ledger with the verification as evidence',
        body: Type.Object({ purpose: PurposeSchema, granted: Type.Boolean() }),
        response: { 200: SessionConsentView, ...errors(400, 401, 429) },
      },
    },
    async (request) => {
      const s = await session(request);
      await changeConsentByCode(deps, s, request.body.purpose, request.body.granted);
      return { purposes: await consentLines(deps, s.contactId, s.language) };
    },
  );

  app.get(
    '/download/:token',
    {
      config: { access: 'public', rateLimit: rateLimits.widgetExport },
      schema: {
        tags,
        summary: 'The copy behind a download link (404 for an unknown link, 410 once it has expired); audited',
        params: Type.Object({ token: Type.String({ minLength: 20, maxLength: 100 }) }),
        response: { 200: download('ZIP archive of your data', 'application/zip'), ...errors(400, 404, 410, 429) },
      },
    },
    async (request, reply) => {
      const stream = await openDownload(self, request.params.token);
      return reply
        .type('application/zip')
        .header('content-disposition', 'attachment; filename="my-support-data.zip"')
        .header('cache-control', 'no-store')
        .send(stream);
    },
  );
};

/** The same self-service from the widget's privacy panel, as the visitor of the token: /api/widget/privacy. */
export const widgetSelfServiceRoutes: FastifyPluginAsyncTypebox<{ deps: SelfServiceRoutesDeps }> = async (
  app,
  { deps },
) => {
  const self = selfServiceDeps(deps, app.log);
  const requester = async (request: FastifyRequest): Promise<Requester> => {
    const visitor = currentVisitor(request);
    // The language the widget is read in now, else the one of the notice the visitor accepted.
    const asked = (request.query as { language?: string } | undefined)?.language;
    const language = asRequestLanguage(asked ?? (await visitorLanguage(deps, visitor)));
    return {
      contactId: visitor.contactId,
      source: 'widget',
      language,
      verification: { method: 'visitor_token', verifiedAt: deps.clock().toISOString() },
    };
  };
  const visitor = { config: { access: 'visitor' as const, rateLimit: rateLimits.widgetExport } };
  const querystring = Type.Object({ language: Type.Optional(LanguageSchema) });

  app.post(
    '/copy',
    {
      ...visitor,
      schema: {
        tags: ['widget'],
        querystring,
        summary: 'A copy of your data as a download link valid 7 days (an access request on the desk, answered)',
        response: { 201: CopyView, ...errors(401, 429) },
      },
    },
    async (request, reply) => reply.status(201).send(await deliverCopy(self, await requester(request), null)),
  );

  app.post(
    '/correction',
    {
      ...visitor,
      schema: {
        tags: ['widget'],
        querystring,
        summary: 'Correct your name, email or phone; a new email or phone is applied once its code is confirmed',
        body: CorrectionBody,
        response: { 201: CorrectionView, ...errors(400, 401, 409, 429) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await requestCorrection(self, await requester(request), request.body)),
  );

  app.post(
    '/correction/:id/confirm',
    {
      config: { access: 'visitor', rateLimit: rateLimits.requestVerify },
      schema: {
        tags: ['widget'],
        summary: 'Confirm a new email address or phone number with the code sent to it',
        params: ConfirmParams,
        body: ConfirmBody,
        response: { 200: ConfirmView, ...errors(400, 401, 429) },
      },
    },
    async (request) => {
      const { contactId } = currentVisitor(request);
      const { field } = await confirmCorrection(self, contactId, request.params.id, request.body.code);
      return { applied: field };
    },
  );

  app.post(
    '/erasure',
    {
      ...visitor,
      schema: {
        tags: ['widget'],
        querystring,
        summary:
          'Ask for your data to be erased: an admin decides, and you are told the outcome in your language, on the ' +
          'channel answeredVia names',
        response: { 201: ErasureFiledView, ...errors(401, 429) },
      },
    },
    async (request, reply) => {
      const filed = await requestErasure(self, await requester(request));
      const recipient = await outcomeRecipient({ db: deps.db, sms: customerTexter(deps, app.log) }, filed.id);
      return reply.status(201).send({ ...filed, answeredVia: 'to' in recipient ? recipient.via : null });
    },
  );
};
