import { describe, expect, it } from 'vitest';
import { figure, protectSum, suppressedText } from '../../analytics/cohort.ts';
import { FilterError, parseFilter } from '../../analytics/filter.ts';
import { dashboardCsv } from '../../analytics/csv.ts';
import type { Dashboard } from '../../analytics/dashboard.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { acceptedLocale } from '../../server/http/accept-language.ts';

describe('minimum cohort', () => {
  it('gives a number only when at least k distinct contacts are behind it', () => {
    expect(figure(12, 5, 5)).toEqual({ value: 12, suppressed: false });
    expect(figure(12, 4, 5)).toEqual({ value: null, suppressed: true });
    expect(figure('7', '9', 5)).toEqual({ value: 7, suppressed: false });
    // A count over nobody is zero; a median over nobody is "no data", not suppressed.
    expect(figure(0, 0, 5)).toEqual({ value: 0, suppressed: false });
    expect(figure(null, 0, 5)).toEqual({ value: null, suppressed: false });
    expect(figure(3.5, 1, 1)).toEqual({ value: 3.5, suppressed: false });
    expect(suppressedText(5)).toBe('fewer than 5');
  });

  it('withholds the smallest part shown when a part is suppressed, or else the total (complementary)', () => {
    const shown = (value: number) => ({ value, suppressed: false });
    const small = { value: null, suppressed: true };
    const withheld = { value: null, suppressed: true, complementary: true };
    // 28 in all, 25 on chat, 3 by SMS (suppressed): 28 - 25 would be the 3.
    expect(protectSum(shown(28), [shown(25), small])).toEqual({ total: shown(28), parts: [withheld, small] });
    // The smallest part shown goes; zeros (nobody behind them) protect nothing and stay.
    expect(protectSum(shown(40), [shown(0), shown(30), small, shown(7)]).parts).toEqual([
      shown(0),
      shown(30),
      small,
      withheld,
    ]);
    // No part left to withhold: the total is.
    expect(protectSum(shown(9), [small, shown(0)])).toEqual({ total: withheld, parts: [small, shown(0)] });
    // Nothing suppressed, or the total suppressed already: nothing to protect.
    expect(protectSum(shown(9), [shown(4), shown(5)]).parts).toEqual([shown(4), shown(5)]);
    expect(protectSum(small, [small, small])).toEqual({ total: small, parts: [small, small] });
  });

  it('is 5 by default and set by ANALYTICS_MIN_COHORT, validated at start-up', () => {
    expect(loadConfig({}).analyticsMinCohort).toBe(5);
    expect(loadConfig({ ANALYTICS_MIN_COHORT: '10' }).analyticsMinCohort).toBe(10);
    for (const bad of ['0', 'five', '-1', '1001']) {
      let error: unknown;
      try {
        loadConfig({ ANALYTICS_MIN_COHORT: bad });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe('ANALYTICS_MIN_COHORT');
    }
  });
});

describe('dashboard filter', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  it('defaults to the last 30 days in UTC over every channel', () => {
    expect(parseFilter({}, now)).toEqual({
      from: new Date('2026-11-01T12:00:00Z'),
      to: now,
      channel: null,
      timeZone: 'UTC',
    });
  });
  it('takes date-times, whole days of the time zone (to inclusive), a channel and a time zone', () => {
    const f = parseFilter({ from: '2026-11-01', to: '2026-11-30', channel: 'email', tz: 'Europe/Helsinki' }, now);
    // Helsinki is UTC+2 in November: its 1 November starts at 22:00 UTC the evening before.
    expect(f).toEqual({
      from: new Date('2026-10-31T22:00:00Z'),
      to: new Date('2026-11-30T22:00:00Z'),
      channel: 'email',
      timeZone: 'Europe/Helsinki',
    });
    expect(parseFilter({ from: '2026-11-01', to: '2026-11-30' }, now)).toMatchObject({
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-12-01T00:00:00Z'),
    });
    // A month across the spring change: March in Berlin starts at UTC+1 and ends at UTC+2.
    expect(parseFilter({ from: '2026-03-01', to: '2026-03-31', tz: 'Europe/Berlin' }, now)).toMatchObject({
      from: new Date('2026-02-28T23:00:00Z'),
      to: new Date('2026-03-31T22:00:00Z'),
    });
    expect(parseFilter({ from: '2026-11-01T08:00:00+02:00', to: '2026-11-02T08:00:00+02:00' }, now).from).toEqual(
      new Date('2026-11-01T06:00:00Z'),
    );
  });
  it('refuses what it cannot answer', () => {
    for (const q of [
      { tz: 'Mars/Base' },
      { channel: 'fax' },
      { from: 'yesterday' },
      { from: '2026-11-02', to: '2026-11-01' },
      { from: '2024-01-01', to: '2026-01-01' },
      { from: '2026-02-30' },
    ]) {
      expect(() => parseFilter(q, now)).toThrow(FilterError);
    }
  });
});

