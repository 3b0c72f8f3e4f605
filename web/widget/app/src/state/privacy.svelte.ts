import { i18n } from './i18n.svelte.ts';
import { ApiError, widgetApi, type ConsentPurposeState } from '../lib/api.ts';
import { saveBlob } from '../lib/download.ts';
import { SelfServiceState, type Line } from './self-service.svelte.ts';

/** The name the visitor's browser saves the export under (the server's own name carries an internal id). */
export const EXPORT_FILENAME = 'my-support-data.zip';

type Hooks = {
  /** The server rejected the token (401/403): the widget forgets it and shows the notice again. */
  onUnauthorized: () => void;
  /** The visitor ended the chat (support consent withdrawn): the token no longer works. */
  onEnded: () => void;
};

function failureText(error: unknown, what: string): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return `${error.message} ${i18n.t('app.pleaseRetry')}`;
    if (error.status === 429) return `${what} ${i18n.t('app.tooMany')}`;
  }
  return `${what} ${i18n.t('app.pleaseRetry')}`;
}

/**
 * The privacy panel of one chat session: the consent state as the server reports it (never a local guess),
 * the optional analytics switch, the export download, and ending the chat (which withdraws the required
 * support consent). One instance per token; the panel may be opened and closed many times.
 */
export class PrivacyState {
  purposes = $state<ConsentPurposeState[] | null>(null);
  loading = $state(false);
  loadError = $state<string | null>(null);
  /** The purpose whose switch is being saved. */
  saving = $state<string | null>(null);
  /** The line under the switches: the confirmation of the last change, or why it failed. */
  consentLine = $state<Line | null>(null);
  exporting = $state(false);
  exportLine = $state<Line | null>(null);
  /** The "End chat?" confirmation is on screen. */
  confirmingEnd = $state(false);
  ending = $state(false);
  endError = $state<string | null>(null);

  private stopped = false;
  /** Bumped on every load and save, so an older answer never overwrites a newer one. */
  private generation = 0;

  /** The requests of the panel: a copy link, a correction, erasure. */
  readonly requests: SelfServiceState;

  constructor(
    private readonly token: string,
    private readonly hooks: Hooks,
  ) {
    this.requests = new SelfServiceState(token, () => {
      if (!this.stopped) this.hooks.onUnauthorized();
    });
  }

  /** The panel opened: fresh state from the server, and no lines left over from last time. */
  open(): void {
    this.consentLine = null;
    if (!this.exporting) this.exportLine = null;
    this.confirmingEnd = false;
    this.endError = null;
    void this.load();
  }

  async load(): Promise<void> {
    if (this.stopped) return;
    const generation = ++this.generation;
    this.loading = true;
    this.loadError = null;
    try {
      const { purposes } = await widgetApi.consent(this.token, i18n.locale);
      if (generation === this.generation) this.purposes = purposes;
    } catch (error) {
      if (this.rejected(error)) return;
      if (generation === this.generation) this.loadError = failureText(error, i18n.t('privacy.loadFailed'));
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  /** Withdraws or grants the optional analytics consent; the switch then shows what the server recorded. */
  async setAnalytics(granted: boolean): Promise<void> {
    if (this.stopped || this.saving !== null) return;
    const generation = ++this.generation;
    this.saving = 'analytics';
    this.consentLine = null;
    try {
      const { purposes } = await widgetApi.setConsent(this.token, {
        purpose: 'analytics',
        granted,
        language: i18n.locale,
      });
      if (generation !== this.generation) return;
      this.purposes = purposes;
      this.loadError = null;
      const recorded = purposes.find((p) => p.purpose === 'analytics')?.granted;
      this.consentLine = {
        kind: 'done',
        text:
          recorded === undefined ? i18n.t('privacy.saved') : i18n.t(recorded ? 'privacy.savedOn' : 'privacy.savedOff'),
      };
    } catch (error) {
      if (this.rejected(error)) return;
      this.consentLine = { kind: 'error', text: failureText(error, i18n.t('privacy.notSaved')) };
      // What the server holds now is the only truth worth showing.
      void this.load();
    } finally {
      this.saving = null;
      if (generation === this.generation) this.loading = false;
    }
  }

  /** Fetches the export with the token and hands it to the browser as my-support-data.zip. */
  async download(): Promise<void> {
    if (this.stopped || this.exporting) return;
    this.exporting = true;
    this.exportLine = null;
    try {
      const archive = await widgetApi.exportData(this.token);
      // Even if the chat ended meanwhile, the copy was asked for and is the visitor's own: save it.
      saveBlob(archive, EXPORT_FILENAME);
      this.exportLine = { kind: 'done', text: i18n.t('privacy.downloadStarted', { file: EXPORT_FILENAME }) };
    } catch (error) {
      if (this.rejected(error)) return;
      this.exportLine = {
        kind: 'error',
        text: failureText(
          error,
          error instanceof ApiError && error.code === 'timeout'
            ? i18n.t('privacy.copyTooSlow')
            : i18n.t('privacy.copyFailed'),
        ),
      };
    } finally {
      this.exporting = false;
    }
  }

  askEnd(): void {
    if (this.stopped) return;
    this.endError = null;
    this.confirmingEnd = true;
  }

  cancelEnd(): void {
    if (this.ending) return;
    this.confirmingEnd = false;
    this.endError = null;
  }

  /** Withdraws the support consent, which ends the session on the server; then the widget forgets the token. */
  async endChat(): Promise<void> {
    if (this.stopped || this.ending) return;
    this.ending = true;
    this.endError = null;
    try {
      await widgetApi.setConsent(this.token, { purpose: 'support', granted: false });
      this.ending = false;
      this.hooks.onEnded();
    } catch (error) {
      this.ending = false;
      // A token the server no longer accepts has nothing left to end: the outcome is the same.
      if (error instanceof ApiError && error.unauthorized) return this.hooks.onEnded();
      this.endError = failureText(error, i18n.t('privacy.endFailed'));
    }
  }

  /** The session is over: answers still in flight are ignored. */
  stop(): void {
    this.stopped = true;
    this.generation += 1;
  }

  private rejected(error: unknown): boolean {
    if (this.stopped) return true;
    if (error instanceof ApiError && error.unauthorized) {
      this.hooks.onUnauthorized();
      return true;
    }
    return false;
  }
}
