import type { FastifyPluginAsync } from 'fastify';
import { DomainError } from '../domain/errors.ts';
import { rateLimits } from '../http/rate-limits.ts';
import { fileRequest } from '../privacy/request-desk.ts';
import {
  codeEvidence,
  requestSession,
  sendRequestCode,
  verifiedMailbox,
  verifyRequestCode,
  type VerifiedSession,
} from '../privacy/request-codes.ts';
import { consentForms, correctionForm, noteHtml, type PageNote } from '../privacy/request-forms-html.ts';
import { consentLines } from '../privacy/self-service-consent.ts';
import { requestFormRoutes } from './request-page-forms.ts';
import { selfServiceDeps } from './self-service.ts';
import { requestCodeDeps } from '../privacy/customer-mail.ts';
import { renderRequestPage, type StartError } from '../privacy/request-page-html.ts';
import { asRequestLanguage, type RequestLanguage } from '../privacy/request-texts.ts';
import { renderTransparencyHtml, transparencyFacts, type TransparencyDeps } from '../privacy/transparency.ts';
import { renderAccessibilityStatement } from '../privacy/accessibility-statement.ts';
import type { Config } from '../config.ts';
import { privacyRequestKinds, type PrivacyRequestKind } from '../../drizzle/schema/privacy-requests.ts';
import { deliverCopy } from '../privacy/self-service.ts';
import type { SelfServiceRoutesDeps } from './self-service.ts';

type Form = Record<string, string | undefined>;
const START_ERRORS: readonly string[] = [
  'invalid_identity',
  'invalid_phone',
  'not_mobile',
  'sms_unavailable',
  'slack_unavailable',
] satisfies StartError[];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The public request page's HTML steps (/privacy/request): the same operations as /api/public/privacy-requests,
 * answered as pages, for people without the widget (email, phone, SMS and Slack customers).
 */
