import { retentionClasses, type RetentionClass } from '../../drizzle/schema/enums.ts';
import { serverPrivacyTranslator } from '../../web/i18n/server-catalog.ts';
import { requestLanguages, type RequestLanguage } from './request-texts.ts';

/**
 * The transparency page's words (Art. 12-14 in plain language), per language, from the i18n catalog (namespace
 * `server-privacy`). Numbers, names and addresses come from the configuration, never from here.
 */
export type TransparencyTexts = {
  title: string;
  intro: (controller: string) => string;
  contact: (contact: string) => string;
  whatTitle: string;
  what: Record<'contact' | 'messages' | 'files' | 'recordings' | 'metadata' | 'consent', string>;
  whyTitle: string;
  why: { support: string; statistics: string; recording: string; bot: string };
  howLongTitle: string;
  classes: Record<RetentionClass, string>;
  days: (n: number) => string;
  untilErased: string;
  /** The trash's row in "For how long": what our staff deleted, still restorable until the window ends. */
  trash: string;
  whoTitle: string;
  staff: string;
  processor: (name: string, country: string) => string;
  rightsTitle: string;
  rights: string[];
  howTo: string;
  requestLink: string;
  complaint: string;
};

const STORED = ['contact', 'messages', 'files', 'recordings', 'metadata', 'consent'] as const;
const PURPOSES = ['support', 'statistics', 'recording', 'bot'] as const;
const RIGHTS = ['copy', 'rectify', 'erase', 'restrict', 'withdraw'] as const;

/** One language's words from the catalog (web/i18n/locales/<lang>/server-privacy.json, "transparency"). */
function fromCatalog(language: RequestLanguage): TransparencyTexts {
  const t = serverPrivacyTranslator(language);
  const w = (key: string, values?: Record<string, unknown>) => t(`transparency.${key}`, values);
  const words = <K extends string>(group: string, keys: readonly K[]) =>
    Object.fromEntries(keys.map((k) => [k, w(`${group}.${k}`)])) as Record<K, string>;
  return {
    title: w('title'),
    intro: (controller) => w('intro', { controller }),
    contact: (contact) => w('contact', { contact }),
    whatTitle: w('whatTitle'),
    what: words('what', STORED),
    whyTitle: w('whyTitle'),
    why: words('why', PURPOSES),
    howLongTitle: w('howLongTitle'),
    classes: words('classes', retentionClasses),
    days: (days) => w('days', { days }),
    untilErased: w('untilErased'),
    trash: w('trash'),
    whoTitle: w('whoTitle'),
    staff: w('staff'),
    processor: (name, country) => w('processor', { name, country }),
    rightsTitle: w('rightsTitle'),
    rights: RIGHTS.map((right) => w(`rights.${right}`)),
    howTo: w('howTo'),
    requestLink: w('requestLink'),
    complaint: w('complaint'),
  };
}

export const TRANSPARENCY_TEXTS = Object.fromEntries(requestLanguages.map((l) => [l, fromCatalog(l)])) as Record<
  RequestLanguage,
  TransparencyTexts
>;
