import type { Dashboard } from './dashboard.ts';
import type { Figure } from './cohort.ts';
import { analyticsCsvTranslator } from '../web/i18n/server-catalog.ts';
import { DEFAULT_LOCALE, type Locale } from '../web/i18n/index.ts';

/**
 * The dashboard's aggregates as CSV (RFC 4180): one row per figure, `metric,dimension,value,unit`.
 * Suppressed figures read "fewer than k", and figures withheld so that a total does not give those away
 * "withheld: …" (analytics/cohort.ts), as on the screen. Nothing about any one person is in it.
 *
 * In the manager's language (issue 18): English is the stable, machine-named file scripts read (`,` between
 * cells, `.` in decimals, snake_case names). German, French, Finnish and Swedish are written for the spreadsheet
 * a manager opens them in: Excel and LibreOffice in those regions split cells at `;` (their list separator,
 * because `,` is the decimal sign), so the file uses `;` and decimal commas ("95,5"), without thousands
 * separators (the spaces and points of grouping would turn numbers into text). Headers, metrics, units and
 * words in the dimensions are translated; dates stay ISO 8601 (2026-11-02, sortable and read as dates
 * everywhere) and the time zone stays its IANA name. A UTF-8 byte order mark makes Excel read ä, ö and é right.
 */
export function dashboardCsv(d: Dashboard, locale: Locale = DEFAULT_LOCALE): string {
  const t = analyticsCsvTranslator(locale);
  const english = locale === DEFAULT_LOCALE;
  const separator = english ? ',' : ';';
  const number = (n: number) => (english ? String(n) : String(n).replace('.', ','));
  const weekday = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
  // 2026-01-05 was a Monday: the heatmap's weekday 1.
  const weekdayName = (n: number) => weekday.format(Date.UTC(2026, 0, 4 + n));
  const channel = (c: string) => t(`channel.${c}`);
  const k = d.minCohort;

  const rows: string[][] = [[t('header.metric'), t('header.dimension'), t('header.value'), t('header.unit')]];
  const add = (metric: string, dimension: string, f: Figure | number | null, unit: string) => {
    const value =
      typeof f === 'number' || f === null
        ? f
        : f.suppressed
          ? t(f.complementary ? 'withheld' : 'suppressed', { k })
          : f.value;
    const text = value === null ? '' : typeof value === 'number' ? number(value) : value;
    rows.push([t(`metric.${metric}`), dimension, text, unit]);
  };
  const unit = (name: string) => t(`unit.${name}`);
  const total = t('dimension.total');

  add('range_from', '', null, d.filter.from);
  add('range_to', '', null, d.filter.to);
  add('channel', '', null, d.filter.channel ? channel(d.filter.channel) : t('dimension.allChannels'));
  add('time_zone', '', null, d.filter.timeZone);
  add('consenting_contacts', '', d.coverage.consenting, unit('contacts'));
  add('all_contacts', '', d.coverage.contacts, unit('contacts'));
  add('coverage', '', d.coverage.percent, unit('percent'));
  add('minimum_cohort', '', k, unit('contacts'));
  add('conversations', total, d.volume.conversations, unit('conversations'));
  add('messages', total, d.volume.messages, unit('messages'));
  for (const day of d.volume.days) {
    const dimension = `${day.day} ${channel(day.channel)}`;
    add('conversations', dimension, day.conversations, unit('conversations'));
    add('messages', dimension, day.messages, unit('messages'));
  }
  for (const [name, m] of [
    ['first_response', d.firstResponse],
    ['resolution', d.resolution],
  ] as const) {
    add(`${name}_median`, '', m.median, unit('seconds'));
    add(`${name}_p90`, '', m.p90, unit('seconds'));
    add(`${name}_conversations`, '', m.conversations, unit('conversations'));
  }
  add('bot_conversations', '', d.bot.conversations, unit('conversations'));
  add('bot_deflected', '', d.bot.deflected, unit('conversations'));
  add('bot_deflection_rate', '', d.bot.deflectionRate, unit('ratio'));
  for (const r of d.bot.handoffReasons) {
    add('handoffs', t(`reason.${r.reason}`, { defaultValue: r.reason }), r.handoffs, unit('handoffs'));
  }
  for (const b of d.backlog) add('backlog', t(`status.${b.status}`), b.conversations, unit('conversations'));
  for (const c of d.heatmap) {
    const hour = String(c.hour).padStart(english ? 1 : 2, '0');
    const dimension = english
      ? t('dimension.hour', { weekday: c.weekday, hour })
      : t('dimension.hour', { weekday: weekdayName(c.weekday), hour });
    add('customer_messages', dimension, c.messages, unit('messages'));
  }
  add('satisfaction_average', '', d.satisfaction.average, unit('score'));
  add('satisfaction_ratings', '', d.satisfaction.ratings, unit('ratings'));
  for (const s of d.satisfaction.distribution) {
    add('satisfaction_ratings', t('dimension.score', { score: s.score }), s.ratings, unit('ratings'));
  }
  const body = rows.map((r) => r.map((value) => cell(value, separator)).join(separator)).join('\r\n') + '\r\n';
  return english ? body : `\uFEFF${body}`;
}

// Quote when needed; a leading =, +, - or @ is neutralised so a spreadsheet never runs it as a formula.
function cell(value: string, separator: string): string {
  const safe = /^[=+\-@]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /["\r\n]/.test(safe) || safe.includes(separator) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
