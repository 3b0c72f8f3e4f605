import { describeError, type ApiClient } from '../api.ts';
import type { AuditEntryView, AuditPage, AuditVerification } from '../privacy-types.ts';
import { appendUnseen } from '../lib/pages.ts';
import { tp } from '../lib/privacy-i18n.ts';

const PAGE_SIZE = 50;

/** The audit log (admins): newest entries first, older pages on demand, and a check of the hash chain. */
export class AuditLog {
  items = $state<AuditEntryView[]>([]);
  nextBefore = $state<number | null>(null);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  loadingMore = $state(false);

  verifying = $state(false);
  verification = $state<AuditVerification | null>(null);
  verifiedAt = $state<number | null>(null);
  verifyError = $state<string | null>(null);

  readonly #api: ApiClient;
  #generation = 0;

  constructor(api: ApiClient) {
    this.#api = api;
  }

  async load(): Promise<void> {
    const generation = ++this.#generation;
    if (this.status !== 'ready') this.status = 'loading';
    try {
      const page = await this.#api.get<AuditPage>('/api/privacy/audit', { limit: PAGE_SIZE });
      if (generation !== this.#generation) return;
      this.items = page.items;
      this.nextBefore = page.nextBefore;
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (generation !== this.#generation) return;
      if (this.status !== 'ready') this.status = 'error';
      this.error = describeError(err, tp('state.audit.load'));
    }
  }

  async loadMore(): Promise<void> {
    if (this.nextBefore === null || this.loadingMore) return;
    const generation = this.#generation;
    this.loadingMore = true;
    try {
      const page = await this.#api.get<AuditPage>('/api/privacy/audit', { before: this.nextBefore, limit: PAGE_SIZE });
      if (generation !== this.#generation) return;
      this.items = appendUnseen(this.items, page.items);

      this.nextBefore = page.nextBefore;
      this.error = null;
    } catch (err) {
      if (generation !== this.#generation) return;
      this.error = describeError(err, tp('state.audit.older'));
    } finally {
      this.loadingMore = false;
    }
  }

  async verify(): Promise<void> {
    if (this.verifying) return;
    this.verifying = true;
    this.verifyError = null;
    try {
      this.verification = await this.#api.get<AuditVerification>('/api/privacy/audit/verify');
      this.verifiedAt = Date.now();
    } catch (err) {
      this.verification = null;
      this.verifyError = describeError(err, tp('state.audit.verify'));
    } finally {
      this.verifying = false;
    }
  }

  reset(): void {
    this.#generation++;
    this.items = [];
    this.nextBefore = null;
    this.status = 'idle';
    this.verification = null;
    this.verifyError = null;
  }
}
