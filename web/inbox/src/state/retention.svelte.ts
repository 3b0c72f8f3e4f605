import { describeError, type ApiClient } from '../api.ts';
import type { RetentionClass, RetentionPolicyView, RetentionPreview, SweepResult } from '../privacy-types.ts';
import type { Toasts } from './toasts.svelte.ts';

export const RETAIN_DAYS_MIN = 1;
export const RETAIN_DAYS_MAX = 3650;
const order: RetentionClass[] = ['messages', 'attachments', 'recordings', 'inactive_contacts', 'bot_logs'];
const rank = (c: RetentionClass) => {
  const i = order.indexOf(c);
  return i === -1 ? order.length : i;
};

/** Retention (admins): one policy per data class, a dry-run preview, and a sweep on demand. */
export class Retention {
  policies = $state<RetentionPolicyView[]>([]);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  saving = $state<Partial<Record<RetentionClass, boolean>>>({});

  preview = $state<RetentionPreview | null>(null);
  previewStatus = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  previewError = $state<string | null>(null);

  sweeping = $state(false);
  lastSweep = $state<SweepResult | null>(null);
  sweepError = $state<string | null>(null);

  readonly #api: ApiClient;
  readonly #toasts: Toasts;

  constructor(api: ApiClient, toasts: Toasts) {
    this.#api = api;
    this.#toasts = toasts;
  }

  async load(): Promise<void> {
    if (this.status !== 'ready') this.status = 'loading';
    try {
      const { policies } = await this.#api.get<{ policies: RetentionPolicyView[] }>('/api/privacy/retention');
      this.policies = [...policies].sort((a, b) => rank(a.dataClass) - rank(b.dataClass));
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (this.status !== 'ready') this.status = 'error';
      this.error = describeError(err, 'Could not load the retention policies.');
    }
  }

  async loadPreview(): Promise<void> {
    this.previewStatus = 'loading';
    try {
      const preview = await this.#api.get<RetentionPreview>('/api/privacy/retention/preview');
      this.preview = {
        ...preview,
        classes: [...preview.classes].sort((a, b) => rank(a.dataClass) - rank(b.dataClass)),
      };
      this.previewStatus = 'ready';
      this.previewError = null;
    } catch (err) {
      this.previewStatus = this.preview ? 'ready' : 'error';
      this.previewError = describeError(err, 'Could not compute the preview.');
    }
  }

  async save(dataClass: RetentionClass, enabled: boolean, retainDays: number): Promise<boolean> {
    if (this.saving[dataClass]) return false;
    if (!Number.isInteger(retainDays) || retainDays < RETAIN_DAYS_MIN || retainDays > RETAIN_DAYS_MAX) return false;
    this.saving[dataClass] = true;
    try {
      const { policy } = await this.#api.put<{ policy: RetentionPolicyView }>(
        `/api/privacy/retention/${encodeURIComponent(dataClass)}`,
        { enabled, retainDays },
      );
      this.policies = this.policies.map((p) => (p.dataClass === policy.dataClass ? policy : p));
      this.#toasts.success(
        `${policy.label}: ${policy.enabled ? `kept for ${policy.retainDays} days` : 'kept until deleted by hand'}.`,
      );
      void this.loadPreview();
      return true;
    } catch (err) {
      this.#toasts.error('Could not save the retention policy', err);
      return false;
    } finally {
      delete this.saving[dataClass];
    }
  }

  async sweep(): Promise<boolean> {
    if (this.sweeping) return false;
    this.sweeping = true;
    this.sweepError = null;
    try {
      this.lastSweep = await this.#api.post<SweepResult>('/api/privacy/retention/sweep');
      void this.loadPreview();
      return true;
    } catch (err) {
      this.sweepError = describeError(err, 'The sweep failed.');
      return false;
    } finally {
      this.sweeping = false;
    }
  }

  reset(): void {
    this.policies = [];
    this.status = 'idle';
    this.preview = null;
    this.previewStatus = 'idle';
    this.lastSweep = null;
    this.sweepError = null;
  }
}
