import { i18n } from './i18n.svelte.ts';
import { ApiError, widgetApi, type CopyLink, type CorrectionInput } from '../lib/api.ts';

export type Line = { kind: 'done' | 'error'; text: string };

/** Server error codes the visitor can act on, in their language; anything else is a general failure. */
const KNOWN_ERRORS: Record<string, string> = {
  invalid_email: 'privacy.fix.invalidEmail',
  invalid_phone: 'privacy.fix.invalidPhone',
  sms_unavailable: 'privacy.fix.noSms',
  empty_name: 'privacy.fix.nothing',
  nothing_to_correct: 'privacy.fix.nothing',
  code_invalid: 'privacy.fix.wrongCode',
};

function failure(error: unknown, what: string): string {
  if (error instanceof ApiError) {
    const known = KNOWN_ERRORS[error.code];
    if (known) return i18n.t(known);
    if (error.status === 429) return `${what} ${i18n.t('app.tooMany')}`;
  }
  return `${what} ${i18n.t('app.pleaseRetry')}`;
}

/**
 * The self-service requests of the privacy panel: a copy as an expiring link, a correction of name, email or
 * phone (a new email or phone waits for the code sent to it), and an erasure request an admin decides. Each is a
 * tracked request on the company's request desk.
 */
export class SelfServiceState {
  link = $state<CopyLink | null>(null);
  linkBusy = $state(false);
  linkLine = $state<Line | null>(null);

  fixOpen = $state(false);
  fixBusy = $state(false);
  fixLine = $state<Line | null>(null);
  /** Changes waiting for their code: one at a time is asked for. */
  pending = $state<{ id: string; field: 'email' | 'phone' }[]>([]);

  erasureAsked = $state(false);
  erasureBusy = $state(false);
  erasureLine = $state<Line | null>(null);

  constructor(
    private readonly token: string,
    private readonly onUnauthorized: () => void,
  ) {}

  async requestLink(): Promise<void> {
    if (this.linkBusy) return;
    this.linkBusy = true;
    this.linkLine = null;
    try {
      this.link = await widgetApi.copyLink(this.token, i18n.locale);
    } catch (error) {
      if (this.rejected(error)) return;
      this.linkLine = { kind: 'error', text: failure(error, i18n.t('privacy.link.failed')) };
    } finally {
      this.linkBusy = false;
    }
  }

  openFix(): void {
    this.fixOpen = true;
    this.fixLine = null;
  }

  closeFix(): void {
    if (this.fixBusy) return;
    this.fixOpen = false;
    this.pending = [];
    this.fixLine = null;
  }

  async correct(input: CorrectionInput): Promise<void> {
    if (this.fixBusy) return;
    const body: CorrectionInput = {};
    for (const key of ['name', 'email', 'phone'] as const) if (input[key]?.trim()) body[key] = input[key]!.trim();
    if (!Object.keys(body).length) {
      this.fixLine = { kind: 'error', text: i18n.t('privacy.fix.nothing') };
      return;
    }
    this.fixBusy = true;
    this.fixLine = null;
    try {
      const result = await widgetApi.correct(this.token, i18n.locale, body);
      this.pending = result.pending;
      this.fixLine = this.pending.length ? null : { kind: 'done', text: i18n.t('privacy.fix.done') };
      if (!this.pending.length) this.fixOpen = false;
    } catch (error) {
      if (this.rejected(error)) return;
      this.fixLine = { kind: 'error', text: failure(error, i18n.t('privacy.fix.failed')) };
    } finally {
      this.fixBusy = false;
    }
  }

  async confirm(code: string): Promise<void> {
    const waiting = this.pending[0];
    if (!waiting || this.fixBusy) return;
    this.fixBusy = true;
    this.fixLine = null;
    try {
      await widgetApi.confirmCorrection(this.token, waiting.id, code.trim());
      this.pending = this.pending.slice(1);
      this.fixLine = { kind: 'done', text: i18n.t('privacy.fix.done') };
      if (!this.pending.length) this.fixOpen = false;
    } catch (error) {
      if (this.rejected(error)) return;
      this.fixLine = { kind: 'error', text: failure(error, i18n.t('privacy.fix.failed')) };
    } finally {
      this.fixBusy = false;
    }
  }

  askErasure(): void {
    this.erasureAsked = true;
    this.erasureLine = null;
  }

  cancelErasure(): void {
    if (!this.erasureBusy) this.erasureAsked = false;
  }

  async requestErasure(): Promise<void> {
    if (this.erasureBusy) return;
    this.erasureBusy = true;
    try {
      const filed = await widgetApi.requestErasure(this.token, i18n.locale);
      this.erasureAsked = false;
      const registered = i18n.t('privacy.erase.filed', { date: i18n.dateTime(filed.dueAt) });
      // How the outcome will come, or that nothing on file can carry it (a chat-only visitor who gave no address).
      const told = filed.answeredVia
        ? i18n.t(`privacy.erase.toldVia.${filed.answeredVia}`)
        : i18n.t('privacy.erase.noAddress');
      this.erasureLine = { kind: 'done', text: `${registered} ${told}` };
    } catch (error) {
      if (this.rejected(error)) return;
      this.erasureLine = { kind: 'error', text: failure(error, i18n.t('privacy.erase.failed')) };
    } finally {
      this.erasureBusy = false;
    }
  }

  private rejected(error: unknown): boolean {
    if (error instanceof ApiError && error.unauthorized) {
      this.onUnauthorized();
      return true;
    }
    return false;
  }
}
