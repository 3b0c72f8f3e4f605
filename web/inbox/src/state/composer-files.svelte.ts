import { t } from '../lib/i18n.svelte.ts';
import type { ApiClient } from '../api.ts';
import type { MessageResult } from '../types.ts';
import type { ConversationDetail } from './conversation-detail.svelte.ts';
import type { Toasts } from './toasts.svelte.ts';

/** A file the agent chose, waiting in the composer until the message goes out. */
export type PendingFile = {
  key: number;
  name: string;
  size: number;
  /** A data: URL of an image, for the preview (the inbox's CSP allows data: images, not blob:). */
  preview: string | null;
  /** The bytes, base64, as the server takes them. */
  data: string;
};

export const composerFilesTexts = {
  unreadable: (name: string) => t('toast.fileUnreadable', { name }),
  get sendFailed() {
    return t('toast.filesSendFailed');
  },
  get noteFailed() {
    return t('toast.filesNoteFailed');
  },
};

const PREVIEWABLE = /^image\/(png|jpeg|gif|webp)$/;

/** Reads a file as a data: URL; its base64 part is what the server takes. */
function readDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('unreadable'));
    reader.readAsDataURL(file);
  });
}

/**
 * Files attached in the composer (picker, drag and drop, paste), kept per conversation like the drafts, so
 * switching away or a refused send loses nothing. With files, the draft and the files go out in one request
 * (POST /api/conversations/:id/files); without, the composer's ordinary send runs. The server checks sizes and
 * types by the bytes and answers a clear error (shown as a toast); the text and the files then stay.
 */
export class ComposerFiles {
  readonly #api: ApiClient;
  readonly #toasts: Toasts;
  readonly #detail: ConversationDetail;
  #next = 0;

  byConversation = $state<Record<string, PendingFile[]>>({});
  sending = $state(false);

  /** The open conversation's files (getters: they read the detail, which the constructor receives). */
  get pending(): PendingFile[] {
    return this.#detail.id ? (this.byConversation[this.#detail.id] ?? []) : [];
  }

  get canSend(): boolean {
    return this.pending.length > 0 && !this.sending && this.#detail.status === 'ready';
  }

  constructor(api: ApiClient, toasts: Toasts, detail: ConversationDetail) {
    this.#api = api;
    this.#toasts = toasts;
    this.#detail = detail;
  }

  async add(files: Iterable<File>): Promise<void> {
    const id = this.#detail.id;
    if (!id) return;
    for (const file of files) {
      try {
        const url = await readDataUrl(file);
        const entry: PendingFile = {
          key: ++this.#next,
          name: file.name || 'pasted-image.png',
          size: file.size,
          preview: PREVIEWABLE.test(file.type) ? url : null,
          data: url.slice(url.indexOf(',') + 1),
        };
        this.byConversation[id] = [...(this.byConversation[id] ?? []), entry];
      } catch {
        this.#toasts.push('error', composerFilesTexts.unreadable(file.name));
      }
    }
  }

  remove(key: number): void {
    const id = this.#detail.id;
    if (id) this.byConversation[id] = (this.byConversation[id] ?? []).filter((f) => f.key !== key);
  }

  /** Sends the draft with the files, or the draft alone through the composer's own send. */
  async send(): Promise<boolean> {
    const detail = this.#detail;
    const id = detail.id;
    if (!id || this.pending.length === 0) return detail.send();
    if (!this.canSend || detail.sending) return false;
    const files = this.pending;
    const typed = detail.draft;
    const note = detail.mode === 'note';
    this.sending = true;
    try {
      const { message } = await this.#api.post<MessageResult>(`/api/conversations/${encodeURIComponent(id)}/files`, {
        text: typed.trim(),
        kind: note ? 'note' : 'message',
        files: files.map((f) => ({ name: f.name, data: f.data })),
      });
      // Anything typed or attached while the request was in flight stays in the composer.
      if (detail.draft === typed) detail.setDraft('');
      this.byConversation[id] = (this.byConversation[id] ?? []).filter((f) => !files.includes(f));
      if (detail.conversation) detail.applyMessageCreated(message, detail.conversation);
      return true;
    } catch (err) {
      this.#toasts.error(note ? composerFilesTexts.noteFailed : composerFilesTexts.sendFailed, err);
      return false;
    } finally {
      this.sending = false;
    }
  }
}
