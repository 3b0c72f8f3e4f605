import { describeError, type ApiClient } from '../api.ts';
import type { HoldTarget, LegalHoldView } from '../privacy-types.ts';
import type { Toasts } from './toasts.svelte.ts';
import { tp } from '../lib/privacy-i18n.ts';

const newestFirst = (a: LegalHoldView, b: LegalHoldView) => Date.parse(b.createdAt) - Date.parse(a.createdAt);

export const HOLD_REASON_MIN = 3;
export const HOLD_REASON_MAX = 500;

/**
 * Legal holds (admins): while a hold is active, neither erasure nor retention touches what it covers.
 * Feeds the Privacy page's list and the contact panel's place/release actions.
 */
export class LegalHolds {
  items = $state<LegalHoldView[]>([]);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  placing = $state(false);
  placeError = $state<string | null>(null);
  /** Hold ids with a release in flight. */
  releasing = $state<Record<string, boolean>>({});

  active = $derived(this.items.filter((h) => h.releasedAt === null));
  released = $derived(this.items.filter((h) => h.releasedAt !== null));

  readonly #api: ApiClient;
  readonly #toasts: Toasts;
  readonly #changed: (hold: LegalHoldView) => void;

  constructor(api: ApiClient, toasts: Toasts, changed: (hold: LegalHoldView) => void) {
    this.#api = api;
    this.#toasts = toasts;
    this.#changed = changed;
  }

  async load(): Promise<void> {
    if (this.status !== 'ready') this.status = 'loading';
    try {
      const { items } = await this.#api.get<{ items: LegalHoldView[] }>('/api/privacy/legal-holds');
      this.items = [...items].sort(newestFirst);
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (this.status !== 'ready') this.status = 'error';
      this.error = describeError(err, tp('state.holds.load'));
    }
  }

  async place(target: HoldTarget, reason: string): Promise<boolean> {
    if (this.placing) return false;
    const trimmed = reason.trim();
    if (trimmed.length < HOLD_REASON_MIN || trimmed.length > HOLD_REASON_MAX) return false;
    this.placing = true;
    this.placeError = null;
    try {
      const { hold } = await this.#api.post<{ hold: LegalHoldView }>('/api/privacy/legal-holds', {
        ...target,
        reason: trimmed,
      });
      this.#upsert(hold);
      this.#changed(hold);
      this.#toasts.success(tp('state.holds.placed'));
      return true;
    } catch (err) {
      this.placeError = describeError(err, tp('state.holds.placeFailed'));
      return false;
    } finally {
      this.placing = false;
    }
  }

  async release(id: string): Promise<boolean> {
    if (this.releasing[id]) return false;
    this.releasing[id] = true;
    try {
      const { hold } = await this.#api.post<{ hold: LegalHoldView }>(
        `/api/privacy/legal-holds/${encodeURIComponent(id)}/release`,
      );
      this.#upsert(hold);
      this.#changed(hold);
      this.#toasts.success(tp('state.holds.released'));
      return true;
    } catch (err) {
      this.#toasts.error(tp('state.holds.releaseFailed'), err);
      return false;
    } finally {
      delete this.releasing[id];
    }
  }

  clearPlaceError(): void {
    this.placeError = null;
  }

  reset(): void {
    this.items = [];
    this.status = 'idle';
    this.error = null;
    this.placeError = null;
    this.releasing = {};
  }

  #upsert(hold: LegalHoldView): void {
    if (this.status !== 'ready') return;
    this.items = [...this.items.filter((h) => h.id !== hold.id), hold].sort(newestFirst);
  }
}
