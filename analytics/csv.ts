import type { Dashboard } from './dashboard.ts';
import { suppressedText, withheldText, type Figure } from './cohort.ts';

/**
 * The dashboard's aggregates as CSV (RFC 4180): one row per figure, `metric,dimension,value,unit`.
 * Suppressed figures read "fewer than k", and figures withheld so that a total does not give those away
 * "withheld: …" (analytics/cohort.ts), as on the screen. Nothing about any one person is in it.
 */
export function dashboardCsv(d: Dashboard): string {
  const k = d.minCohort;
  const rows: string[][] = [['metric', 'dimension', 'value', 'unit']];
  const add = (metric: string, dimension: string, f: Figure | number | null, unit: string) => {
    const value =
      typeof f === 'number' || f === null
        ? f
        : f.suppressed
          ? f.complementary
            ? withheldText(k)
            : suppressedText(k)
          : f.value;
    rows.push([metric, dimension, value === null ? '' : String(value), unit]);
  };
  add('range_from', '', null, d.filter.from);
  add('range_to', '', null, d.filter.to);
  add('channel', '', null, d.filter.channel ?? 'all');
  add('time_zone', '', null, d.filter.timeZone);
  add('consenting_contacts', '', d.coverage.consenting, 'contacts');
  add('all_contacts', '', d.coverage.contacts, 'contacts');
  add('coverage', '', d.coverage.percent, 'percent');
  add('minimum_cohort', '', k, 'contacts');
  add('conversations', 'total', d.volume.conversations, 'conversations');
  add('messages', 'total', d.volume.messages, 'messages');
  for (const day of d.volume.days) {
    add('conversations', `${day.day} ${day.channel}`, day.conversations, 'conversations');
    add('messages', `${day.day} ${day.channel}`, day.messages, 'messages');
  }
  for (const [name, m] of [
    ['first_response', d.firstResponse],
    ['resolution', d.resolution],
  ] as const) {
    add(`${name}_median`, '', m.median, 'seconds');
    add(`${name}_p90`, '', m.p90, 'seconds');
    add(`${name}_conversations`, '', m.conversations, 'conversations');
  }
  add('bot_conversations', '', d.bot.conversations, 'conversations');
  add('bot_deflected', '', d.bot.deflected, 'conversations');
  add('bot_deflection_rate', '', d.bot.deflectionRate, 'ratio');
  for (const r of d.bot.handoffReasons) add('handoffs', r.reason, r.handoffs, 'hand-offs');
  for (const b of d.backlog) add('backlog', b.status, b.conversations, 'conversations');
  for (const c of d.heatmap) add('customer_messages', `weekday ${c.weekday} hour ${c.hour}`, c.messages, 'messages');
  add('satisfaction_average', '', d.satisfaction.average, 'score 1-5');
  add('satisfaction_ratings', '', d.satisfaction.ratings, 'ratings');
  for (const s of d.satisfaction.distribution) add('satisfaction_ratings', `score ${s.score}`, s.ratings, 'ratings');
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

// Quote when needed; a leading =, +, - or @ is neutralised so a spreadsheet never runs it as a formula.
function cell(value: string): string {
  const safe = /^[=+\-@]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
