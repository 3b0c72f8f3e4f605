import { describeError, type ApiClient } from '../api.ts';
import type { InboxList } from '../types.ts';
import { ta } from '../lib/admin-i18n.ts';
import { browserZone } from '../lib/format.ts';
import type { Toasts } from './toasts.svelte.ts';

/** What the API takes and returns (server/routes/business-hours.ts). */
export type BusinessHoursBody = {
  timeZone: string;
  windows: Array<{ day: number; open: string; close: string }>;
  holidays: string[];
  visitorGoneMinutes: number;
};

/** The form: one window per weekday (0 Sunday … 6 Saturday), or closed. */
export type DayDraft = { day: number; open: boolean; from: string; to: string };
export type HoursDraft = {
  enabled: boolean;
  timeZone: string;
  days: DayDraft[];
  holidays: string[];
  visitorGoneMinutes: number;
};

const defaultDays = (): DayDraft[] =>
  [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: day >= 1 && day <= 5, from: '09:00', to: '17:00' }));

export function draftFrom(body: BusinessHoursBody | null): HoursDraft {
  if (!body)
    return { enabled: false, timeZone: browserZone(), days: defaultDays(), holidays: [], visitorGoneMinutes: 5 };
  return {
    enabled: true,
    timeZone: body.timeZone,
    days: [0, 1, 2, 3, 4, 5, 6].map((day) => {
      const w = body.windows.find((x) => x.day === day);
      return { day, open: w !== undefined, from: w?.open ?? '09:00', to: w?.close ?? '17:00' };
    }),
    holidays: [...body.holidays],
    visitorGoneMinutes: body.visitorGoneMinutes,
  };
}

export function bodyFrom(draft: HoursDraft): BusinessHoursBody {
  return {
    timeZone: draft.timeZone,
    windows: draft.days.filter((d) => d.open).map((d) => ({ day: d.day, open: d.from, close: d.to })),
    holidays: [...draft.holidays].sort(),
    visitorGoneMinutes: draft.visitorGoneMinutes,
  };
}

/** Admins: an inbox's business hours, time zone, holidays and when a chat visitor counts as gone. */
export class BusinessHoursSettings {
  inboxes = $state<InboxList['items']>([]);
  inboxId = $state<string | null>(null);
  draft = $state<HoursDraft>(draftFrom(null));
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  saving = $state(false);
  saveError = $state<string | null>(null);

  readonly #api: ApiClient;
  readonly #toasts: Toasts;

  constructor(api: ApiClient, toasts: Toasts) {
    this.#api = api;
    this.#toasts = toasts;
  }

  reset(): void {
    this.status = 'idle';
    this.inboxId = null;
    this.draft = draftFrom(null);
  }

  async load(): Promise<void> {
    this.status = 'loading';
    try {
      const list = await this.#api.get<InboxList>('/api/inboxes');
      // Chat inboxes first: the widget is where the hours show.
      this.inboxes = [...list.items].sort((a, b) => Number(b.channel === 'chat') - Number(a.channel === 'chat'));
      const first = this.inboxId ?? this.inboxes[0]?.id ?? null;
      if (first) await this.select(first);
      else this.status = 'ready';
    } catch (err) {
      this.status = 'error';
      this.error = describeError(err, ta('hours.inboxesError'));
    }
  }

  async select(inboxId: string): Promise<void> {
    this.inboxId = inboxId;
    this.saveError = null;
    try {
      const { hours } = await this.#api.get<{ hours: BusinessHoursBody | null }>(
        `/api/inboxes/${inboxId}/business-hours`,
      );
      if (this.inboxId !== inboxId) return;
      this.draft = draftFrom(hours);
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      this.status = 'error';
      this.error = describeError(err, ta('hours.loadErrorDetail'));
    }
  }

  addHoliday(date: string): void {
    if (/^\d{4}-\d{2}-\d{2}$/.test(date) && !this.draft.holidays.includes(date))
      this.draft.holidays = [...this.draft.holidays, date].sort();
  }

  removeHoliday(date: string): void {
    this.draft.holidays = this.draft.holidays.filter((d) => d !== date);
  }

  async save(): Promise<void> {
    const inboxId = this.inboxId;
    if (!inboxId || this.saving) return;
    this.saving = true;
    this.saveError = null;
    try {
      if (this.draft.enabled) {
        const saved = await this.#api.put<BusinessHoursBody>(
          `/api/inboxes/${inboxId}/business-hours`,
          bodyFrom(this.draft),
        );
        this.draft = draftFrom(saved);
      } else {
        await this.#api.delete(`/api/inboxes/${inboxId}/business-hours`);
      }
      this.#toasts.push('success', ta('hours.saved'));
    } catch (err) {
      this.saveError = describeError(err, ta('hours.saveError'));
    } finally {
      this.saving = false;
    }
  }
}
