import { t } from '../lib/i18n.svelte.ts';
import type { ApiClient } from '../api.ts';
import type { MessageView } from '../types.ts';
import type { RecordingView } from '../../../../server/http/views/recordings.ts';
import type { Toasts } from './toasts.svelte.ts';

export type { RecordingView };

/**
 * The call recordings of the open conversation, by the call message they belong to: played from
 * their authenticated media URL, each with its deletion date, and deletable at once by any agent.
 */
export class CallRecordings {
  conversationId = $state<string | null>(null);
  items = $state<RecordingView[]>([]);
  deleting = $state<Record<string, boolean>>({});
  /** The recording whose "Delete now" is waiting for confirmation. */
  confirming = $state<string | null>(null);

  byMessage = $derived.by(() => {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- rebuilt whole by $derived, never mutated after
    const map = new Map<string, RecordingView[]>();

    for (const r of this.items) {
      if (!r.messageId) continue;
      const list = map.get(r.messageId);
      if (list) list.push(r);
      else map.set(r.messageId, [r]);
    }
    return map;
  });

  readonly #api: ApiClient;
  readonly #toasts: Toasts;
  #generation = 0;

  constructor(api: ApiClient, toasts: Toasts) {
    this.#api = api;
    this.#toasts = toasts;
  }

  forMessage(messageId: string): RecordingView[] {
    return this.byMessage.get(messageId) ?? [];
  }

  async open(conversationId: string): Promise<void> {
    if (this.conversationId !== conversationId) {
      this.items = [];
      this.confirming = null;
    }
    this.conversationId = conversationId;
    await this.#load();
  }

  close(): void {
    this.#generation++;
    this.conversationId = null;
    this.items = [];
    this.confirming = null;
  }

  /** A call message changed (its voicemail arrived): fetch the recordings again. */
  applyMessageUpdated(message: MessageView): void {
    if (message.channel === 'voice' && message.conversationId === this.conversationId) void this.#load();
  }

  askDelete(id: string | null): void {
    this.confirming = id;
  }

  async deleteNow(id: string): Promise<void> {
    if (this.deleting[id]) return;
    this.deleting[id] = true;
    try {
      const { recording } = await this.#api.request<{ recording: RecordingView }>(
        'DELETE',
        `/api/recordings/${encodeURIComponent(id)}`,
      );
      this.items = this.items.map((r) => (r.id === id ? recording : r));
      this.#toasts.success(t('toast.recordingDeleted'));
    } catch (err) {
      this.#toasts.error(t('toast.recordingDeleteFailed'), err);
      void this.#load();
    } finally {
      delete this.deleting[id];
      if (this.confirming === id) this.confirming = null;
    }
  }

  async #load(): Promise<void> {
    const id = this.conversationId;
    if (!id) return;
    const generation = ++this.#generation;
    try {
      const { items } = await this.#api.get<{ items: RecordingView[] }>('/api/recordings', { conversationId: id });
      if (generation === this.#generation) this.items = items;
    } catch {
      // The timeline still works without its recordings; the next open or update tries again.
    }
  }
}
