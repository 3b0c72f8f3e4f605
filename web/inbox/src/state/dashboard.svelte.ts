import { describeError, withQuery, type ApiClient } from '../api.ts';
import type { Dashboard } from '../analytics-types.ts';
import type { ChannelKind } from '../types.ts';
import { saveBlob } from '../lib/download.ts';
import type { Toasts } from './toasts.svelte.ts';
import { ta } from '../lib/admin-i18n.ts';
import { browserZone } from '../lib/format.ts';
import { i18n } from '../lib/i18n.svelte.ts';

export type RangePreset = '7d' | '30d' | '90d' | 'custom';
/** The presets, "the last n days" (named on screen in the inbox's language). */
export const rangePresets: Array<{ id: RangePreset; days: number }> = [
  { id: '7d', days: 7 },
  { id: '30d', days: 30 },
  { id: '90d', days: 90 },
];

/** Re-query at most this often while events stream in, and at least this often while the page is open. */
const LIVE_DEBOUNCE_MS = 2_000;
const PERIODIC_MS = 60_000;
const DAY_MS = 86_400_000;

/** yyyy-mm-dd of a local date, for <input type="date">. */
export function isoDay(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
/**
 * The local midnight starting `day` plus `addDays` calendar days. Date arithmetic, not 24-hour steps: a day in
 * the browser's zone lasts 23 or 25 hours when the clocks change, so "midnight + 24 h" would miss it by an hour.
 */
const localMidnight = (day: string, addDays = 0) => {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y!, m! - 1, d! + addDays);
};
/** The local calendar day `days` days before today (0: today), counted in calendar days for the same reason. */
const daysAgo = (days: number) => {
  const today = new Date();
  return isoDay(new Date(today.getFullYear(), today.getMonth(), today.getDate() - days));
};
const isoTime = (ms: number) => new Date(ms).toISOString();

/**
 * The managers' dashboard: filters (range, channel), the figures, and live refresh. It re-queries when
 * the inbox's socket says something changed (messages, status changes, consent, erasure), debounced, and
 * once a minute besides, so a withdrawal of consent shows within seconds.
 */
export class AnalyticsDashboard {
  data = $state<Dashboard | null>(null);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  refreshing = $state(false);
  exporting = $state(false);
  /** When the figures on screen were computed (the server's time). */
  updatedAt = $state<string | null>(null);

  preset = $state<RangePreset>('30d');
  /** Local calendar days, inclusive, for the custom range (and shown for presets). */
  fromDay = $state(daysAgo(29));
  toDay = $state(daysAgo(0));
  channel = $state<ChannelKind | null>(null);

  readonly #api: ApiClient;
  readonly #toasts: Toasts;
  #active = false;
  #debounce: ReturnType<typeof setTimeout> | null = null;
  #periodic: ReturnType<typeof setInterval> | null = null;
  #request = 0;

  constructor(api: ApiClient, toasts: Toasts) {
    this.#api = api;
    this.#toasts = toasts;
  }

  /** The query of the current filters: a preset is "the last n days up to now"; a custom range is whole local days. */
  get query(): Record<string, string> {
    const q: Record<string, string> = { tz: browserZone() };
    if (this.channel) q.channel = this.channel;
    const preset = rangePresets.find((p) => p.id === this.preset);
    if (preset) {
      const now = Date.now();
      q.from = isoTime(now - preset.days * DAY_MS);
      q.to = isoTime(now);
    } else {
      q.from = localMidnight(this.fromDay).toISOString();
      q.to = localMidnight(this.toDay, 1).toISOString();
    }
    return q;
  }

  /** The page opened (true) or closed (false): only an open dashboard queries. */
  setActive(active: boolean): void {
    if (active === this.#active) return;
    this.#active = active;
    if (active) {
      void this.load();
      this.#periodic = setInterval(() => {
        if (document.visibilityState === 'visible') void this.refresh();
      }, PERIODIC_MS);
    } else {
      if (this.#periodic) clearInterval(this.#periodic);
      if (this.#debounce) clearTimeout(this.#debounce);
      this.#periodic = this.#debounce = null;
    }
  }

  /** Something the figures depend on changed (a socket event): re-query soon, once for a burst. */
  dataChanged(): void {
    if (!this.#active || this.#debounce) return;
    this.#debounce = setTimeout(() => {
      this.#debounce = null;
      void this.refresh();
    }, LIVE_DEBOUNCE_MS);
  }

  setPreset(preset: RangePreset): void {
    this.preset = preset;
    const known = rangePresets.find((p) => p.id === preset);
    if (known) {
      this.fromDay = daysAgo(known.days - 1);
      this.toDay = daysAgo(0);
    }
    void this.load();
  }

  setCustomRange(fromDay: string, toDay: string): void {
    if (!fromDay || !toDay) return;
    this.preset = 'custom';
    [this.fromDay, this.toDay] = fromDay <= toDay ? [fromDay, toDay] : [toDay, fromDay];
    void this.load();
  }

  setChannel(channel: ChannelKind | null): void {
    this.channel = channel;
    void this.load();
  }

  /** New filters: show the loading state until the figures for them arrive. */
  load(): Promise<void> {
    return this.#fetch(true);
  }

  /** Same filters, fresh figures: the old ones stay on screen meanwhile. */
  refresh(): Promise<void> {
    return this.#fetch(false);
  }

  async #fetch(reset: boolean): Promise<void> {
    const id = ++this.#request;
    if (reset || !this.data) this.status = 'loading';
    this.refreshing = true;
    try {
      const data = await this.#api.get<Dashboard>('/api/analytics/dashboard', this.query);
      if (id !== this.#request) return;
      this.data = data;
      this.updatedAt = data.generatedAt;
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (id !== this.#request) return;
      this.error = describeError(err, ta('dashboard.loadError'));
      if (this.status !== 'ready' || reset) this.status = 'error';
    } finally {
      if (id === this.#request) this.refreshing = false;
    }
  }

  async exportCsv(): Promise<void> {
    if (this.exporting) return;
    this.exporting = true;
    try {
      // The file in the agent's language: headers, names and the decimal sign their spreadsheet expects.
      const { blob, filename } = await this.#api.download(
        withQuery('/api/analytics/dashboard.csv', { ...this.query, locale: i18n.locale }),
        'support-analytics.csv',
      );
      saveBlob(blob, filename);
    } catch (err) {
      this.#toasts.push('error', ta('dashboard.exportFailed'), describeError(err, ta('dashboard.exportError')));
    } finally {
      this.exporting = false;
    }
  }

  reset(): void {
    this.setActive(false);
    this.data = null;
    this.status = 'idle';
    this.error = null;
    this.updatedAt = null;
  }
}
