import type { BreachView } from '../http/views/breaches.ts';
import { escapeHtml as esc } from '../http/escape.ts';

/**
 * The breach register as the supervisory authority asks for it (Art. 33(5)): every breach with its facts, effects,
 * measures and notifications, as CSV (RFC 4180) and as a printable page. The JSON export is the API's list itself.
 */
const COLUMNS: Array<[string, (b: BreachView) => string | number | null]> = [
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
  ['recorded_by', (b) => b.recordedBy?.name ?? null],
];

const TIMES = new Set([
  'discovered_at',
  'occurred_from',
  'occurred_to',
  'authority_due_at',
  'authority_notified_at',
  'people_notified_at',
]);
const readable = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
/** A time as people read it on paper (the CSV and JSON keep ISO 8601). */
const when = (iso: string) => `${readable.format(new Date(iso))} UTC`;

/** A cell quoted when needed; one starting like a formula gets a leading apostrophe (spreadsheets would run it). */
function cell(value: string | number | null): string {
  let s = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function breachRegisterCsv(items: BreachView[]): string {
  const rows = [COLUMNS.map(([name]) => name), ...items.map((b) => COLUMNS.map(([, get]) => cell(get(b))))];
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

const LABELS: Record<string, string> = {
  what_happened: 'What happened',
  discovered_at: 'Discovered at',
  occurred_from: 'Occurred from',
  occurred_to: 'Occurred to',
  data_categories: 'Categories of data',
  categories_of_people: 'Categories of people',
  approx_people: 'Approximate number of people',
  approx_records: 'Approximate number of records',
  likely_consequences: 'Likely consequences',
  measures_taken: 'Measures taken or proposed',
  authority_due_at: 'Due to the authority (72 hours)',
  authority_notified_at: 'Authority notified at',
  authority_note: 'Authority: reasons (delay, no notification)',
  people_notified_at: 'People notified at',
  people_note: 'People: reasons (no notification)',
  recorded_by: 'Recorded by',
};

/** The register as a printable page; every value is escaped. */
export function breachRegisterHtml(items: BreachView[], controller: string, generatedAt: Date): string {
  const breach = (b: BreachView) => {
    const late = b.authorityClock.overdue ? ' <span class="late">(authority notification overdue or late)</span>' : '';
    const rows = COLUMNS.filter(([name]) => name !== 'id' && name !== 'title')
      .map(([name, get]) => {
        const value = get(b);
        const shown = value === null || value === '' ? '—' : TIMES.has(name) ? when(String(value)) : value;
        return `<tr><th>${LABELS[name]}</th><td>${esc(shown)}</td></tr>`;
      })
      .join('');
    return `<h2>${esc(b.title)}${late}</h2><table>${rows}</table>`;
  };
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Register of personal data breaches</title>',
    `<link rel="icon" href="data:,"><style>${STYLE}</style></head><body>`,
    '<h1>Register of personal data breaches (GDPR Art. 33(5))</h1>',
    `<p><b>Controller:</b> ${esc(controller)}</p>`,
    `<p class="muted">Generated ${esc(when(generatedAt.toISOString()))}; ${items.length} breach(es) recorded.</p>`,
    items.length ? items.map(breach).join('\n') : '<p>No breach has been recorded.</p>',
    '</body></html>',
  ].join('\n');
}
