import { describeError, type ApiClient } from '../api.ts';
import type { RecordingView } from './call-recordings.svelte.ts';
import { tp } from '../lib/privacy-i18n.ts';

/** Admins: call recordings whose deletion at the provider keeps failing (they are kept and retried). */
export class RecordingDeletionFailures {
  items = $state<RecordingView[]>([]);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);

  readonly #api: ApiClient;

  constructor(api: ApiClient) {
    this.#api = api;
  }

  async load(): Promise<void> {
    if (this.status !== 'ready') this.status = 'loading';
    try {
      const { items } = await this.#api.get<{ items: RecordingView[] }>('/api/recordings/deletion-failures');
      this.items = items;
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      this.status = 'error';
      this.error = describeError(err, tp('state.recordingFailures.load'));
    }
  }
}
