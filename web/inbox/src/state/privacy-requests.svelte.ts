import { describeError, type ApiClient } from '../api.ts';
import type { OutcomeView, PrivacyRequestView, RequestFigures, RequestList } from '../request-types.ts';
import type { Toasts } from './toasts.svelte.ts';
import { tp } from '../lib/privacy-i18n.ts';

export type LogRequestInput = {
  contactId: string;
  kind: PrivacyRequestView['kind'];
  receivedAt: string;
  channel: NonNullable<PrivacyRequestView['channel']>;
  verifiedHow: 'same_channel' | 'identity_document' | 'callback';
  language: 'en' | 'de' | 'fr' | 'fi' | 'sv';
  fields?: Array<'name' | 'email' | 'phone'>;
  note?: string;
};

/**
 * The request desk (admins): every data-subject request with its deadline, overdue ones first, and the desk's
 * figures. The server orders and counts; this keeps the list and the actions' busy states.
 */
export class PrivacyRequests {
  items = $state<PrivacyRequestView[]>([]);
  figures = $state<RequestFigures>({ open: 0, overdue: 0, medianDaysToClose: null });
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  /** Request ids with an action in flight. */
  busy = $state<Record<string, boolean>>({});

  readonly #api: ApiClient;
  readonly #toasts: Toasts;

  constructor(api: ApiClient, toasts: Toasts) {
    this.#api = api;
    this.#toasts = toasts;
  }

  async load(): Promise<void> {
    if (this.status !== 'ready') this.status = 'loading';
    try {
      const list = await this.#api.get<RequestList>('/api/privacy/requests');
      this.items = list.items;
      this.figures = list.figures;
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (this.status !== 'ready') this.status = 'error';
      this.error = describeError(err, tp('state.requests.load'));
    }
  }

  assign(id: string, assigneeId: string | null) {
    return this.#act(id, 'assign', { assigneeId }, tp('state.requests.assigned'));
  }

  extend(id: string, reason: string) {
    return this.#act(id, 'extend', { reason: reason.trim() }, tp('state.requests.extended'));
  }

  close(id: string, outcome: OutcomeView) {
    return this.#act(id, 'close', { outcome }, tp('state.requests.closed'));
  }

  /** Erases the person (or, under a legal hold, refuses on that basis) and closes the request. */
  erase(id: string) {
    return this.#act(id, 'erase', { confirm: true }, tp('state.requests.erased'));
  }

  /** Logs a request a person made to the signed-in agent (any agent); admins then decide it on the desk. */
  async log(body: LogRequestInput): Promise<boolean> {
    try {
      await this.#api.post('/api/privacy/requests', body);
      this.#toasts.success(tp('state.requests.logged'));
      if (this.status === 'ready') await this.load();
      return true;
    } catch (err) {
      this.#toasts.error(tp('state.requests.logFailed'), err);
      return false;
    }
  }

  reset(): void {
    this.items = [];
    this.status = 'idle';
    this.error = null;
    this.busy = {};
  }

  async #act(id: string, action: string, body: unknown, done: string): Promise<boolean> {
    if (this.busy[id]) return false;
    this.busy[id] = true;
    try {
      await this.#api.post(`/api/privacy/requests/${encodeURIComponent(id)}/${action}`, body);
      this.#toasts.success(done);
      await this.load();
      return true;
    } catch (err) {
      this.#toasts.error(tp('state.requests.changeFailed'), err);
      return false;
    } finally {
      delete this.busy[id];
    }
  }
}
