import { describeError, withQuery, type ApiClient } from '../api.ts';
import { saveBlob } from '../lib/download.ts';
import { newUuid } from '../lib/uuid.ts';
import type { PrivacyProgress } from '../privacy-types.ts';
import type { Toasts } from './toasts.svelte.ts';
import { tp } from '../lib/privacy-i18n.ts';

export type ExportPhase = 'preparing' | 'streaming' | 'done' | 'error';
export type ExportJob = {
  jobId: string;
  contactId: string;
  phase: ExportPhase;
  /** Items written so far and in all, from the server's 'privacy:progress' events (total 0 = not known yet). */
  done: number;
  total: number;
  filename: string | null;
  error: string | null;
};

const FORGET_DONE_AFTER_MS = 8_000;

/**
 * Data exports (Art. 15/20). The archive is fetched as a Blob and handed to the browser through an
 * <a download> element; meanwhile the server reports progress on the agent socket under our job id.
 */
export class ContactExports {
  /** The latest export per contact. */
  jobs = $state<Record<string, ExportJob>>({});

  readonly #api: ApiClient;
  readonly #toasts: Toasts;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- private timer handles, nothing renders them
  #timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(api: ApiClient, toasts: Toasts) {
    this.#api = api;
    this.#toasts = toasts;
  }

  running(contactId: string): boolean {
    const phase = this.jobs[contactId]?.phase;
    return phase === 'preparing' || phase === 'streaming';
  }

  async start(contactId: string): Promise<void> {
    if (this.running(contactId)) return;
    this.#clearTimer(contactId);
    const jobId = newUuid();
    this.jobs[contactId] = { jobId, contactId, phase: 'preparing', done: 0, total: 0, filename: null, error: null };
    const url = withQuery(`/api/contacts/${encodeURIComponent(contactId)}/export`, { progress: jobId });
    try {
      const { blob, filename } = await this.#api.download(url, `contact-${contactId}.zip`);
      const job = this.jobs[contactId];
      if (job?.jobId !== jobId) return;
      saveBlob(blob, filename);
      job.phase = 'done';
      job.filename = filename;
      if (job.total > 0) job.done = job.total;
      this.#forgetLater(contactId, jobId);
    } catch (err) {
      const job = this.jobs[contactId];
      if (job?.jobId !== jobId) return;
      job.phase = 'error';
      job.error = describeError(err, tp('state.export.failed'));
      this.#toasts.error(tp('state.export.toast'), err);
    }
  }

  /** A 'privacy:progress' event from the agent socket; events for other jobs are ignored. */
  applyProgress(progress: PrivacyProgress): void {
    if (progress.kind !== 'export') return;
    const job = Object.values(this.jobs).find((j) => j.jobId === progress.jobId);
    if (!job || job.phase === 'done' || job.phase === 'error') return;
    job.phase = 'streaming';
    job.total = Math.max(0, progress.total);
    job.done = Math.min(Math.max(0, progress.done), job.total || progress.done);
  }

  dismiss(contactId: string): void {
    this.#clearTimer(contactId);
    delete this.jobs[contactId];
  }

  reset(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.jobs = {};
  }

  #forgetLater(contactId: string, jobId: string): void {
    this.#clearTimer(contactId);
    this.#timers.set(
      contactId,
      setTimeout(() => {
        this.#timers.delete(contactId);
        if (this.jobs[contactId]?.jobId === jobId) delete this.jobs[contactId];
      }, FORGET_DONE_AFTER_MS),
    );
  }

  #clearTimer(contactId: string): void {
    const timer = this.#timers.get(contactId);
    if (timer) clearTimeout(timer);
    this.#timers.delete(contactId);
  }
}
