import { t } from '../lib/i18n.svelte.ts';
import type { ApiClient } from '../api.ts';
import type { Toasts } from './toasts.svelte.ts';

/** GET /api/messages/:id/full (server/domain/uploads-full-message.ts). */
export type FullMessage = { html: string | null; text: string; originalId: string | null };

/**
 * A mail read in full: one cut at MESSAGE_MAX_CHARS or sent as HTML only. Loaded when the agent asks, shown in a
 * sandboxed frame (components/FullMessageDialog.svelte), with the original .eml to download.
 */
export class FullMessageViewer {
  messageId = $state<string | null>(null);
  message = $state<FullMessage | null>(null);
  loading = $state(false);

  readonly #api: ApiClient;
  readonly #toasts: Toasts;

  constructor(api: ApiClient, toasts: Toasts) {
    this.#api = api;
    this.#toasts = toasts;
  }

  async open(messageId: string): Promise<void> {
    this.messageId = messageId;
    this.message = null;
    this.loading = true;
    try {
      const full = await this.#api.get<FullMessage>(`/api/messages/${encodeURIComponent(messageId)}/full`);
      if (this.messageId === messageId) this.message = full;
    } catch (err) {
      this.#toasts.error(t('toast.fullMessageFailed'), err);
      this.close();
    } finally {
      this.loading = false;
    }
  }

  close(): void {
    this.messageId = null;
    this.message = null;
  }
}
