import type { FastifyPluginAsync } from 'fastify';
import { DomainError } from '../domain/errors.ts';
import { rateLimits } from '../http/rate-limits.ts';
import { fileRequest } from '../privacy/request-desk.ts';
import { requestSession, sendRequestCode, verifyRequestCode, type VerifiedSession } from '../privacy/request-codes.ts';
import { consentForms, correctionForm, noteHtml, type PageNote } from '../privacy/request-forms-html.ts';
import { consentLines } from '../privacy/self-service-consent.ts';
import { requestFormRoutes } from './request-page-forms.ts';
import { selfServiceDeps } from './self-service.ts';
import { customerMailer } from '../privacy/customer-mail.ts';
import { renderRequestPage } from '../privacy/request-page-html.ts';
import { asRequestLanguage, type RequestLanguage } from '../privacy/request-texts.ts';
import { renderTransparencyHtml, transparencyFacts, type TransparencyDeps } from '../privacy/transparency.ts';
import { renderAccessibilityStatement } from '../privacy/accessibility-statement.ts';
import type { Config } from '../config.ts';
import { privacyRequestKinds, type PrivacyRequestKind } from '../../drizzle/schema/privacy-requests.ts';
import { contactIdentities } from '../../drizzle/schema/index.ts';
import { eq } from 'drizzle-orm';
import { deliverCopy } from '../privacy/self-service.ts';
import type { SelfServiceRoutesDeps } from './self-service.ts';

type Form = Record<string, string | undefined>;
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
  const codeDeps = { db: deps.db, clock: deps.clock, sendMail: customerMailer(deps, app.log) };
  const html = (reply: { type(t: string): { send(b: string): unknown } }, page: string) =>
    reply.type('text/html; charset=utf-8').send(page);
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
      return html(reply, renderRequestPage(language, { step: 'start' }));
    },
  );

  app.post(
    '/code',
    { config: { access: 'public', rateLimit: rateLimits.requestCode }, schema: hide },
    async (request, reply) => {
      const form = (request.body ?? {}) as Form;
      const language = asRequestLanguage(form.language);
      const address = (form.address ?? '').slice(0, 320);
      if (address.length < 3) return html(reply, renderRequestPage(language, { step: 'start', error: true }));
      const { challengeId } = await sendRequestCode(codeDeps, address, language);
      return html(reply, renderRequestPage(language, { step: 'code', challengeId }));
    },
  );

  app.post(
    '/verify',
    { config: { access: 'public', rateLimit: rateLimits.requestVerify }, schema: hide },
    async (request, reply) => {
      const form = (request.body ?? {}) as Form;
      const language = asRequestLanguage(form.language);
      if (!UUID.test(form.challengeId ?? ''))
        return html(reply, renderRequestPage(language, { step: 'start', error: true }));
      try {
        const { token } = await verifyRequestCode(codeDeps, form.challengeId!, (form.code ?? '').slice(0, 12));
        return html(reply, await choosePage(language, token, await requestSession(codeDeps, token)));
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        return html(reply.status(400), renderRequestPage(language, { step: 'start', error: true }));
      }
    },
  );

  const forms = { deps, codeDeps, self: selfServiceDeps(deps, app.log), html, choosePage };
  await app.register(requestFormRoutes, forms);

  app.post(
    '/file',
    { config: { access: 'public', rateLimit: rateLimits.requestFile }, schema: hide },
    async (request, reply) => {
      const form = (request.body ?? {}) as Form;
      const language = asRequestLanguage(form.language);
      const kind = form.kind as PrivacyRequestKind;
      if (!privacyRequestKinds.includes(kind))
        return html(reply.status(400), renderRequestPage(language, { step: 'start', error: true }));
      try {
        const session = await requestSession(codeDeps, form.token ?? '');
        if (kind === 'access') {
          // A copy needs no decision: it is answered at once with an expiring link (also mailed).
          const [identity] = await deps.db
            .select({ address: contactIdentities.address })
            .from(contactIdentities)
            .where(eq(contactIdentities.id, session.identityId));
          const copy = await deliverCopy(
            { ...deps, publicUrl: deps.config.publicUrl, sendMail: codeDeps.sendMail },
            {
              contactId: session.contactId,
              source: 'request_page',
              language,
              verification: {
                method: 'email_code',
                identityId: session.identityId,
                codeId: session.codeId,
                verifiedAt: session.verifiedAt.toISOString(),
              },
            },
            identity?.address ?? null,
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
            verification: {
              method: 'email_code',
              identityId: session.identityId,
              codeId: session.codeId,
              verifiedAt: session.verifiedAt.toISOString(),
            },
          },
          { actorKind: 'visitor', actorId: null },
        );
        return html(reply.status(201), renderRequestPage(language, { step: 'filed', dueAt: new Date(filed.dueAt) }));
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        return html(reply.status(401), renderRequestPage(language, { step: 'start', error: true }));
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
