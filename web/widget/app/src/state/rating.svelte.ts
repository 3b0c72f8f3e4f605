import { i18n } from './i18n.svelte.ts';
import { ApiError, widgetApi } from '../lib/api.ts';
import type { ChatState, ConversationStatus } from './chat.svelte.ts';

/**
 * "How did we do?" after the conversation is resolved. The status comes live from the chat's socket
 * (conversation:status), or from the server when the widget opens on an already resolved conversation.
 * The rating is stored once per conversation; changing it replaces it.
 */
export class RatingState {
  /** The status the server reported when the widget opened (the socket's later updates win). */
  private initialStatus = $state<ConversationStatus | null>(null);
  score = $state<number | null>(null);
  /** The server's word on whether to ask at all (not while the contact is restricted or objects). */
  private allowed = $state(true);
  sending = $state(false);
  changing = $state(false);
  error = $state<string | null>(null);

  constructor(
    private readonly token: string,
    private readonly chat: ChatState,
    private readonly onUnauthorized: () => void,
  ) {}

  get status(): ConversationStatus | null {
    return this.chat.status?.value ?? this.initialStatus;
  }

  /** Show the question (or the thank-you line) only while the conversation is resolved. */
  get visible(): boolean {
    return this.allowed && this.status === 'resolved';
  }

  get asking(): boolean {
    return this.visible && (this.score === null || this.changing);
  }

  async load(): Promise<void> {
    try {
      const state = await widgetApi.rating(this.token);
      this.initialStatus = state.status;
      this.score = state.score;
      this.allowed = state.ask;
    } catch (error) {
      if (error instanceof ApiError && error.unauthorized) this.onUnauthorized();
      // Otherwise the question simply does not show until the next status update.
    }
  }

  async rate(score: number): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    this.error = null;
    try {
      const state = await widgetApi.rate(this.token, score);
      this.score = state.score;
      this.changing = false;
    } catch (error) {
      if (error instanceof ApiError && error.unauthorized) return this.onUnauthorized();
      this.error =
        error instanceof ApiError && error.code === 'not_resolved'
          ? i18n.t('rating.reopened')
          : i18n.t('rating.failed');
    } finally {
      this.sending = false;
    }
  }

  change(): void {
    this.changing = true;
  }
}
