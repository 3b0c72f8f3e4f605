import {
  privacyRequestKinds,
  refusalBases,
  type PrivacyRequestKind,
  type RefusalBasis,
} from '../../drizzle/schema/privacy-requests.ts';
import { serverPrivacyTranslator } from '../../web/i18n/server-catalog.ts';

/**
 * Everything the request desk says to a customer, in the five languages of the product (English is the fallback).
 * The words live in the i18n catalog (namespace `server-privacy`, checked by test/unit/i18n-catalog.test.ts); this
 * module gives them the shape the request page and the mails use.
 */
export const requestLanguages = ['en', 'de', 'fr', 'fi', 'sv'] as const;
export type RequestLanguage = (typeof requestLanguages)[number];
export const asRequestLanguage = (tag: string | undefined): RequestLanguage => {
  const primary = (tag ?? '').toLowerCase().split(/[-_]/)[0];
  return (requestLanguages as readonly string[]).includes(primary ?? '') ? (primary as RequestLanguage) : 'en';
};

export type RequestTexts = {
  codeSubject: string;
  codeBody: (code: string, minutes: number) => string;
  /** The code by text message (one short line) and as a Slack direct message. */
  codeSms: (code: string, minutes: number) => string;
  codeSlack: (code: string, minutes: number) => string;
  kinds: Record<PrivacyRequestKind, string>;
  outcomeSubject: string;
  completed: (kind: string) => string;
  refused: (kind: string, basis: string) => string;
  bases: Record<RefusalBasis, string>;
  /** The transparency page's link under a refusal sent by SMS or Slack. */
  rightsLink: (url: string) => string;
  page: {
    title: string;
    intro: string;
    address: string;
    addressPhone: string;
    addressSlack: string;
    addressAll: string;
    hint: string;
    /** `region`: the country's name, for numbers typed without their country code. */
    hintPhone: (region: string) => string;
    hintPhoneIntl: string;
    hintSlack: string;
    sendCode: string;
    codeSent: string;
    codeSentEmailOrSlack: string;
    codeSentPhone: string;
    codeSentSlack: string;
    code: string;
    verify: string;
    choose: string;
    file: string;
    filed: (due: string) => string;
    invalid: string;
    invalidIdentity: string;
    invalidPhone: string;
    notMobile: string;
    smsUnavailable: string;
    slackUnavailable: string;
    language: string;
  };
};

/** The texts of one language from the catalog (web/i18n/locales/<lang>/server-privacy.json, "request"). */
function fromCatalog(language: RequestLanguage): RequestTexts {
  const t = serverPrivacyTranslator(language);
  const r = (key: string, values?: Record<string, unknown>) => t(`request.${key}`, values);
  const words = <K extends string>(group: string, keys: readonly K[]) =>
    Object.fromEntries(keys.map((k) => [k, r(`${group}.${k}`)])) as Record<K, string>;
  return {
    codeSubject: r('codeSubject'),
    codeBody: (code, minutes) => r('codeBody', { code, minutes }),
    codeSms: (code, minutes) => r('codeSms', { code, minutes }),
    codeSlack: (code, minutes) => r('codeSlack', { code, minutes }),
    kinds: words('kinds', privacyRequestKinds),
    outcomeSubject: r('outcomeSubject'),
    completed: (kind) => r('completed', { kind }),
    refused: (kind, basis) => r('refused', { kind, basis }),
    bases: words('bases', refusalBases),
    rightsLink: (url) => r('rightsLink', { url }),
    page: {
      ...words('page', PAGE_WORDS),
      filed: (due) => r('page.filed', { due }),
      hintPhone: (region) => r('page.hintPhone', { region }),
    },
  };
}

const PAGE_WORDS = [
  'title',
  'intro',
  'address',
  'addressPhone',
  'addressSlack',
  'addressAll',
  'hint',
  'hintPhoneIntl',
  'hintSlack',
  'sendCode',
  'codeSent',
  'codeSentEmailOrSlack',
  'codeSentPhone',
  'codeSentSlack',
  'code',
  'verify',
  'choose',
  'file',
  'invalid',
  'invalidIdentity',
  'invalidPhone',
  'notMobile',
  'smsUnavailable',
  'slackUnavailable',
  'language',
] as const;

const TEXTS = Object.fromEntries(requestLanguages.map((l) => [l, fromCatalog(l)])) as Record<
  RequestLanguage,
  RequestTexts
>;
export const requestTexts = (language: string): RequestTexts => TEXTS[asRequestLanguage(language)];

/** The mail that tells the person the outcome of their request, in their language. */
export function outcomeMail(
  language: string,
  kind: PrivacyRequestKind,
  outcome: { kind: 'fulfilled' } | { kind: 'refused'; basis: RefusalBasis },
): { subject: string; text: string } {
  const t = requestTexts(language);
  const text =
    outcome.kind === 'fulfilled' ? t.completed(t.kinds[kind]) : t.refused(t.kinds[kind], t.bases[outcome.basis]);
  return { subject: t.outcomeSubject, text };
}

export type OutcomeTextOptions = {
  /** The transparency page (what we store, your rights, how to complain), linked under a refusal. */
  rightsUrl: string;
};

/**
 * The outcome as a text message or a Slack direct message: what the mail says (the outcome in one or two sentences;
 * for a refusal its legal basis and the right to complain, Art. 12(4)), under the mail's subject so the person knows
 * what it is about, and for a refusal a link to the page on their rights in their language. No download link.
 */
export function outcomeShort(
  channel: 'sms' | 'slack',
  language: string,
  kind: PrivacyRequestKind,
  outcome: { kind: 'fulfilled' } | { kind: 'refused'; basis: RefusalBasis },
  options: OutcomeTextOptions,
): string {
  const t = requestTexts(language);
  const { subject, text } = outcomeMail(language, kind, outcome);
  const body = channel === 'sms' ? text.replace(/\s+/g, ' ').trim() : text.trim();
  const rights =
    outcome.kind === 'refused' ? t.rightsLink(`${options.rightsUrl}?lang=${asRequestLanguage(language)}`) : null;
  const title = channel === 'slack' ? `*${subject}*` : subject;
  return [title, body, rights].filter(Boolean).join(channel === 'sms' ? '\n' : '\n\n');
}