describe('CSV export', () => {
  const none = { value: null, suppressed: true };
  const n = (value: number) => ({ value, suppressed: false });
  const d: Dashboard = {
    generatedAt: '2026-12-01T12:00:00.000Z',
    filter: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', channel: null, timeZone: 'UTC' },
    minCohort: 5,
    coverage: { consenting: 62, contacts: 100, percent: 62 },
    volume: {
      conversations: n(40),
      messages: n(300),
      days: [{ day: '2026-11-02', channel: 'chat', conversations: n(9), messages: none }],
    },
    firstResponse: { median: n(95.5), p90: n(600), conversations: n(30) },
    resolution: { median: none, p90: none, conversations: none },
    bot: {
      conversations: n(10),
      deflected: n(6),
      deflectionRate: n(0.6),
      handoffReasons: [{ reason: '=cmd|evil', handoffs: n(5) }],
    },
    backlog: [{ status: 'open', conversations: n(7) }],
    heatmap: [{ weekday: 1, hour: 9, messages: none }],
    satisfaction: { average: n(4.2), ratings: n(12), distribution: [{ score: 5, ratings: n(6) }] },
  };
  it('writes one row per figure, "fewer than k" for suppressed ones, and no spreadsheet formulas', () => {
    const lines = dashboardCsv(d).split('\r\n');
    expect(lines[0]).toBe('metric,dimension,value,unit');
    expect(lines).toContain('coverage,,62,percent');
    expect(lines).toContain('messages,2026-11-02 chat,fewer than 5,messages');
    expect(lines).toContain('first_response_median,,95.5,seconds');
    expect(lines).toContain('resolution_median,,fewer than 5,seconds');
    expect(lines).toContain('customer_messages,weekday 1 hour 9,fewer than 5,messages');
    expect(lines).toContain("handoffs,'=cmd|evil,5,hand-offs");
    expect(lines.at(-1)).toBe('');
  });

  it('writes German for a German spreadsheet: translated headers, `;` cells, decimal commas, ISO dates', () => {
    const csv = dashboardCsv(
      { ...d, bot: { ...d.bot, handoffReasons: [{ reason: 'low_confidence', handoffs: n(5) }] } },
      'de',
    );
    // Excel reads UTF-8 (Einwilligung, Übergaben) only with the byte order mark.
    expect(csv.startsWith('\uFEFFKennzahl;Aufschlüsselung;Wert;Einheit\r\n')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines).toContain('Zeitraum von;;;2026-11-01T00:00:00.000Z');
    expect(lines).toContain('Kanal;;;alle');
    expect(lines).toContain('Abdeckung;;62;Prozent');
    expect(lines).toContain('Erste Antwort, Median;;95,5;Sekunden');
    expect(lines).toContain('Anteil ohne Übergabe;;0,6;Anteil (0–1)');
    expect(lines).toContain('Nachrichten;2026-11-02 Chat;weniger als 5;Nachrichten');
    expect(lines).toContain('Lösungszeit, Median;;weniger als 5;Sekunden');
    expect(lines).toContain('Übergaben an eine Person;nicht sicher genug;5;Übergaben');
    expect(lines).toContain('Offene Konversationen;offen;7;Konversationen');
    expect(lines).toContain('Nachrichten von Kundinnen und Kunden;Mo 09:00 Uhr;weniger als 5;Nachrichten');
    expect(lines).toContain('Zufriedenheit, Durchschnitt;;4,2;Punkte 1–5');
    expect(lines).toContain('Bewertungen;5 Punkte;6;Bewertungen');
  });

  it('writes French the same way, and still quotes cells and neutralises formulas', () => {
    const lines = dashboardCsv(d, 'fr').slice(1).split('\r\n');
    expect(lines[0]).toBe('Indicateur;Ventilation;Valeur;Unité');
    expect(lines).toContain('Première réponse, médiane;;95,5;secondes');
    expect(lines).toContain('Messages;2026-11-02 Chat;moins de 5;messages');
    expect(lines).toContain('Messages des clients;lun. 09 h;moins de 5;messages');
    expect(lines).toContain("Transferts à une personne;'=cmd|evil;5;transferts");
    expect(lines).toContain('Satisfaction, moyenne;;4,2;note de 1 à 5');
    // A `;` in a cell is quoted now, a `,` no longer needs to be.
    const withSemicolon = dashboardCsv({ ...d, filter: { ...d.filter, timeZone: 'a;b' } }, 'fr');
    expect(withSemicolon).toContain('Fuseau horaire;;;"a;b"');
  });

  it('takes the manager’s language from Accept-Language by its weights, else English', () => {
    expect(acceptedLocale('de-DE,de;q=0.9,en;q=0.8')).toBe('de');
    expect(acceptedLocale('en;q=0.2, sv-FI')).toBe('sv');
    expect(acceptedLocale('ja, fr-CH;q=0.5')).toBe('fr');
    expect(acceptedLocale('*')).toBe('en');
    expect(acceptedLocale(undefined)).toBe('en');
    expect(acceptedLocale('fi;q=0')).toBe('en');
  });
});
