import { ApiError, widgetApi, type WidgetConfig } from '../lib/api.ts';
import { isUuid } from '../lib/ids.ts';
import { tokenStore } from '../lib/token-store.ts';
import { ChatState } from './chat.svelte.ts';
import { ConsentForm } from './consent.svelte.ts';
import type { HostBridge } from './host.svelte.ts';
import { PrivacyState } from './privacy.svelte.ts';
import { RatingState } from './rating.svelte.ts';
import { i18n } from './i18n.svelte.ts';
import type { Locale } from '../../../../i18n/index.ts';

export type Phase = 'loading' | 'notice' | 'chat' | 'error';
/** What the chat phase shows: the conversation, or the privacy panel opened from the header. */
export type Pane = 'messages' | 'privacy';

// Keys, not texts: the line follows a switch of language while it is on screen.
const EXPIRED_REASON = 'notice.expired';
const ENDED_REASON = 'notice.ended';

/**
 * The widget's flow: a stored visitor token goes straight to the chat; otherwise the consent notice comes
 * first, and nothing is stored (locally, on the host page or on the server) until the visitor accepts it.
 *
 * Where the token comes from: the loader's 'widget:init' answer (it keeps the token first-party on the host
 * page, since a cross-site iframe's storage is blocked or partitioned). An explicit answer wins, null
 * included; the iframe's own storage is used only when no loader answered (opened directly, or an older
 * loader), so a token another embedding site left in unpartitioned iframe storage is never adopted here.
 */
export class WidgetState {
  phase = $state<Phase>('loading');
  config = $state<WidgetConfig | null>(null);
  /** Why the widget cannot show anything (bad snippet, server unreachable). */
  error = $state<string | null>(null);
  /** The catalog key of a line shown above the notice, e.g. after the server ended the session. */
  private noticeReasonKey = $state<string | null>(null);
  chat = $state<ChatState | null>(null);
  /** The satisfaction question, shown once the conversation is resolved. */
  rating = $state<RatingState | null>(null);
  /** The privacy panel's state for the current session (null without a session). */
  privacy = $state<PrivacyState | null>(null);
  view = $state<Pane>('messages');
  /** Agent/bot messages that arrived while the privacy panel was showing (a hint on its Back button). */
  missed = $state(0);
  readonly consent = new ConsentForm();
  readonly inboxId: string | null;
  /** The token to start with, decided once (a retry must not bring back a token the server rejected). */
  private known: Promise<string | null> | null = null;
  /** The token of the running session, so a late "session ended" from an older one is ignored. */
  private token: string | null = null;
  /** Bumped when a visitor action swaps the view, so the new view takes focus (see focusRequest). */
  private viewFocus = $state(0);

  constructor(
    inboxParam: string | null,
    readonly host: HostBridge,
  ) {
    this.inboxId = isUuid(inboxParam) ? inboxParam.toLowerCase() : null;
  }

  get inboxName(): string {
    return this.config?.inbox.name ?? i18n.t('app.title');
  }

  get noticeReason(): string | null {
    return this.noticeReasonKey ? i18n.t(this.noticeReasonKey) : null;
  }

  /**
   * The visitor picked another language: every text follows at once; before consent, the notice itself is
   * fetched again in that language (its own text, hash and version, which the session then records).
   */
  async switchLocale(locale: Locale): Promise<void> {
    if (locale === i18n.locale) return;
    i18n.set(locale);
    if (this.phase === 'notice' || this.phase === 'loading' || this.phase === 'error') {
      this.consent.error = null;
      if ((await this.loadConfig()) && this.phase === 'error') this.phase = 'notice';
    } else {
      void this.loadConfig();
      void this.privacy?.load();
    }
  }

  /**
   * Views move focus into themselves when this changes: on every open of the panel (the loader's
   * 'widget:open') and after the visitor swapped views inside it (back to the chat, chat ended).
   */
  get focusRequest(): number {
    return this.host.focusRequest + this.viewFocus;
  }

  get privacyOpen(): boolean {
    return this.phase === 'chat' && this.view === 'privacy' && this.privacy !== null;
  }

  openPrivacy(): void {
    if (this.phase !== 'chat' || !this.privacy) return;
    this.view = 'privacy';
    this.missed = 0;
    this.privacy.open();
  }

  closePrivacy(): void {
    if (this.view === 'messages') return;
    this.view = 'messages';
    this.missed = 0;
    this.viewFocus += 1;
  }

  togglePrivacy(): void {
    if (this.privacyOpen) this.closePrivacy();
    else this.openPrivacy();
  }

  /** Escape inside the privacy panel: first leave the confirmation step, then go back to the chat. */
  privacyEscape(): void {
    const privacy = this.privacy;
    if (!privacy || privacy.ending) return;
    if (privacy.confirmingEnd) privacy.cancelEnd();
    else this.closePrivacy();
  }

