import type { Config } from '../config.ts';
import { sha256 } from '../security/tokens.ts';
import { LOCALES, type Locale } from '../../web/i18n/index.ts';
import { serverTranslator } from '../../web/i18n/server-catalog.ts';

/**
 * The consent notice the widget shows before anything is stored, in each of the five languages (the words come
 * from the i18n catalog, `notice.*` of the server namespace). It names the controller and links its privacy
 * policy (CONTROLLER_NAME, CONTROLLER_CONTACT, PRIVACY_POLICY_URL) and says what the statistics are: pseudonymous
 * aggregates with a minimum cohort (ANALYTICS_MIN_COHORT). The ledger keeps, with every consent event, the
 * language, the version and the SHA-256 of the exact text shown; each language has its own text, hash and
 * version, and the version ends with the start of that hash, so any change of a text (of a translation, of the
 * template, or of a setting it quotes) is a new version of that language's notice, and a visitor who saw the
 * old one is asked to review the new one (`notice_outdated`).
 */
export const NOTICE_TEMPLATE_VERSION = '2026-12-06';

export type NoticeConfig = Pick<
  Config,
  'controllerName' | 'controllerContact' | 'privacyPolicyUrl' | 'analyticsMinCohort'
> &
  Partial<Pick<Config, 'publicUrl'>>;

export type NoticePurpose = { purpose: 'support' | 'analytics'; required: boolean; label: string };

export type ConsentNotice = {
  language: Locale;
  policyVersion: string;
  text: string;
  textHash: string;
  /** Also inside `text`, verbatim (the widget turns it into a link there); null when not configured. */
  privacyPolicyUrl: string | null;
  /** The transparency page (PUBLIC_URL/privacy) the text refers to; the widget links it under the text. */
  transparencyUrl: string | null;
  purposes: NoticePurpose[];
};

/** The notice in every language, built once per server (in the composition root). */
export type ConsentNotices = Record<Locale, ConsentNotice>;

/** The purposes a visitor is asked about, labelled in their language. */
export function noticePurposes(locale: Locale = 'en'): NoticePurpose[] {
  const t = serverTranslator(locale);
  return [
    { purpose: 'support', required: true, label: t('notice.purposeSupport') },
    { purpose: 'analytics', required: false, label: t('notice.purposeAnalytics') },
  ];
}

export const NOTICE_PURPOSES = noticePurposes('en');

/** The notice for this configuration in one language (English unless told). */
export function consentNotice(config: NoticeConfig, locale: Locale = 'en'): ConsentNotice {
  const t = serverTranslator(locale);
  // Quoted settings go in as strings: the controller's own spelling, and no locale digit grouping in the hash.
  const controller = config.controllerContact
    ? t('notice.controllerWithContact', { controller: config.controllerName, contact: config.controllerContact })
    : t('notice.controller', { controller: config.controllerName });
  const sentences = [controller, t('notice.body', { minCohort: String(config.analyticsMinCohort) })];
  if (config.privacyPolicyUrl) sentences.push(t('notice.policy', { url: config.privacyPolicyUrl }));
  // The plain-words page of what is stored, why, how long and who sees it (server/privacy/transparency.ts). The text
  // names it without its address, so the notice's version does not change with PUBLIC_URL; the widget links it.
  sentences.push(t('notice.transparency'));
  const transparencyUrl = config.publicUrl ? `${config.publicUrl.replace(/\/$/, '')}/privacy` : null;
  const text = sentences.join(' ');
  const textHash = sha256(text);
  return {
    language: locale,
    policyVersion: `${NOTICE_TEMPLATE_VERSION}.${textHash.slice(0, 12)}`,
    text,
    textHash,
    privacyPolicyUrl: config.privacyPolicyUrl ?? null,
    transparencyUrl,
    purposes: noticePurposes(locale),
  };
}

export function consentNotices(config: NoticeConfig): ConsentNotices {
  return Object.fromEntries(LOCALES.map((l) => [l, consentNotice(config, l)])) as ConsentNotices;
}

/** What the ledger records of the notice (its version and the hash of its text). */
export type NoticeDeps = { notice: Pick<ConsentNotice, 'policyVersion' | 'textHash'> };

/** The notices per language (without them, only the English `notice` is known: older callers and tests). */
export type NoticesDeps = NoticeDeps & { notices?: ConsentNotices };

/** The notice shown in this language. */
export function noticeIn(
  deps: NoticesDeps,
  language: Locale,
): Pick<ConsentNotice, 'policyVersion' | 'textHash'> & { language: Locale | null } {
  const notice = deps.notices?.[language];
  return notice ?? { ...deps.notice, language: language === 'en' ? 'en' : null };
}
