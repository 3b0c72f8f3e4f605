import { describeError, type ApiClient } from '../api.ts';
import type { ConsentEventView, ConsentInput, ConsentLedgerView } from '../privacy-types.ts';
import type { ConsentState } from '../types.ts';
import type { Toasts } from './toasts.svelte.ts';
import { tp } from '../lib/privacy-i18n.ts';

const newestFirst = (a: ConsentEventView, b: ConsentEventView) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt);

/**
 * The consent ledger of the open contact: every event, newest first, and the form that records consent
 * given on another channel (with its evidence). The ledger is append-only; nothing here edits an event.
 */
export class ConsentLedger {
  contactId = $state<string | null>(null);
  history = $state<ConsentEventView[]>([]);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  recording = $state(false);
  recordError = $state<string | null>(null);

  readonly #api: ApiClient;
  readonly #toasts: Toasts;
  readonly #currentChanged: (contactId: string, current: ConsentState[]) => void;
  #generation = 0;

  constructor(api: ApiClient, toasts: Toasts, currentChanged: (contactId: string, current: ConsentState[]) => void) {
    this.#api = api;
    this.#toasts = toasts;
    this.#currentChanged = currentChanged;
  }

  /** Loads the history of a contact (again, if `force`), forgetting any other contact's. */
  async load(contactId: string, force = false): Promise<void> {
    if (this.contactId === contactId && !force && (this.status === 'ready' || this.status === 'loading')) return;
    const generation = ++this.#generation;
    if (this.contactId !== contactId) {
      this.history = [];
      this.recordError = null;
    }
    this.contactId = contactId;
    if (this.status !== 'ready' || this.history.length === 0) this.status = 'loading';
    try {
      const ledger = await this.#api.get<ConsentLedgerView>(this.#path(contactId));
      if (generation !== this.#generation) return;
      this.#apply(contactId, ledger);
    } catch (err) {
      if (generation !== this.#generation) return;
      this.status = 'error';
      this.error = describeError(err, tp('state.consent.load'));
    }
  }

  async record(contactId: string, input: ConsentInput): Promise<boolean> {
    if (this.recording) return false;
    this.recording = true;
    this.recordError = null;
    try {
      const ledger = await this.#api.post<ConsentLedgerView>(this.#path(contactId), {
        ...input,
        evidence: input.evidence.trim(),
      });
      this.#generation++;
      this.contactId = contactId;
      this.#apply(contactId, ledger);
      this.#toasts.success(input.granted ? tp('state.consent.granted') : tp('state.consent.withdrawn'));
      return true;
    } catch (err) {
      this.recordError = describeError(err, tp('state.consent.failed'));
      return false;
    } finally {
      this.recording = false;
    }
  }

  reset(): void {
    this.#generation++;
    this.contactId = null;
    this.history = [];
    this.status = 'idle';
    this.error = null;
    this.recordError = null;
  }

  #apply(contactId: string, ledger: ConsentLedgerView): void {
    this.history = [...ledger.history].sort(newestFirst);
    this.status = 'ready';
    this.error = null;
    this.#currentChanged(contactId, ledger.current);
  }

  #path(contactId: string): string {
    return `/api/contacts/${encodeURIComponent(contactId)}/consent`;
  }
}