  async start(): Promise<void> {
    if (!this.inboxId) {
      this.fail(i18n.t('app.noInbox'));
      return;
    }
    this.known ??= this.findToken(this.inboxId);
    const token = await this.known;
    if (token) {
      this.openChat(token);
      // The header name and greeting; the chat works without them.
      void this.loadConfig();
      return;
    }
    await this.showNotice();
  }

  private async findToken(inboxId: string): Promise<string | null> {
    const fromHost = await this.host.initialToken;
    return fromHost === undefined ? tokenStore.read(inboxId) : fromHost;
  }

  /** Retry after an error screen. */
  retry(): Promise<void> {
    this.error = null;
    this.phase = 'loading';
    return this.start();
  }

  async accept(): Promise<void> {
    const config = this.config;
    if (!config || !this.inboxId || !this.consent.canSubmit(config.notice.purposes)) return;
    this.consent.submitting = true;
    this.consent.error = null;
    try {
      const { token } = await widgetApi.createSession({
        inboxId: this.inboxId,
        policyVersion: config.notice.policyVersion,
        textHash: config.notice.textHash,
        language: config.notice.language,
        consents: { support: true, analytics: this.consent.checked.analytics === true },
      });
      // The first write to storage, and only because the visitor just agreed: the iframe's own (same-site
      // embedding, direct use) and, through the loader, the host page's (cross-site embedding).
      tokenStore.write(this.inboxId, token);
      this.host.session(token);
      this.known = Promise.resolve(token);
      this.noticeReasonKey = null;
      this.openChat(token);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        // The notice changed while it was on screen: show the current one; consent must be given to it.
        this.consent.reset();
        this.noticeReasonKey = 'notice.updated';
        await this.loadConfig();
      } else {
        this.consent.error =
          error instanceof ApiError && error.status === 0
            ? `${error.message} ${i18n.t('app.pleaseRetry')}`
            : i18n.t('notice.startFailed');
      }
    } finally {
      this.consent.submitting = false;
    }
  }

  /** "Not now": nothing was stored, just close the panel. */
  decline(): void {
    this.host.close();
  }

  private openChat(token: string): void {
    this.chat?.stop();
    this.privacy?.stop();
    this.token = token;
    const privacy = new PrivacyState(token, {
      onUnauthorized: () => void this.sessionEnded(token, EXPIRED_REASON),
      onEnded: () => void this.sessionEnded(token, ENDED_REASON, true),
    });
    const chat = new ChatState(token, {
      // While the visitor is ending the chat, the server may close the socket before it answers the request.
      onUnauthorized: () =>
        void this.sessionEnded(token, privacy.ending ? ENDED_REASON : EXPIRED_REASON, privacy.ending),
      onIncoming: () => {
        if (this.view === 'privacy') this.missed += 1;
        this.host.noteIncoming();
      },
    });
    this.chat = chat;
    this.privacy = privacy;
    this.rating = new RatingState(token, chat, () => void this.sessionEnded(token, EXPIRED_REASON));
    this.view = 'messages';
    this.phase = 'chat';
    chat.start();
    void this.rating.load();
  }

  /**
   * The server no longer accepts the token (rejected, or the visitor ended the chat): forget it everywhere,
   * in the iframe's storage and, through the loader, on the host page, and show the notice again.
   */
  private async sessionEnded(token: string, reason: string, byVisitor = false): Promise<void> {
    if (token !== this.token) return;
    this.token = null;
    if (this.inboxId) tokenStore.clear(this.inboxId);
    this.host.forget();
    this.known = Promise.resolve(null);
    this.chat?.stop();
    this.chat = null;
    this.rating = null;
    this.privacy?.stop();
    this.privacy = null;
    this.view = 'messages';
    this.consent.reset();
    this.noticeReasonKey = reason;
    // The visitor's own action replaced the view they were using: take focus to the notice.
    if (byVisitor) this.viewFocus += 1;
    await this.showNotice();
  }

  private async showNotice(): Promise<void> {
    if (!this.config) {
      this.phase = 'loading';
      if (!(await this.loadConfig())) return;
    }
    this.phase = 'notice';
  }

  private async loadConfig(): Promise<boolean> {
    try {
      this.config = await widgetApi.config(this.inboxId!, i18n.locale);
      return true;
    } catch (error) {
      // In the chat the header falls back to a generic name; elsewhere there is nothing to show.
      if (this.phase !== 'chat') {
        this.fail(
          error instanceof ApiError && error.status === 404 ? i18n.t('app.unavailable') : i18n.t('app.loadFailed'),
        );
      }
      return false;
    }
  }

  private fail(message: string): void {
    this.error = message;
    this.phase = 'error';
  }
}
