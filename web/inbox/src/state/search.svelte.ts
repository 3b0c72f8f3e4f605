import type { ApiClient } from '../api.ts';
import type { ChannelKind, ConversationStatus, InboxList, InboxView } from '../types.ts';
import type { SearchHitView, SearchPage } from '../../../../server/http/views/search.ts';
import { app } from './app.svelte.ts';
import { hrefs } from './router.svelte.ts';
import { browserZone } from '../lib/format.ts';

export type SearchFilters = {
  status: ConversationStatus | 'all';
  channel: ChannelKind | 'all';
  inbox: string;
  assignee: 'all' | 'me' | 'unassigned';
  from: string;
  to: string;
};

const noFilters: SearchFilters = { status: 'all', channel: 'all', inbox: '', assignee: 'all', from: '', to: '' };
/** Typing pauses this long before the query goes out, so a word typed fast is one request, not five. */
const DEBOUNCE_MS = 180;

/**
 * The search box in the top bar (GET /api/search): the text, the filters, the hits and which one the arrow keys
 * have reached. Answers that arrive after a newer query went out are dropped.
 */
export class ConversationSearch {
  text = $state('');
  filters = $state<SearchFilters>({ ...noFilters });
  items = $state<SearchHitView[]>([]);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  /** The hit the arrow keys are on (-1: none). */
  active = $state(-1);
  open = $state(false);
  inboxes = $state<InboxView[]>([]);
  #api: ApiClient;
  #open: (conversationId: string) => void;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #sequence = 0;

  constructor(api: ApiClient, openConversation: (conversationId: string) => void) {
    this.#api = api;
    this.#open = openConversation;
  }

  get filtered(): boolean {
    return Object.entries(this.filters).some(([key, value]) => noFilters[key as keyof SearchFilters] !== value);
  }

  setText(text: string): void {
    this.text = text;
    this.open = true;
    this.#schedule();
  }

  setFilters(change: Partial<SearchFilters>): void {
    this.filters = { ...this.filters, ...change };
    this.#schedule();
  }

  clearFilters(): void {
    this.filters = { ...noFilters };
    this.#schedule();
  }

  async show(): Promise<void> {
    this.open = true;
    if (!this.inboxes.length) {
      try {
        this.inboxes = (await this.#api.get<InboxList>('/api/inboxes')).items;
      } catch {
        // The inbox filter stays empty; searching works without it.
      }
    }
  }

  close(): void {
    this.open = false;
    this.active = -1;
  }

  move(step: 1 | -1): void {
    if (!this.items.length) return;
    this.open = true;
    this.active = (this.active + step + this.items.length) % this.items.length;
  }

  /** Opens the hit the arrow keys are on (or the first): the conversation, and closes the results. */
  choose(index = this.active < 0 ? 0 : this.active): void {
    const hit = this.items[index];
    if (!hit) return;
    this.#open(hit.conversation.id);
    this.close();
  }

  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#run(), DEBOUNCE_MS);
  }

  async #run(): Promise<void> {
    const sequence = ++this.#sequence;
    const text = this.text.trim();
    if (!text) {
      this.items = [];
      this.status = 'idle';
      this.active = -1;
      return;
    }
    this.status = 'loading';
    const f = this.filters;
    try {
      const page = await this.#api.get<SearchPage>('/api/search', {
        q: text,
        status: f.status === 'all' ? null : f.status,
        channel: f.channel === 'all' ? null : f.channel,
        inbox: f.inbox || null,
        assignee: f.assignee === 'all' ? null : f.assignee,
        from: f.from || null,
        to: f.to || null,
        // The days the agent chose are their own: "to" ends at their midnight, not at UTC's.
        tz: f.from || f.to ? browserZone() : null,
      });
      if (sequence !== this.#sequence) return;
      this.items = page.items;
      this.active = page.items.length ? 0 : -1;
      this.status = 'ready';
    } catch {
      if (sequence !== this.#sequence) return;
      this.items = [];
      this.active = -1;
      this.status = 'error';
    }
  }
}

export const search = new ConversationSearch(app.api, (id) => app.router.navigate(hrefs.conversation(id)));
