import { escapeHtml as esc } from '../http/escape.ts';
import { serverTranslator } from '../../web/i18n/server-catalog.ts';
import { requestLanguages, type RequestLanguage } from './request-texts.ts';

/**
 * The accessibility statement (GET /accessibility?lang=..), as the European Accessibility Act expects of the
 * service: what is supported, the known limits, how to report a problem, and when it was last reviewed.
 * Its words are in the server catalog (web/i18n/locales/<lang>/server.json, "accessibility").
 */

/**
 * The day the widget and the inbox were last reviewed against WCAG 2.1 AA (axe, keyboard, 320 px, zoom, forced
 * colours).
 */
export const ACCESSIBILITY_REVIEWED = '2026-12-06';

export type StatementFacts = { controller: string; contact: string | null };

// The colours pass 4.5:1 (body text 14.5:1, headings and links 10.9:1 on white); the focus outline is 3:1 and more.
const STYLE = [
  'body{font:17px/1.6 system-ui,sans-serif;color:#1f2933;background:#f7f5f2;margin:0}',
  'main{max-width:720px;margin:32px auto;padding:32px;background:#fff;border-radius:12px}',
  '@media (max-width:600px){main{margin:0;padding:20px;border-radius:0}}',
  'h1{font-size:28px;line-height:1.25;margin-top:0;overflow-wrap:anywhere}h2{font-size:20px;margin-top:28px;',
  'color:#24423a}li{margin:6px 0}a{color:#24423a}nav a{margin-right:10px}',
  'a:focus-visible{outline:3px solid #24423a;outline-offset:2px}',
  '@media print{body{background:#fff}main{margin:0;padding:0}nav{display:none}}',
].join('\n');

export function renderAccessibilityStatement(language: RequestLanguage, facts: StatementFacts): string {
  const t = serverTranslator(language);
  const a = (key: string, values?: Record<string, unknown>) => esc(t(`accessibility.${key}`, values));
  const list = (keys: string[]) => `<ul>${keys.map((k) => `<li>${a(k)}</li>`).join('')}</ul>`;
  const langs = requestLanguages.map(
    (l) =>
      `<a href="/accessibility?lang=${l}" lang="${l}"${l === language ? ' aria-current="page"' : ''}>` +
      `${l.toUpperCase()}</a>`,
  );
  const reviewed = new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(`${ACCESSIBILITY_REVIEWED}T00:00:00Z`),
  );
  return [
    `<!doctype html><html lang="${language}"><head><meta charset="utf-8">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${a('title')}</title><link rel="icon" href="data:,"><style>${STYLE}</style></head><body><main>`,
    `<nav aria-label="${a('languages')}">${langs.join('')}</nav>`,
    `<h1>${a('title')}</h1><p>${a('intro', { controller: facts.controller })}</p>`,
    `<h2>${a('statusTitle')}</h2><p>${a('status')}</p>`,
    `<h2>${a('supportedTitle')}</h2>`,
    list(['keyboard', 'screenReader', 'zoom', 'contrast', 'languagesSupported', 'inbox']),
    `<h2>${a('limitsTitle')}</h2>`,
    `<div data-testid="accessibility-limits">${list(['limitInbox', 'limitFiles', 'limitWords'])}</div>`,
    `<h2>${a('methodTitle')}</h2><p>${a('method')}</p>`,
    `<h2>${a('reportTitle')}</h2>`,
    `<p data-testid="accessibility-contact">`,
    facts.contact ? a('report', { contact: facts.contact }) : a('reportNoContact'),
    `</p><p>${a('authority')}</p>`,
    `<p data-testid="accessibility-reviewed">${a('reviewed', { date: reviewed })}</p>`,
    `<p><a href="/privacy?lang=${language}">${a('transparencyLink')}</a></p>`,
    '</main></body></html>',
  ].join('\n');
}
