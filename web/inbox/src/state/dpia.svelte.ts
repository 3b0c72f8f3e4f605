import { describeError, withQuery, type ApiClient } from '../api.ts';
import { i18n } from '../lib/i18n.svelte.ts';
import type { DpiaVersionList, DpiaView } from '../breach-types.ts';
import type { Toasts } from './toasts.svelte.ts';
import { tp } from '../lib/privacy-i18n.ts';

/** A saved version prints in the language it is written in; the unsaved draft in the agent's current language. */
export const printableDpiaUrl = (version: number | null) =>
  version === null
    ? withQuery('/api/privacy/dpia/print', { locale: i18n.locale })
    : `/api/privacy/dpia/print?version=${version}`;

/**
 * The DPIA (admins): the latest saved version (or the generated draft), the text being edited, and the saved
 * versions. Each save is a new version on the server; an older one can be opened read-only.
 */
export class Dpia {
  current = $state<DpiaView | null>(null);
  /** The sections as edited (a copy of the shown version until saved). */
  draft = $state<DpiaView['sections']>([]);
  /** The language the edited text is written in (the generated draft's), saved with it. */
  draftLanguage = $state<DpiaView['language']>('en');
  versions = $state<DpiaVersionList['items']>([]);
  /** An older version opened for reading, or null. */
  viewing = $state<DpiaView | null>(null);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  busy = $state(false);

  readonly #api: ApiClient;
  readonly #toasts: Toasts;

  constructor(api: ApiClient, toasts: Toasts) {
    this.#api = api;
    this.#toasts = toasts;
  }

  get changed(): boolean {
    return JSON.stringify(this.draft) !== JSON.stringify(this.current?.sections ?? []);
  }

  async load(): Promise<void> {
    if (this.status !== 'ready') this.status = 'loading';
    try {
      const [current, versions] = await Promise.all([
        this.#api.get<DpiaView>(withQuery('/api/privacy/dpia', { locale: i18n.locale })),
        this.#api.get<DpiaVersionList>('/api/privacy/dpia/versions'),
      ]);
      this.#show(current);
      this.versions = versions.items;
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (this.status !== 'ready') this.status = 'error';
      this.error = describeError(err, tp('state.dpia.load'));
    }
  }

  /** Replaces the text being edited with a fresh draft from the configuration (saved only on save). */
  async regenerate(): Promise<void> {
    try {
      const fresh = await this.#api.get<DpiaView>(withQuery('/api/privacy/dpia/draft', { locale: i18n.locale }));
      this.draft = fresh.sections;
      this.draftLanguage = fresh.language;
    } catch (err) {
      this.#toasts.error(tp('state.dpia.draft'), err);
    }
  }

  async save(note: string): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    try {
      const saved = await this.#api.post<DpiaView>('/api/privacy/dpia/versions', {
        sections: this.draft,
        language: this.draftLanguage,
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      this.#toasts.success(tp('state.dpia.saved', { version: saved.version }));
      await this.load();
      return true;
    } catch (err) {
      this.#toasts.error(tp('state.dpia.notSaved'), err);
      return false;
    } finally {
      this.busy = false;
    }
  }

  async open(version: number): Promise<void> {
    try {
      this.viewing = await this.#api.get<DpiaView>(`/api/privacy/dpia/versions/${version}`);
    } catch (err) {
      this.#toasts.error(tp('state.dpia.open'), err);
    }
  }

  reset(): void {
    this.current = null;
    this.draft = [];
    this.versions = [];
    this.viewing = null;
    this.status = 'idle';
  }

  #show(view: DpiaView) {
    this.current = view;
    this.draft = view.sections.map((s) => ({ ...s }));
    this.draftLanguage = view.language;
  }
}
