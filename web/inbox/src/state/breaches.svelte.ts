import { describeError, withQuery, type ApiClient } from '../api.ts';
import { i18n } from '../lib/i18n.svelte.ts';
import type {
  AffectedPeople,
  BreachFields,
  BreachList,
  BreachPatch,
  BreachView,
  FinderQuery,
} from '../breach-types.ts';
import type { InboxList } from '../types.ts';
import type { Toasts } from './toasts.svelte.ts';
import { tp } from '../lib/privacy-i18n.ts';

/** The register for the authority; the printable page and the CSV's worded values in the agent's current language. */
export const registerExportUrl = (format: 'html' | 'csv' | 'json') =>
  withQuery('/api/privacy/breaches/export', { format, locale: i18n.locale });

/**
 * The breach register (admins): every breach with the server's 72-hour clock to the authority. The server's clock
 * decides (a test moves it); the page keeps counting from the moment it loaded, so the figure stays current.
 */
export class BreachRegister {
  items = $state<BreachView[]>([]);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  busy = $state(false);
  /** The finder's last answer, per breach id. */
  affected = $state<Record<string, AffectedPeople>>({});
  /** The inboxes the finder can search. */
  inboxes = $state<Array<{ id: string; name: string }>>([]);
  /** Browser time of the last load: msLeft counts down from it. */
  loadedAt = $state(Date.now());

  readonly #api: ApiClient;
  readonly #toasts: Toasts;

  constructor(api: ApiClient, toasts: Toasts) {
    this.#api = api;
    this.#toasts = toasts;
  }

  /** Breaches whose authority notification is still due. */
  get pending(): number {
    return this.items.filter((b) => !b.authorityNotifiedAt).length;
  }

  /** Milliseconds left to notify the authority at browser time `now` (negative: overdue), or null once notified. */
  msLeft(b: BreachView, now: number): number | null {
    return b.authorityClock.msLeft === null ? null : b.authorityClock.msLeft - Math.max(0, now - this.loadedAt);
  }

  async load(): Promise<void> {
    if (this.status !== 'ready') this.status = 'loading';
    try {
      const [list, inboxes] = await Promise.all([
        this.#api.get<BreachList>('/api/privacy/breaches'),
        this.#api.get<InboxList>('/api/inboxes'),
      ]);
      this.inboxes = inboxes.items.map((i) => ({ id: i.id, name: i.name }));
      this.items = list.items;
      this.loadedAt = Date.now();
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (this.status !== 'ready') this.status = 'error';
      this.error = describeError(err, tp('state.breaches.load'));
    }
  }

  record(fields: BreachFields): Promise<boolean> {
    return this.#write(() => this.#api.post('/api/privacy/breaches', fields), tp('state.breaches.recorded'));
  }

  update(id: string, patch: BreachPatch, done = tp('state.breaches.updated')): Promise<boolean> {
    return this.#write(() => this.#api.patch(`/api/privacy/breaches/${encodeURIComponent(id)}`, patch), done);
  }

  async find(id: string, query: FinderQuery): Promise<boolean> {
    this.busy = true;
    try {
      const found = await this.#api.post<AffectedPeople>(
        `/api/privacy/breaches/${encodeURIComponent(id)}/affected`,
        query,
      );
      this.affected[id] = found;
      return true;
    } catch (err) {
      this.#toasts.error(tp('state.breaches.count'), err);
      return false;
    } finally {
      this.busy = false;
    }
  }

  reset(): void {
    this.items = [];
    this.affected = {};
    this.status = 'idle';
    this.error = null;
  }

  async #write(call: () => Promise<unknown>, done: string): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    try {
      await call();
      this.#toasts.success(done);
      await this.load();
      return true;
    } catch (err) {
      this.#toasts.error(tp('state.breaches.unchanged'), err);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
