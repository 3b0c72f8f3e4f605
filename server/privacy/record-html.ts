import type { ProcessingRecordView } from '../http/views/privacy.ts';
import { escapeHtml as esc } from '../http/escape.ts';

const STYLE = [
  'body{font:14px/1.5 system-ui,sans-serif;color:#1f2933;max-width:1000px;margin:32px auto;padding:0 20px}',
  'h1{font-size:24px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #d9dee3;padding-bottom:4px}',
  'table{border-collapse:collapse;width:100%;margin:8px 0 16px}',
  'th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eef0f2;vertical-align:top;overflow-wrap:anywhere}',
  'th{background:#f5f7fa}.muted{color:#616e7c}@media print{body{margin:0}}',
].join('\n');

/** A row of escaped values; a header row of fixed names. */
const row = (cells: unknown[]) => `<tr>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
const headRow = (...names: string[]) => `<tr>${names.map((n) => `<th>${n}</th>`).join('')}</tr>`;

const activity = (a: ProcessingRecordView['processingActivities'][number]) =>
  `<h3>${esc(a.name)}</h3><table>\n` +
  row(['Purpose', a.purpose]) +
  row(['Legal basis', a.legalBasis]) +
  row(['Data subjects', a.dataSubjects.join(', ')]) +
  '\n' +
  row(['Categories of data', a.dataCategories.join(', ')]) +
  row(['Recipients', a.recipients.join(', ')]) +
  row(['Retention', a.retention]) +
  '</table>';

const dataMapTable = (t: ProcessingRecordView['dataMap'][number]) =>
  `<h3>${esc(t.table)} <span class="muted">— ${esc(t.purpose)} · about: ${esc(t.subject)}</span></h3>\n` +
  `<table>${headRow('Column', 'Personal data', 'Category', 'Note')}` +
  t.columns.map((c) => row([c.name, c.personal ? 'yes' : 'no', c.category, c.note ?? ''])).join('') +
  '</table>';

/** The Article 30 record as a printable page (GET /api/privacy/record?format=html). Every value is escaped. */
export function renderRecordHtml(record: ProcessingRecordView): string {
  const contact = record.controller.contact ? ` · ${esc(record.controller.contact)}` : '';
  const policy = record.controller.privacyPolicyUrl
    ? ` · <a href="${esc(record.controller.privacyPolicyUrl)}">privacy policy</a>`
    : ' · <span class="muted">no privacy policy linked (set PRIVACY_POLICY_URL)</span>';
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Record of processing activities</title>',
    `<style>${STYLE}</style></head><body>`,
    '<h1>Record of processing activities (GDPR Art. 30)</h1>',
    `<p class="muted">Generated ${esc(record.generatedAt)} ` +
      'from the personal-data catalog and the live configuration.</p>',
    `<p><b>Controller:</b> ${esc(record.controller.name)}${contact}${policy}</p>`,
    `<p><b>Data protection impact assessment:</b> <a href="${esc(record.dpia.href)}" data-testid="record-dpia">` +
      `${record.dpia.version === null ? 'generated draft (not saved yet)' : `version ${record.dpia.version}`}</a></p>`,
    '<h2>Processing activities</h2>',
    record.processingActivities.map(activity).join(''),
    '<h2>Processors</h2><p class="muted">Only providers the configuration really connects to.</p>' +
      `<table>${headRow('Processor', 'Role', 'Channels', 'Country', 'Transfer basis', 'Listed because')}`,
    record.processors
      .map((p) => row([p.name, p.role, p.channels.join(', '), p.country, p.transferBasis, p.listedBecause]))
      .join('') + '</table>',
    `<h2>Inboxes</h2><table>${headRow('Inbox', 'Channel', 'Reaches people through')}`,
    record.inboxes.map((i) => row([i.name, i.channel, i.connection])).join('') + '</table>',
    `<h2>Where data is kept</h2><table>${headRow('Store', 'Location', 'Contents', 'Personal data')}`,
    record.stores.map((st) => row([st.name, st.location, st.contents, st.personalData ? 'yes' : 'no'])).join('') +
      '</table>',
    `<h2>Retention</h2><table>${headRow('Data', 'Policy', 'Rule')}`,
    record.retention
      .map((r) => row([r.label, r.enabled ? `${r.retainDays} days` : 'not enabled', r.description]))
      .join('') +
      row(['Trash (deleted conversations)', `${record.trash.retainDays} days`, record.trash.description]) +
      '</table>',
    '<h2>Technical and organisational measures</h2>' +
      `<ul>${record.securityMeasures.map((m) => `<li>${esc(m)}</li>`).join('')}</ul>`,
    '<h2>Data map</h2>',
    record.dataMap.map(dataMapTable).join(''),
    '</body></html>',
  ].join('\n');
}
