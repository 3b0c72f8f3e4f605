import { describeError, type ApiClient } from '../api.ts';
import type {
  RetentionClass,
  RetentionPolicyView,
  RetentionPreview,
  RetentionProposal,
  SweepResult,
} from '../privacy-types.ts';
import type { Toasts } from './toasts.svelte.ts';
import { fullDateTime } from '../lib/format.ts';
import { retentionLabel, tp } from '../lib/privacy-i18n.ts';

export const RETAIN_DAYS_MIN = 1;
export const RETAIN_DAYS_MAX = 3650;
const order: RetentionClass[] = ['messages', 'attachments', 'recordings', 'inactive_contacts', 'bot_logs'];
const rank = (c: RetentionClass) => {
  const i = order.indexOf(c);
  return i === -1 ? order.length : i;
};

/**
 * What waits for the admin's confirmation: saving a value that deletes more than the one in force, or putting a
 * waiting change in force at once. `proposal` is the dry run of that value, computed when it was asked.
 */
export type RetentionConfirmation = {
  kind: 'save' | 'apply';
  dataClass: RetentionClass;
  label: string;
  enabled: boolean;
  retainDays: number;
  proposal: RetentionProposal;
};

/**
 * Retention (admins): one policy per data class, a dry-run preview, and a sweep on demand. A value that deletes
 * more than the one in force is previewed and confirmed first, and waits out the grace period (cancellable)
 * unless the admin applies it at once.
 */
