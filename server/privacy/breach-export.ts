import type { BreachView } from '../http/views/breaches.ts';
import { escapeHtml as esc } from '../http/escape.ts';
import type { Locale } from '../../web/i18n/index.ts';
import { serverRecordTranslator } from '../../web/i18n/server-catalog.ts';
import { nameInLanguage } from '../domain/admin-name.ts';
import { controllerText } from './record.ts';

/**
 * The breach register as the supervisory authority asks for it (Art. 33(5)): every breach with its facts, effects,
 * measures and notifications, as CSV (RFC 4180) and as a printable page. The JSON export is the API's list itself.
 * The CSV's header is these machine keys in every language (a spreadsheet or script keys on them, as the JSON's do);
 * the page words them in the admin's language.
 */
const COLUMNS: Array<[string, (b: BreachView, locale: Locale) => string | number | null]> = [
  ['id', (b) => b.id],
  ['title', (b) => b.title],
  ['what_happened', (b) => b.description],
  ['discovered_at', (b) => b.discoveredAt],
  ['occurred_from', (b) => b.occurredFrom],
  ['occurred_to', (b) => b.occurredTo],
  ['data_categories', (b) => b.dataCategories.join('; ')],
  ['categories_of_people', (b) => b.subjectCategories.join('; ')],
  ['approx_people', (b) => b.approxSubjects],
  ['approx_records', (b) => b.approxRecords],
  ['likely_consequences', (b) => b.consequences],
  ['measures_taken', (b) => b.measures],
  ['authority_due_at', (b) => b.authorityClock.dueAt],
  ['authority_notified_at', (b) => b.authorityNotifiedAt],
  ['authority_note', (b) => b.authorityNote],
  ['people_notified_at', (b) => b.peopleNotifiedAt],
  ['people_note', (b) => b.peopleNote],
  ['recorded_by', (b, locale) => (b.recordedBy ? nameInLanguage(b.recordedBy.name, locale) : null)],
];
const TIMES = new Set([
  'discovered_at',
  'occurred_from',
  'occurred_to',
  'authority_due_at',
  'authority_notified_at',
  'people_notified_at',
]);
const COUNTS = new Set(['approx_people', 'approx_records']);

/** A cell quoted when needed; one starting like a formula gets a leading apostrophe (spreadsheets would run it). */
function cell(value: string | number | null): string {
  let s = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The CSV: machine keys and ISO 8601 times in every language; only the admin's placeholder name is worded. */
export function breachRegisterCsv(items: BreachView[], locale: Locale): string {
  const rows = [COLUMNS.map(([name]) => name), ...items.map((b) => COLUMNS.map(([, get]) => cell(get(b, locale))))];
  return rows.map((r) => r.join(',')).join('\r\n') + '\r\n';
}

const STYLE = [
  'body{font:14px/1.5 system-ui,sans-serif;color:#1f2933;max-width:1000px;margin:32px auto;padding:0 20px}',
  'h1{font-size:24px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #d9dee3;padding-bottom:4px}',
  'table{border-collapse:collapse;width:100%;margin:8px 0 16px}th{width:240px;background:#f5f7fa}',
  'th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eef0f2;vertical-align:top;white-space:pre-wrap}',
  '.late{color:#b42318;font-weight:600}.muted{color:#616e7c}',
  '@media print{body{margin:0}h2{break-before:auto}table{break-inside:avoid}}',
].join('\n');

/** A value as people read it on paper in the admin's language: times in UTC, counts with the locale's separators. */
function readable(locale: Locale) {
  const time = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  const count = new Intl.NumberFormat(locale);
  const when = (iso: string) => `${time.format(new Date(iso))} UTC`;
  const value = (name: string, v: string | number) =>
    TIMES.has(name) ? when(String(v)) : COUNTS.has(name) ? count.format(Number(v)) : v;
  return { when, value };
}

/**
 * The register as a printable page in the admin's language (server-record namespace, as the Art. 30 record): labels,
 * dates and numbers in it; the admin's placeholder name is the team's. Every value is escaped.
 */
export function breachRegisterHtml(items: BreachView[], controller: string, generatedAt: Date, locale: Locale): string {
  const t = serverRecordTranslator(locale);
  const { when, value: shown } = readable(locale);
  const breach = (b: BreachView) => {
    const late = b.authorityClock.overdue ? ` <span class="late">${esc(t('breaches.late'))}</span>` : '';
    const rows = COLUMNS.filter(([name]) => name !== 'id' && name !== 'title')
      .map(([name, get]) => {
        const raw = get(b, locale);
        const value = raw === null || raw === '' ? '—' : shown(name, raw);
        return `<tr><th>${esc(t(`breaches.labels.${name}`))}</th><td>${esc(value)}</td></tr>`;
      })
      .join('');
    return `<h2>${esc(b.title)}${late}</h2><table>${rows}</table>`;
  };
  const generated = t('breaches.generated', { when: when(generatedAt.toISOString()), count: items.length });
  return [
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${esc(t('breaches.title'))}</title>`,
    `<link rel="icon" href="data:,"><style>${STYLE}</style></head><body>`,
    `<h1>${esc(t('breaches.heading'))}</h1>`,
    `<p><b>${esc(t('html.controller'))}</b> ${esc(controllerText(t, controller))}</p>`,
    `<p class="muted">${esc(generated)}</p>`,
    items.length ? items.map(breach).join('\n') : `<p>${esc(t('breaches.none'))}</p>`,
    '</body></html>',
  ].join('\n');
}
