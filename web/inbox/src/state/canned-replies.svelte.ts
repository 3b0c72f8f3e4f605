import { describeError, type ApiClient } from '../api.ts';
import { ta } from '../lib/admin-i18n.ts';
import type { Toasts } from './toasts.svelte.ts';

export type ReplyLanguage = 'en' | 'de' | 'fr' | 'fi' | 'sv';
export type CannedReply = {
  id: string;
  shortcut: string;
  title: string;
  shared: boolean;
  variants: Partial<Record<ReplyLanguage, string>>;
  updatedAt: string;
};
export type CannedReplyInput = Omit<CannedReply, 'id' | 'updatedAt'>;
export type RenderedReply = {
  text: string;
  language: ReplyLanguage;
  languageSource: 'conversation' | 'requested' | 'fallback';
  unfilled: string[];
};

/** Shortcut or title contains every typed word (what the "/" popup shows). */
export function matchReplies(items: CannedReply[], query: string): CannedReply[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return items.filter((r) => {
    const hay = `${r.shortcut} ${r.title}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** The shared canned replies and the agent's own: the "/" popup of the composer and the Canned replies page. */
export class CannedReplies {
  items = $state<CannedReply[]>([]);
  variables = $state<string[]>([]);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  saving = $state(false);

  readonly #api: ApiClient;
  readonly #toasts: Toasts;

  constructor(api: ApiClient, toasts: Toasts) {
    this.#api = api;
    this.#toasts = toasts;
  }

  async load(): Promise<void> {
    if (this.status === 'loading') return;
    this.status = this.items.length ? this.status : 'loading';
    try {
      const body = await this.#api.get<{ items: CannedReply[]; variables: string[] }>('/api/canned-replies');
      this.items = body.items;
      this.variables = body.variables;
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      this.status = 'error';
      this.error = describeError(err);
    }
  }

  /** Creates (no id) or replaces a reply; answers the error text for the form, or null when saved. */
  async save(id: string | null, input: CannedReplyInput): Promise<string | null> {
    this.saving = true;
    try {
      const saved = id
        ? await this.#api.put<CannedReply>(`/api/canned-replies/${id}`, input)
        : await this.#api.post<CannedReply>('/api/canned-replies', input);
      this.items = [...this.items.filter((r) => r.id !== saved.id), saved].sort((a, b) =>
        a.shortcut.localeCompare(b.shortcut),
      );
      this.#toasts.success(id ? ta('canned.saved') : ta('canned.added'));
      return null;
    } catch (err) {
      return describeError(err);
    } finally {
      this.saving = false;
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await this.#api.delete(`/api/canned-replies/${id}`);
      this.items = this.items.filter((r) => r.id !== id);
      this.#toasts.success(ta('canned.deleted'));
    } catch (err) {
      this.#toasts.error(ta('canned.deleteError'), err);
    }
  }

  /** The reply filled in for a conversation (the server knows the data; unknown values stay {{placeholders}}). */
  async render(id: string, conversationId: string, language?: ReplyLanguage): Promise<RenderedReply | null> {
    try {
      return await this.#api.post<RenderedReply>(`/api/canned-replies/${id}/render`, { conversationId, language });
    } catch (err) {
      this.#toasts.error(ta('canned.insertError'), err);
      return null;
    }
  }

  reset(): void {
    this.items = [];
    this.variables = [];
    this.status = 'idle';
    this.error = null;
  }
}
