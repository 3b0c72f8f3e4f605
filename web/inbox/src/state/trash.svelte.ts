import { describeError, type ApiClient } from '../api.ts';
import { ta } from '../lib/admin-i18n.ts';
import { t } from '../lib/i18n.svelte.ts';
import type { ConversationView } from '../types.ts';
import type { TrashItemView, TrashWindowView as TrashWindow } from '../../../../server/http/views/trash.ts';
import type { Toasts } from './toasts.svelte.ts';

export type { TrashItemView };

/**
 * The trash: any agent deletes a conversation (after a confirmation that says for how long it stays restorable);
 * admins list what is there and restore it (after a confirmation too), and set the window (TRASH_RETAIN_DAYS until
 * an admin chooses one). The delete dialog reads the window each time it opens, so it names the one in force.
 */
export class Trash {
  /** Days a conversation deleted now stays in the trash; null until read. */
  retainDays = $state<number | null>(null);
  /** The conversation the delete dialog asks about. */
  deleteTarget = $state<{ id: string; name: string } | null>(null);
  deleting = $state(false);
  deleteError = $state<string | null>(null);

  /** The window while no admin has chosen one (TRASH_RETAIN_DAYS); null until read. */
  defaultDays = $state<number | null>(null);
  /** True once an admin has chosen the window. */
  customWindow = $state(false);
  savingWindow = $state(false);
  windowError = $state<string | null>(null);

  items = $state<TrashItemView[]>([]);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  restoreTarget = $state<TrashItemView | null>(null);
  restoring = $state(false);
  restoreError = $state<string | null>(null);

  /** Conversations this agent deleted: the server's 'conversation:removed' echo needs no notice. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- private bookkeeping, nothing renders it
  readonly #ownRemovals = new Set<string>();
  readonly #api: ApiClient;
  readonly #toasts: Toasts;
  readonly #deleted: (id: string) => void;
  readonly #restored: (conversation: ConversationView) => void;

  constructor(
    api: ApiClient,
    toasts: Toasts,
    deleted: (id: string) => void,
    restored: (conversation: ConversationView) => void,
  ) {
    this.#api = api;
    this.#toasts = toasts;
    this.#deleted = deleted;
    this.#restored = restored;
  }

  async askDelete(conversation: { id: string; name: string }): Promise<void> {
    this.deleteTarget = conversation;
    this.deleteError = null;
    try {
      this.#setWindow(await this.#api.get<TrashWindow>('/api/trash/window'));
    } catch (err) {
      this.deleteError = describeError(err);
    }
  }

  cancelDelete(): void {
    if (this.deleting) return;
    this.deleteTarget = null;
    this.deleteError = null;
  }

  async confirmDelete(): Promise<boolean> {
    const target = this.deleteTarget;
    if (!target || this.deleting) return false;
    this.deleting = true;
    this.deleteError = null;
    // The server's 'conversation:removed' event may overtake its answer.
    this.#ownRemovals.add(target.id);
    try {
      await this.#api.delete(`/api/conversations/${encodeURIComponent(target.id)}`);
      this.deleteTarget = null;
      this.#deleted(target.id);
      this.#toasts.push('success', t('trash.deleted'), t('trash.deletedDetail', { days: this.retainDays ?? 0 }));
      return true;
    } catch (err) {
      this.#ownRemovals.delete(target.id);
      this.deleteError = describeError(err, t('trash.deleteFailed'));
      return false;
    } finally {
      this.deleting = false;
    }
  }

  /** True (once) when a removed conversation is one this agent just deleted. */
  consumeOwnRemoval(conversationId: string): boolean {
    return this.#ownRemovals.delete(conversationId);
  }

  async load(): Promise<void> {
    this.status = 'loading';
    this.error = null;
    try {
      const [body, window] = await Promise.all([
        this.#api.get<{ retainDays: number; items: TrashItemView[] }>('/api/trash'),
        this.#api.get<TrashWindow>('/api/trash/window'),
      ]);
      this.items = body.items;
      this.#setWindow(window);
      this.status = 'ready';
    } catch (err) {
      this.error = describeError(err, ta('trash.loadFailed'));
      this.status = 'error';
    }
  }

  /** Sets the window for conversations deleted from now on (admins); the caller has checked the range. */
  async saveWindow(retainDays: number): Promise<boolean> {
    if (this.savingWindow) return false;
    this.savingWindow = true;
    this.windowError = null;
    try {
      this.#setWindow(await this.#api.put<TrashWindow>('/api/trash/window', { retainDays }));
      this.#toasts.push('success', ta('trash.window.saved', { days: retainDays }));
      return true;
    } catch (err) {
      this.windowError = describeError(err, ta('trash.window.saveFailed'));
      return false;
    } finally {
      this.savingWindow = false;
    }
  }

  #setWindow(window: TrashWindow): void {
    this.retainDays = window.retainDays;
    this.defaultDays = window.defaultDays;
    this.customWindow = window.custom;
  }

  askRestore(item: TrashItemView): void {
    this.restoreTarget = item;
    this.restoreError = null;
  }

  cancelRestore(): void {
    if (this.restoring) return;
    this.restoreTarget = null;
    this.restoreError = null;
  }

  async confirmRestore(): Promise<boolean> {
    const target = this.restoreTarget;
    if (!target || this.restoring) return false;
    this.restoring = true;
    this.restoreError = null;
    try {
      const { conversation } = await this.#api.post<{ conversation: ConversationView }>(
        `/api/trash/${encodeURIComponent(target.id)}/restore`,
      );
      this.items = this.items.filter((i) => i.id !== target.id);
      this.restoreTarget = null;
      this.#restored(conversation);
      this.#toasts.push('success', ta('trash.restored'));
      return true;
    } catch (err) {
      this.restoreError = describeError(err, ta('trash.restoreFailed'));
      return false;
    } finally {
      this.restoring = false;
    }
  }
}
