import { describeError, withQuery, type ApiClient } from '../api.ts';
import { i18n } from '../lib/i18n.svelte.ts';
import type { ProcessingRecordView } from '../privacy-types.ts';
import { tp } from '../lib/privacy-i18n.ts';

/** The printable record, written by the server in the agent's current language. */
export const printableRecordUrl = () => withQuery('/api/privacy/record', { format: 'html', locale: i18n.locale });

/** The Article 30 record of processing and the data map, both derived on the server from the catalog. */
export class ProcessingRecord {
  record = $state<ProcessingRecordView | null>(null);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);

  readonly #api: ApiClient;

  constructor(api: ApiClient) {
    this.#api = api;
  }

  async load(): Promise<void> {
    if (this.status !== 'ready') this.status = 'loading';
    try {
      const record = await this.#api.get<ProcessingRecordView>(
        withQuery('/api/privacy/record', { locale: i18n.locale }),
      );
      if (!record || !Array.isArray(record.dataMap)) {
        this.record = null;
        this.status = 'error';
        this.error = tp('state.record.incomplete');
        return;
      }
      this.record = record;
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (this.status !== 'ready') this.status = 'error';
      this.error = describeError(err, tp('state.record.load'));
    }
  }

  reset(): void {
    this.record = null;
    this.status = 'idle';
    this.error = null;
  }
}