export const requestPageRoutes: FastifyPluginAsync<{ deps: SelfServiceRoutesDeps }> = async (app, { deps }) => {
  // Plain HTML forms post urlencoded; only these routes (this plugin's scope) accept it.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 4096 },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  const codeDeps = requestCodeDeps(deps, app.log);
  const html = (reply: { type(t: string): { send(b: string): unknown } }, page: string) =>
    reply.type('text/html; charset=utf-8').send(page);
  /** The first step, naming the ways this server can send a code; `error`: why the last try did not get one. */
  const startPage = async (language: RequestLanguage, error?: true | StartError, typed?: string) =>
    renderRequestPage(language, {
      step: 'start',
      channels: {
        sms: await codeDeps.sms.available(),
        slack: codeDeps.slack.available(),
        phoneRegion: deps.config.phoneRegion,
      },
      error,
      typed,
    });
  const hide = { hide: true };
  /** The choice of requests, with the correction and consent forms (and a note on what just happened). */
  const choosePage = async (language: RequestLanguage, token: string, session: VerifiedSession, note?: PageNote) =>
    renderRequestPage(language, {
      step: 'choose',
      token,
      before: noteHtml(note),
      after:
        correctionForm(language, token) +
        consentForms(language, token, await consentLines(deps, session.contactId, language)),
    });

  app.get(
    '/',
    { config: { access: 'public', rateLimit: rateLimits.widgetRead }, schema: hide },
    async (request, reply) => {
      const language = asRequestLanguage((request.query as Form).lang ?? request.headers['accept-language']);
      return html(reply, await startPage(language));
    },
  );

  app.post(
    '/code',
    { config: { access: 'public', rateLimit: rateLimits.requestCode }, schema: hide },
    async (request, reply) => {
      const form = (request.body ?? {}) as Form;
      const language = asRequestLanguage(form.language);
      const address = (form.address ?? '').slice(0, 320);
      try {
        const { challengeId, via } = await sendRequestCode(codeDeps, address, language);
        return html(reply, renderRequestPage(language, { step: 'code', challengeId, via }));
      } catch (err) {
        // Refusals that depend only on what was typed and what this server can send (never on who is on file).
        if (!(err instanceof DomainError) || !START_ERRORS.includes(err.code as StartError)) throw err;
        return html(reply.status(err.statusCode), await startPage(language, err.code as StartError, address));
      }
    },
  );

  app.post(
    '/verify',
    { config: { access: 'public', rateLimit: rateLimits.requestVerify }, schema: hide },
    async (request, reply) => {
      const form = (request.body ?? {}) as Form;
      const language = asRequestLanguage(form.language);
      if (!UUID.test(form.challengeId ?? '')) return html(reply, await startPage(language, true));
      try {
        const { token } = await verifyRequestCode(codeDeps, form.challengeId!, (form.code ?? '').slice(0, 12));
        return html(reply, await choosePage(language, token, await requestSession(codeDeps, token)));
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        return html(reply.status(400), await startPage(language, true));
      }
    },
  );

  const forms = { deps, codeDeps, self: selfServiceDeps(deps, app.log), html, choosePage, startPage };
  await app.register(requestFormRoutes, forms);

  app.post(
    '/file',
    { config: { access: 'public', rateLimit: rateLimits.requestFile }, schema: hide },
    async (request, reply) => {
      const form = (request.body ?? {}) as Form;
      const language = asRequestLanguage(form.language);
      const kind = form.kind as PrivacyRequestKind;
      if (!privacyRequestKinds.includes(kind)) return html(reply.status(400), await startPage(language, true));
      try {
        const session = await requestSession(codeDeps, form.token ?? '');
        if (kind === 'access') {
          // A copy needs no decision: it is answered at once with an expiring link (also mailed when the code was).
          const copy = await deliverCopy(
            { ...deps, publicUrl: deps.config.publicUrl, sendMail: codeDeps.sendMail },
            { contactId: session.contactId, source: 'request_page', language, verification: codeEvidence(session) },
            await verifiedMailbox(deps.db, session),
          );
          return html(
            reply.status(201),
            renderRequestPage(language, { step: 'copy', url: copy.url, expiresAt: new Date(copy.expiresAt) }),
          );
        }
        const filed = await fileRequest(
          deps,
          {
            contactId: session.contactId,
            kind,
            source: 'request_page',
            language,
            verification: codeEvidence(session),
          },
          { actorKind: 'visitor', actorId: null },
        );
        return html(reply.status(201), renderRequestPage(language, { step: 'filed', dueAt: new Date(filed.dueAt) }));
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        return html(reply.status(401), await startPage(language, true));
      }
    },
  );
};

/** The transparency page (GET /privacy?lang=de), generated from the catalog and the configuration. */
export const transparencyRoutes: FastifyPluginAsync<{ deps: TransparencyDeps }> = async (app, { deps }) => {
  app.get(
    '/privacy',
    { config: { access: 'public', rateLimit: rateLimits.widgetRead }, schema: { hide: true } },
    async (request, reply) => {
      const language = asRequestLanguage((request.query as Form).lang ?? request.headers['accept-language']);
      const page = renderTransparencyHtml(language, await transparencyFacts(deps, language));
      return reply.type('text/html; charset=utf-8').header('content-language', language).send(page);
    },
  );
};

/** The accessibility statement (GET /accessibility?lang=fi), linked from the widget and the transparency page. */
export const accessibilityRoutes: FastifyPluginAsync<{
  deps: { config: Pick<Config, 'controllerName' | 'controllerContact'> };
}> = async (app, { deps }) => {
  app.get(
    '/accessibility',
    { config: { access: 'public', rateLimit: rateLimits.widgetRead }, schema: { hide: true } },
    async (request, reply) => {
      const language = asRequestLanguage((request.query as Form).lang ?? request.headers['accept-language']);
      const page = renderAccessibilityStatement(language, {
        controller: deps.config.controllerName,
        contact: deps.config.controllerContact ?? null,
      });
      return reply.type('text/html; charset=utf-8').header('content-language', language).send(page);
    },
  );
};