export class Retention {
  policies = $state<RetentionPolicyView[]>([]);
  /** Hours a confirmed tightening waits before it is in force (RETENTION_GRACE_HOURS). */
  graceHours = $state(24);
  confirmation = $state<RetentionConfirmation | null>(null);
  confirming = $state(false);
  confirmError = $state<string | null>(null);
  busy = $state<Partial<Record<RetentionClass, boolean>>>({});
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
      const { policies, graceHours } = await this.#api.get<{ policies: RetentionPolicyView[]; graceHours: number }>(
        '/api/privacy/retention',
      );
      this.policies = [...policies].sort((a, b) => rank(a.dataClass) - rank(b.dataClass));
      this.graceHours = graceHours;
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (this.status !== 'ready') this.status = 'error';
      this.error = describeError(err, tp('state.retention.load'));
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
      this.previewError = describeError(err, tp('state.retention.preview'));
    }
  }

  /** A dry run of one proposed value (nothing is saved), or null when it failed (a toast says why). */
  async propose(dataClass: RetentionClass, enabled: boolean, retainDays: number): Promise<RetentionProposal | null> {
    try {
      return await this.#api.post<RetentionProposal>('/api/privacy/retention/preview', {
        policies: [{ dataClass, enabled, retainDays }],
      });
    } catch (err) {
      this.#toasts.error(tp('state.retention.proposal'), err);
      return null;
    }
  }

  /**
   * Saves a policy. A value that deletes no more than the one in force is saved at once; otherwise its dry run
   * is put up for confirmation (`confirmation`) and nothing is saved until the admin confirms.
   */
  async save(dataClass: RetentionClass, enabled: boolean, retainDays: number): Promise<boolean> {
    if (this.saving[dataClass]) return false;
    if (!Number.isInteger(retainDays) || retainDays < RETAIN_DAYS_MIN || retainDays > RETAIN_DAYS_MAX) return false;
    this.saving[dataClass] = true;
    try {
      const proposal = await this.propose(dataClass, enabled, retainDays);
      if (!proposal) return false;
      if (proposal.changes[0]?.tightening) {
        const label = this.policies.find((p) => p.dataClass === dataClass)?.label ?? dataClass;
        this.confirmError = null;
        this.confirmation = { kind: 'save', dataClass, label, enabled, retainDays, proposal };
        return false;
      }
      return await this.#put(dataClass, enabled, retainDays, false);
    } finally {
      delete this.saving[dataClass];
    }
  }

  /** Asks to put a waiting change in force now: its fresh dry run goes up for confirmation. */
  async askApplyNow(dataClass: RetentionClass): Promise<void> {
    const policy = this.policies.find((p) => p.dataClass === dataClass);
    if (!policy || this.busy[dataClass]) return;
    this.busy[dataClass] = true;
    try {
      const proposal = await this.propose(dataClass, policy.enabled, policy.retainDays);
      if (!proposal) return;
      this.confirmError = null;
      this.confirmation = {
        kind: 'apply',
        dataClass,
        label: policy.label,
        enabled: policy.enabled,
        retainDays: policy.retainDays,
        proposal,
      };
    } finally {
      delete this.busy[dataClass];
    }
  }

  /** The admin confirmed the pending dialog: save the tightening (grace period) or apply the change now. */
  async confirm(): Promise<boolean> {
    const pending = this.confirmation;
    if (!pending || this.confirming) return false;
    this.confirming = true;
    this.confirmError = null;
    try {
      if (pending.kind === 'save') {
        await this.#write(pending.dataClass, pending.enabled, pending.retainDays, true);
      } else {
        const { policy } = await this.#api.post<{ policy: RetentionPolicyView }>(
          `/api/privacy/retention/${encodeURIComponent(pending.dataClass)}/apply-now`,
          { confirm: true },
        );
        this.#replace(policy);
        this.#toasts.success(tp('state.retention.inForce', { label: retentionLabel(policy.dataClass, policy.label) }));
        void this.loadPreview();
      }
      this.confirmation = null;
      return true;
    } catch (err) {
      this.confirmError = describeError(err, tp('state.retention.saveFailed'));
      return false;
    } finally {
      this.confirming = false;
    }
  }

  dismissConfirmation(): void {
    if (!this.confirming) this.confirmation = null;
  }

  /** Cancels a change waiting out its grace period: the value in force stays. */
  async cancelChange(dataClass: RetentionClass): Promise<boolean> {
    if (this.busy[dataClass]) return false;
    this.busy[dataClass] = true;
    try {
      const { policy } = await this.#api.post<{ policy: RetentionPolicyView }>(
        `/api/privacy/retention/${encodeURIComponent(dataClass)}/cancel`,
      );
      this.#replace(policy);
      this.#toasts.success(
        tp('state.retention.cancelled', {
          label: retentionLabel(policy.dataClass, policy.label),
          policy: describePolicy(policy),
        }),
      );
      void this.loadPreview();
      return true;
    } catch (err) {
      this.#toasts.error(tp('state.retention.cancelFailed'), err);
      void this.load();
      return false;
    } finally {
      delete this.busy[dataClass];
    }
  }

  async #put(dataClass: RetentionClass, enabled: boolean, retainDays: number, confirm: boolean): Promise<boolean> {
    try {
      await this.#write(dataClass, enabled, retainDays, confirm);
      return true;
    } catch (err) {
      this.#toasts.error(tp('state.retention.saveFailedToast'), err);
      return false;
    }
  }

  async #write(dataClass: RetentionClass, enabled: boolean, retainDays: number, confirm: boolean): Promise<void> {
    const { policy } = await this.#api.put<{ policy: RetentionPolicyView }>(
      `/api/privacy/retention/${encodeURIComponent(dataClass)}`,
      { enabled, retainDays, ...(confirm ? { confirm: true } : {}) },
    );
    this.#replace(policy);
    this.#toasts.success(
      policy.takesEffectAt
        ? tp('state.retention.savedLater', {
            label: retentionLabel(policy.dataClass, policy.label),
            when: fullDateTime(policy.takesEffectAt),
          })
        : tp('state.retention.saved', {
            label: retentionLabel(policy.dataClass, policy.label),
            policy: describePolicy(policy),
          }),
    );
    void this.loadPreview();
  }

  #replace(policy: RetentionPolicyView): void {
    this.policies = this.policies.map((p) => (p.dataClass === policy.dataClass ? policy : p));
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
      this.sweepError = describeError(err, tp('state.retention.sweepFailed'));
      return false;
    } finally {
      this.sweeping = false;
    }
  }

  reset(): void {
    this.policies = [];
    this.confirmation = null;
    this.confirmError = null;
    this.status = 'idle';
    this.preview = null;
    this.previewStatus = 'idle';
    this.lastSweep = null;
    this.sweepError = null;
  }
}

/** "kept for 30 days" or "auto-delete off". */
export function describePolicy(value: { enabled: boolean; retainDays: number }): string {
  if (!value.enabled) return tp('retention.policyOff');
  return tp('retention.policyKept', { count: value.retainDays });
}
