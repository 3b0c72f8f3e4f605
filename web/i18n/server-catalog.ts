import { createCatalog, type Locale, pickLocale } from './index.ts';
import en from './locales/en/server.json' with { type: 'json' };
import enCsv from './locales/en/analytics-csv.json' with { type: 'json' };
import enPrivacy from './locales/en/server-privacy.json' with { type: 'json' };
import enWidget from './locales/en/server-widget.json' with { type: 'json' };
import de from './locales/de/server.json' with { type: 'json' };
import deCsv from './locales/de/analytics-csv.json' with { type: 'json' };
import dePrivacy from './locales/de/server-privacy.json' with { type: 'json' };
import deWidget from './locales/de/server-widget.json' with { type: 'json' };
import fr from './locales/fr/server.json' with { type: 'json' };
import frCsv from './locales/fr/analytics-csv.json' with { type: 'json' };
import frPrivacy from './locales/fr/server-privacy.json' with { type: 'json' };
import frWidget from './locales/fr/server-widget.json' with { type: 'json' };
import fi from './locales/fi/server.json' with { type: 'json' };
import fiCsv from './locales/fi/analytics-csv.json' with { type: 'json' };
import fiPrivacy from './locales/fi/server-privacy.json' with { type: 'json' };
import fiWidget from './locales/fi/server-widget.json' with { type: 'json' };
import sv from './locales/sv/server.json' with { type: 'json' };
import svCsv from './locales/sv/analytics-csv.json' with { type: 'json' };
import svPrivacy from './locales/sv/server-privacy.json' with { type: 'json' };
import svWidget from './locales/sv/server-widget.json' with { type: 'json' };
import enForms from './locales/en/request-forms.json' with { type: 'json' };
import enRecord from './locales/en/server-record.json' with { type: 'json' };
import deForms from './locales/de/request-forms.json' with { type: 'json' };
import deRecord from './locales/de/server-record.json' with { type: 'json' };
import frForms from './locales/fr/request-forms.json' with { type: 'json' };
import frRecord from './locales/fr/server-record.json' with { type: 'json' };
import fiForms from './locales/fi/request-forms.json' with { type: 'json' };
import fiRecord from './locales/fi/server-record.json' with { type: 'json' };
import svForms from './locales/sv/request-forms.json' with { type: 'json' };
import svRecord from './locales/sv/server-record.json' with { type: 'json' };

import enErrors from './locales/en/server-errors.json' with { type: 'json' };
import deErrors from './locales/de/server-errors.json' with { type: 'json' };
import frErrors from './locales/fr/server-errors.json' with { type: 'json' };
import fiErrors from './locales/fi/server-errors.json' with { type: 'json' };
import svErrors from './locales/sv/server-errors.json' with { type: 'json' };
import enWidgetUi from './locales/en/widget.json' with { type: 'json' };
import deWidgetUi from './locales/de/widget.json' with { type: 'json' };
import frWidgetUi from './locales/fr/widget.json' with { type: 'json' };
import fiWidgetUi from './locales/fi/widget.json' with { type: 'json' };
import svWidgetUi from './locales/sv/widget.json' with { type: 'json' };

/**
 * The server's own texts (consent notice, bot system texts, the analytics CSV's words) in every locale. A
 * conversation's language is a detected tag (bot/language.ts) or null: anything outside the five locales falls
 * back to English.
 */
const catalog = createCatalog({
  en: {
    server: en,
    'analytics-csv': enCsv,
    'server-privacy': enPrivacy,
    'server-widget': enWidget,
    'request-forms': enForms,
    'server-record': enRecord,
    'server-errors': enErrors,
  },
  de: {
    server: de,
    'analytics-csv': deCsv,
    'server-privacy': dePrivacy,
    'server-widget': deWidget,
    'request-forms': deForms,
    'server-record': deRecord,
    'server-errors': deErrors,
  },
  fr: {
    server: fr,
    'analytics-csv': frCsv,
    'server-privacy': frPrivacy,
    'server-widget': frWidget,
    'request-forms': frForms,
    'server-record': frRecord,
    'server-errors': frErrors,
  },
  fi: {
    server: fi,
    'analytics-csv': fiCsv,
    'server-privacy': fiPrivacy,
    'server-widget': fiWidget,
    'request-forms': fiForms,
    'server-record': fiRecord,
    'server-errors': fiErrors,
  },
  sv: {
    server: sv,
    'analytics-csv': svCsv,
    'server-privacy': svPrivacy,
    'server-widget': svWidget,
    'request-forms': svForms,
    'server-record': svRecord,
    'server-errors': svErrors,
  },
});

export const serverTranslator = (locale: Locale) => catalog(locale, 'server');
/** The analytics CSV's headers, metric names, units and dimension words (analytics/csv.ts). */
export const analyticsCsvTranslator = (locale: Locale) => catalog(locale, 'analytics-csv');
/** The request desk's and the transparency page's words (server/privacy/request-texts.ts, transparency-texts.ts). */
export const serverPrivacyTranslator = (locale: Locale) => catalog(locale, 'server-privacy');
/** What the server answers the widget in the visitor's language (errors the widget shows as they are). */
export const serverWidgetTranslator = (locale: Locale) => catalog(locale, 'server-widget');
/** The request page's correction and consent forms (server/privacy/request-forms-html.ts). */
export const requestFormsTranslator = (locale: Locale) => catalog(locale, 'request-forms');
/** The Art. 30 record's and the DPIA draft's words (server/privacy/record.ts, dpia.ts), in the admin's language. */
export const serverRecordTranslator = (locale: Locale) => catalog(locale, 'server-record');
/** The API's error messages for people (request page, API tokens, provider webhooks): server/http/error-words.ts. */
export const serverErrorsTranslator = (locale: Locale) => catalog(locale, 'server-errors');
/** The codes the server words in the caller's language, and those it words with their params. */
export const SERVER_ERROR_CODES: ReadonlySet<string> = new Set(Object.keys(enErrors.code));
export const SERVER_ERROR_PARAM_CODES: ReadonlySet<string> = new Set(Object.keys(enErrors.params));
export const serverLocale = (language: string | null | undefined): Locale => pickLocale([language]);

/**
 * The team's name in a language, where the first admin kept the placeholder name: the widget's own word
 * (widget message.team), so a canned reply's signature and the widget's author line say the same.
 */
const TEAM_NAMES: Record<Locale, string> = {
  en: enWidgetUi.message.team,
  de: deWidgetUi.message.team,
  fr: frWidgetUi.message.team,
  fi: fiWidgetUi.message.team,
  sv: svWidgetUi.message.team,
};
export const teamName = (locale: Locale): string => TEAM_NAMES[locale];
