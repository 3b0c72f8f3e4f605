import { describeError, type ApiClient } from '../api.ts';
import type { OutcomeView, PrivacyRequestView, RequestFigures, RequestList } from '../request-types.ts';
import type { Toasts } from './toasts.svelte.ts';

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
      this.error = describeError(err, 'Could not load the requests.');
    }
  }

  assign(id: string, assigneeId: string | null) {
    return this.#act(id, 'assign', { assigneeId }, 'Request assigned.');
  }

  extend(id: string, reason: string) {
    return this.#act(id, 'extend', { reason: reason.trim() }, 'Deadline extended by two months.');
  }

  close(id: string, outcome: OutcomeView) {
    return this.#act(id, 'close', { outcome }, 'Request closed; the person is told by mail where an address is known.');
  }

  /** Erases the person (or, under a legal hold, refuses on that basis) and closes the request. */
  erase(id: string) {
    return this.#act(id, 'erase', { confirm: true }, 'Erasure request decided; the person is told the outcome.');
  }

  /** Logs a request a person made to the signed-in agent (any agent); admins then decide it on the desk. */
  async log(body: LogRequestInput): Promise<boolean> {
    try {
      await this.#api.post('/api/privacy/requests', body);
      this.#toasts.success('Request logged; an admin decides it within the deadline.');
      if (this.status === 'ready') await this.load();
      return true;
    } catch (err) {
      this.#toasts.error('The request could not be logged', err);
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
      this.#toasts.error('The request could not be changed', err);
      return false;
    } finally {
      delete this.busy[id];
    }
  }
}
