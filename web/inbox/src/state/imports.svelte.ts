import { describeError, type ApiClient } from '../api.ts';
import { tp } from '../lib/privacy-i18n.ts';

/** An import's plan and report as the Privacy page shows them (counts and names; server/import/plan.ts). */
export type ImportView = {
  id: string;
  source: string;
  state: string;
  createdAt: string;
  finishedAt: string | null;
  plan: {
    inSource: Record<string, number>;
    included: Record<string, number>;
    excluded: Record<string, { conversations: number; messages: number }>;
    fieldsDropped: Record<string, Record<string, number>>;
    fieldsKept: string[];
    pii: Record<string, number>;
    redactOnImport: boolean;
    consent: { events: Record<string, number>; withoutEvidence: Record<string, number>; contactsWithNone: number };
  };
  report: {
    differences: string[];
    dataMap: Array<{ from: string; to: string; count: number }>;
  } | null;
};

/** Imports from other helpdesks (admins): the minimization plan each ran with, and its integrity report. */
export class Imports {
  items = $state<ImportView[]>([]);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);

  readonly #api: ApiClient;

  constructor(api: ApiClient) {
    this.#api = api;
  }

  async load(): Promise<void> {
    if (this.status !== 'ready') this.status = 'loading';
    try {
      this.items = (await this.#api.get<{ items: ImportView[] }>('/api/privacy/imports')).items;
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (this.status !== 'ready') this.status = 'error';
      this.error = describeError(err, tp('state.imports.load'));
    }
  }

  reset(): void {
    this.items = [];
    this.status = 'idle';
    this.error = null;
  }
}
