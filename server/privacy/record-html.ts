import type { ProcessingRecordView } from '../http/views/privacy.ts';
import { escapeHtml as esc } from '../http/escape.ts';
import type { Locale, Translate } from '../../web/i18n/index.ts';
import { serverRecordTranslator } from '../../web/i18n/server-catalog.ts';

const STYLE = [
  'body{font:14px/1.5 system-ui,sans-serif;color:#1f2933;max-width:1000px;margin:32px auto;padding:0 20px}',
  'h1{font-size:24px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #d9dee3;padding-bottom:4px}',
  'table{border-collapse:collapse;width:100%;margin:8px 0 16px}',
  'th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eef0f2;vertical-align:top;overflow-wrap:anywhere}',
  'th{background:#f5f7fa}.muted{color:#616e7c}@media print{body{margin:0}}',
].join('\n');

/** A row of escaped values; a header row of the catalog's column names. */
const row = (cells: unknown[]) => `<tr>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
const headRow = (t: Translate, ...keys: string[]) =>
  `<tr>${keys.map((k) => `<th>${esc(t(`html.${k}`))}</th>`).join('')}</tr>`;

const activity = (t: Translate, a: ProcessingRecordView['processingActivities'][number]) =>
  `<h3>${esc(a.name)}</h3><table>\n` +
  row([t('html.purpose'), a.purpose]) +
  row([t('html.legalBasis'), a.legalBasis]) +
  row([t('html.dataSubjects'), a.dataSubjects.join(', ')]) +
  '\n' +
  row([t('html.dataCategories'), a.dataCategories.join(', ')]) +
  row([t('html.recipients'), a.recipients.join(', ')]) +
  row([t('html.retention'), a.retention]) +
  '</table>';

const word = (t: Translate, group: string, code: string) => t(`${group}.${code}`, { defaultValue: code });

const dataMapTable = (t: Translate, m: ProcessingRecordView['dataMap'][number]) =>
  `<h3>${esc(m.table)} <span class="muted">— ${esc(m.purpose)} · ` +
  `${esc(t('html.about', { subject: word(t, 'subject', m.subject) }))}</span></h3>\n` +
  `<table>${headRow(t, 'column', 'personalData', 'category', 'note')}` +
  m.columns
    .map((c) => row([c.name, t(c.personal ? 'html.yes' : 'html.no'), word(t, 'category', c.category), c.note ?? '']))
    .join('') +
  '</table>';

/**
 * The Article 30 record as a printable page (GET /api/privacy/record?format=html) in the admin's language: the
 * record was built in it (buildRecord), the page's headings come from the same namespace. Every value is escaped.
 */
export function renderRecordHtml(record: ProcessingRecordView, locale: Locale = 'en'): string {
  const t = serverRecordTranslator(locale);
  const contact = record.controller.contact ? ` · ${esc(record.controller.contact)}` : '';
  const policy = record.controller.privacyPolicyUrl
    ? ` · <a href="${esc(record.controller.privacyPolicyUrl)}">${esc(t('html.privacyPolicy'))}</a>`
    : ` · <span class="muted">${esc(t('html.noPolicy'))}</span>`;
  const when = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(
    new Date(record.generatedAt),
  );
  const days = (n: number) => t('html.days', { days: n });
  const { version } = record.dpia;
  const dpiaName = version === null ? t('html.dpiaDraft') : t('html.dpiaVersion', { version });
  return [
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${esc(t('html.title'))}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${esc(t('html.heading'))}</h1>`,
    `<p class="muted">${esc(t('html.generated', { when: `${when} UTC` }))}</p>`,
    `<p><b>${esc(t('html.controller'))}</b> ${esc(record.controller.name)}${contact}${policy}</p>`,
    `<p><b>${esc(t('html.dpia'))}</b> <a href="${esc(record.dpia.href)}" data-testid="record-dpia">` +
      `${esc(dpiaName)}</a></p>`,
    `<h2>${esc(t('html.activities'))}</h2>`,
    record.processingActivities.map((a) => activity(t, a)).join(''),
    `<h2>${esc(t('html.processors'))}</h2><p class="muted">${esc(t('html.processorsNote'))}</p>` +
      `<table>${headRow(t, 'processor', 'role', 'channels', 'country', 'transferBasis', 'listedBecause')}`,
    record.processors
      .map((p) => row([p.name, p.role, p.channels.join(', '), p.country, p.transferBasis, p.listedBecause]))
      .join('') + '</table>',
    `<h2>${esc(t('html.inboxes'))}</h2><table>${headRow(t, 'inbox', 'channel', 'reaches')}`,
    record.inboxes.map((i) => row([i.name, i.channel, i.connection])).join('') + '</table>',
    `<h2>${esc(t('html.stores'))}</h2><table>${headRow(t, 'store', 'location', 'contents', 'personalData')}`,
    record.stores
      .map((st) => row([st.name, st.location, st.contents, t(st.personalData ? 'html.yes' : 'html.no')]))
      .join('') + '</table>',
    `<h2>${esc(t('html.retention'))}</h2><table>${headRow(t, 'data', 'policy', 'rule')}`,
    record.retention
      .map((r) => row([r.label, r.enabled ? days(r.retainDays) : t('html.notEnabled'), r.description]))
      .join('') +
      row([t('html.trash'), days(record.trash.retainDays), record.trash.description]) +
      '</table>',
    `<h2>${esc(t('html.measures'))}</h2>` +
      `<ul>${record.securityMeasures.map((m) => `<li>${esc(m)}</li>`).join('')}</ul>`,
    `<h2>${esc(t('html.dataMap'))}</h2>`,
    record.dataMap.map((m) => dataMapTable(t, m)).join(''),
    '</body></html>',
  ].join('\n');
}
