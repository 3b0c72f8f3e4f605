import type { FastifyRequest } from 'fastify';
import { isLocale, type Locale } from '../../web/i18n/index.ts';
import {
  SERVER_ERROR_CODES,
  SERVER_ERROR_PARAM_CODES,
  serverErrorsTranslator,
  serverPrivacyTranslator,
} from '../../web/i18n/server-catalog.ts';
import type { ErrorParams } from '../domain/errors.ts';
import { acceptedLocale } from './accept-language.ts';

/** The public request page's refusals, in the words the page itself shows (server-privacy: request.page.*). */
const REQUEST_PAGE_WORDS: Readonly<Record<string, string>> = {
  invalid_identity: 'invalidIdentity',
  invalid_phone: 'invalidPhone',
  not_mobile: 'notMobile',
  sms_unavailable: 'smsUnavailable',
  slack_unavailable: 'slackUnavailable',
  code_invalid: 'invalid',
};

/**
 * The language of whoever reads an error: on a public route, the language the person chose in the request's body;
 * a signed-in agent's stored preference; else Accept-Language. A caller with an API token is a program: only its
 * Accept-Language counts (no header: English), never the preference of the admin who created the token.
 */
export function errorLocale(request: FastifyRequest): Locale {
  const language = (request.body as { language?: unknown } | undefined)?.language;
  if (request.routeOptions.config?.access === 'public' && typeof language === 'string' && isLocale(language))
    return language;
  if (!request.apiTokenId && isLocale(request.agent?.locale)) return request.agent.locale;
  return acceptedLocale(request.headers['accept-language']);
}

const icuValues = (params: ErrorParams) =>
  Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));

/**
 * An error's message for a person, in their language, for the codes people meet outside the inbox and the widget
 * (which word codes themselves): the public request page's API, API tokens, provider webhooks and settings, rate
 * limits. Null for English (the server's own message) and for any other code. The `code` stays what programs read.
 */
export function wordError(
  request: FastifyRequest,
  code: string,
  params: ErrorParams | undefined,
): { message: string; locale: Locale } | null {
  const locale = errorLocale(request);
  if (locale === 'en') return null;
  const page = REQUEST_PAGE_WORDS[code];
  if (page) return { message: serverPrivacyTranslator(locale)(`request.page.${page}`), locale };
  const t = serverErrorsTranslator(locale);
  if (params && SERVER_ERROR_PARAM_CODES.has(code)) return { message: t(`params.${code}`, icuValues(params)), locale };
  if (SERVER_ERROR_CODES.has(code)) return { message: t(`code.${code}`), locale };
  return null;
}
