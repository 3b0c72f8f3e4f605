import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { DomainError } from '../domain/errors.ts';
import { rateLimits } from '../http/rate-limits.ts';
import { codeEvidence, requestSession, type RequestCodeDeps, type VerifiedSession } from '../privacy/request-codes.ts';
import {
  confirmForm,
  correctionError,
  noteHtml,
  parsePending,
  purposeLabel,
  type PageNote,
} from '../privacy/request-forms-html.ts';
import { renderRequestPage } from '../privacy/request-page-html.ts';
import { asRequestLanguage, type RequestLanguage } from '../privacy/request-texts.ts';
import { changeConsentByCode, consentLines } from '../privacy/self-service-consent.ts';
import {
  confirmCorrection,
  requestCorrection,
  type Correction,
  type SelfServiceDeps,
} from '../privacy/self-service.ts';
import { requestFormsTranslator } from '../../web/i18n/server-catalog.ts';
import { consentPurposes, type ConsentPurpose } from '../../drizzle/schema/enums.ts';
import type { SelfServiceRoutesDeps } from './self-service.ts';

type Form = Record<string, string | undefined>;

export type RequestFormRoutesOptions = {
  deps: SelfServiceRoutesDeps;
  codeDeps: Pick<RequestCodeDeps, 'db' | 'clock'>;
  self: SelfServiceDeps;
  html: (reply: FastifyReply, page: string) => unknown;
  choosePage: (language: RequestLanguage, token: string, session: VerifiedSession, note?: PageNote) => Promise<string>;
  /** The first step again, with the note that the verification has expired. */
  startPage: (language: RequestLanguage, error: true) => Promise<string>;
};

/**
 * The request page's correction and consent forms (/privacy/request/correction, .../correction/confirm,
 * .../consent): the same operations as the API's /correction and /consent, as plain HTML form posts, for the
 * person verified by a one-time code. Refusals come back as the page with the reason in their language.
 */
export const requestFormRoutes: FastifyPluginAsync<RequestFormRoutesOptions> = async (app, options) => {
  const { deps, codeDeps, self, html, choosePage, startPage } = options;
  // Hidden from the API document (HTML pages); the security names what they need: the verified session's token,
  // which these forms carry as a hidden field (the access matrix test expects 401 without one).
  const hide = { hide: true, security: [{ requestToken: [] }] };
  const expired = async (reply: FastifyReply, language: RequestLanguage, session: null | undefined) =>
    html(reply.status(session === null ? 401 : 400), await startPage(language, true));
  const requester = (s: VerifiedSession, language: RequestLanguage) => ({
    contactId: s.contactId,
    source: 'request_page' as const,
    language,
    verification: codeEvidence(s),
  });
  /** The session of the form's token, or null once it has expired (the caller shows the start page). */
  const sessionOf = async (form: Form) => {
    // A form without its token is not one of ours (400, below); a token that no longer opens a session is 401.
    if (!form.token) return undefined;
    try {
      return await requestSession(codeDeps, form.token ?? '');
    } catch (err) {
      if (err instanceof DomainError) return null;
      throw err;
    }
  };
  const refusal = (err: unknown, language: RequestLanguage): PageNote => {
    const text = err instanceof DomainError ? correctionError(language, err.code) : null;
    if (!text) throw err;
    return { kind: 'error', text };
  };

  app.post(
    '/correction',
    { config: { access: 'public', rateLimit: rateLimits.requestFile }, schema: hide },
    async (request, reply) => {
      const form = (request.body ?? {}) as Form;
      const language = asRequestLanguage(form.language);
      const session = await sessionOf(form);
      if (!session) return expired(reply, language, session);
      const token = form.token!;
      // Empty fields are the ones that stay as they are.
      const input: Correction = {};
      for (const key of ['name', 'email', 'phone'] as const)
        if (form[key]?.trim()) input[key] = form[key]!.slice(0, 320);
      try {
        const result = await requestCorrection(self, requester(session, language), input);
        const t = requestFormsTranslator(language);
        if (!result.pending.length)
          return html(
            reply.status(201),
            await choosePage(language, token, session, { kind: 'done', text: t('correction.done') }),
          );
        const note = result.applied.length ? noteHtml({ kind: 'done', text: t('correction.nameDone') }) : '';
        const body = note + confirmForm(language, token, result.pending);
        return html(reply.status(201), renderRequestPage(language, { step: 'forms', body }));
      } catch (err) {
        if (err instanceof DomainError && err.statusCode === 401) return expired(reply, language, null);
        return html(reply.status(400), await choosePage(language, token, session, refusal(err, language)));
      }
    },
  );

  app.post(
    '/correction/confirm',
    { config: { access: 'public', rateLimit: rateLimits.requestVerify }, schema: hide },
    async (request, reply) => {
      const form = (request.body ?? {}) as Form;
      const language = asRequestLanguage(form.language);
      const session = await sessionOf(form);
      if (!session) return expired(reply, language, session);
      const token = form.token!;
      const pending = parsePending(form.pending);
      const [first, ...rest] = pending;
      if (!first) return html(reply.status(400), await choosePage(language, token, session));
      try {
        await confirmCorrection(self, session.contactId, first.id, (form.code ?? '').slice(0, 12));
      } catch (err) {
        const body = noteHtml(refusal(err, language)) + confirmForm(language, token, pending);
        return html(reply.status(400), renderRequestPage(language, { step: 'forms', body }));
      }
      if (rest.length)
        return html(reply, renderRequestPage(language, { step: 'forms', body: confirmForm(language, token, rest) }));
      const done = requestFormsTranslator(language)('correction.done');
      return html(reply, await choosePage(language, token, session, { kind: 'done', text: done }));
    },
  );

  app.post(
    '/consent',
    { config: { access: 'public', rateLimit: rateLimits.requestFile }, schema: hide },
    async (request, reply) => {
      const form = (request.body ?? {}) as Form;
      const language = asRequestLanguage(form.language);
      const session = await sessionOf(form);
      if (!session) return expired(reply, language, session);
      const token = form.token!;
      const purpose = form.purpose as ConsentPurpose;
      if (!consentPurposes.includes(purpose) || !['true', 'false'].includes(form.granted ?? ''))
        return html(reply.status(400), await choosePage(language, token, session));
      const granted = form.granted === 'true';
      try {
        await changeConsentByCode(deps, { ...session, language }, purpose, granted);
      } catch (err) {
        return html(reply.status(400), await choosePage(language, token, session, refusal(err, language)));
      }
      const line = (await consentLines(deps, session.contactId, language)).find((l) => l.purpose === purpose);
      const text = requestFormsTranslator(language)(granted ? 'consent.savedGranted' : 'consent.savedWithdrawn', {
        purpose: purposeLabel(language, { purpose, label: line?.label ?? null }),
      });
      return html(reply, await choosePage(language, token, session, { kind: 'done', text }));
    },
  );
};
