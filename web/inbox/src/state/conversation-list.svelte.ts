import { t } from '../lib/i18n.svelte.ts';
import { describeError, type ApiClient } from '../api.ts';
import type { ChannelKind, ConversationPage, ConversationStatus, ConversationView } from '../types.ts';
import { appendUnseen } from '../lib/pages.ts';

export type StatusFilter = ConversationStatus | 'all';
export type AssigneeFilter = 'me' | 'unassigned' | 'all';
export type ChannelFilter = ChannelKind | 'all';
/** 'mine': a team the agent belongs to; 'none': no team; otherwise a team id. */
export type TeamFilter = 'all' | 'mine' | 'none' | string;
export type Filters = { status: StatusFilter; channel: ChannelFilter; assignee: AssigneeFilter; team: TeamFilter };

/** 'all' by default so nothing new (e.g. a chat the bot is still handling) is hidden from a fresh agent. */
export const defaultFilters: Filters = { status: 'all', channel: 'all', assignee: 'all', team: 'all' };
const PAGE_SIZE = 25;

const time = (c: ConversationView) => Date.parse(c.lastMessageAt) || 0;

/**
 * The conversation list for the current filters, newest activity first, kept live by realtime events
 * through `upsert` (which applies the same filters the server does).
 */
export class ConversationList {
  filters = $state<Filters>({ ...defaultFilters });
  items = $state<ConversationView[]>([]);
  nextCursor = $state<string | null>(null);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  loadingMore = $state(false);
  error = $state<string | null>(null);

  readonly #api: ApiClient;
  readonly #me: () => string | null;
  /** Bumped on every reload so a slow response for old filters never overwrites newer results. */
  #generation = 0;
  /**
   * This agent's unread count per conversation, as last known. Realtime payloads go to every agent
   * alike, so their unreadCount is not ours: counts come from list pages (computed for this agent) and
   * are advanced locally by the inbound messages we see arrive.
   */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping: the list renders items[].unreadCount
  #unread = new Map<string, number>();
  /** Inbound messages already counted, so a repeated event never counts twice. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- private bookkeeping, nothing renders it
  #counted = new Set<string>();

  readonly #myTeams: () => string[];

  constructor(api: ApiClient, me: () => string | null, myTeams: () => string[] = () => []) {
    this.#api = api;
    this.#me = me;
    this.#myTeams = myTeams;
  }

  setFilters(patch: Partial<Filters>): void {
    const next = { ...this.filters, ...patch };
    if (
      next.status === this.filters.status &&
      next.channel === this.filters.channel &&
      next.assignee === this.filters.assignee &&
      next.team === this.filters.team
    ) {
      return;
    }
    this.filters = next;
    void this.reload();
  }

  /** Reloads the first page. `quiet` keeps the current rows on screen (used after a reconnect). */
  async reload(quiet = false): Promise<void> {
    const generation = ++this.#generation;
    if (!quiet) {
      this.status = 'loading';
      this.items = [];
      this.nextCursor = null;
    }
    try {
      const page = await this.#fetch(null);
      if (generation !== this.#generation) return;
      this.#remember(page.items);
      this.items = page.items;
      this.nextCursor = page.nextCursor;
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (generation !== this.#generation) return;
      if (!quiet || this.status !== 'ready') this.status = 'error';
      this.error = describeError(err, t('list.loadFailed'));
    }
  }

  async loadMore(): Promise<void> {
    if (!this.nextCursor || this.loadingMore) return;
    const generation = this.#generation;
    this.loadingMore = true;
    try {
      const page = await this.#fetch(this.nextCursor);
      if (generation !== this.#generation) return;
      this.#remember(page.items);
      this.items = appendUnseen(this.items, page.items);
      this.nextCursor = page.nextCursor;
      this.error = null;
    } catch (err) {
      if (generation !== this.#generation) return;
      this.error = describeError(err, t('list.loadMoreFailed'));
    } finally {
      if (generation === this.#generation) this.loadingMore = false;
    }
  }

  /** Does the conversation belong in the list under the current filters? */
  matches(c: ConversationView): boolean {
    const f = this.filters;
    if (f.status !== 'all' && c.status !== f.status) return false;
    if (f.channel !== 'all' && c.channel !== f.channel) return false;
    if (f.assignee === 'unassigned' && c.assignee !== null) return false;
    if (f.assignee === 'me' && c.assignee?.id !== this.#me()) return false;
    if (f.team === 'none' && c.team !== null) return false;
    if (f.team === 'mine' && !(c.team && this.#myTeams().includes(c.team.id))) return false;
    if (f.team !== 'all' && f.team !== 'none' && f.team !== 'mine' && c.team?.id !== f.team) return false;
    return true;
  }

  /**
   * Applies a fresh copy of a conversation: inserted or moved to its place by last activity, or
   * removed when it no longer matches the filters.
   */
  upsert(c: ConversationView): void {
    if (this.status !== 'ready') return;
    const rest = this.items.filter((x) => x.id !== c.id);
    if (!this.matches(c)) {
      if (rest.length !== this.items.length) this.items = rest;
      return;
    }
    let index = rest.findIndex((x) => time(x) < time(c));
    if (index === -1) {
      // Older than everything loaded: it belongs to a page not fetched yet, unless this is the last page.
      if (this.nextCursor !== null) {
        if (rest.length !== this.items.length) this.items = rest;
        return;
      }
      index = rest.length;
    }
    this.items = [...rest.slice(0, index), c, ...rest.slice(index)];
  }

  /**
   * Applies a conversation from a realtime event or an action's response, with this agent's unread count:
   * zero while the agent is looking at it, plus one for a new inbound message otherwise.
   */
  applyLive(c: ConversationView, change: { inboundMessageId?: string; viewing: boolean }): void {
    let unread = this.#unread.get(c.id) ?? 0;
    if (change.viewing) unread = 0;
    else if (change.inboundMessageId && !this.#counted.has(change.inboundMessageId)) unread += 1;
    if (change.inboundMessageId) {
      this.#counted.add(change.inboundMessageId);
      if (this.#counted.size > 5000) this.#counted.clear();
    }
    this.#unread.set(c.id, unread);
    this.upsert({ ...c, unreadCount: unread });
  }

  setUnread(id: string, unreadCount: number): void {
    this.#unread.set(id, unreadCount);
    const item = this.items.find((c) => c.id === id);
    if (item && item.unreadCount !== unreadCount) item.unreadCount = unreadCount;
  }

  /** The conversation no longer exists (erased): drop it from the list. */
  remove(id: string): void {
    this.#unread.delete(id);
    if (this.items.some((c) => c.id === id)) this.items = this.items.filter((c) => c.id !== id);
  }

  /** A contact was rectified: its conversations in the list show the new name. */
  applyContact(contact: { id: string; name: string | null }): void {
    if (!this.items.some((c) => c.contact.id === contact.id)) return;
    this.items = this.items.map((c) =>
      c.contact.id === contact.id ? { ...c, contact: { ...c.contact, name: contact.name } } : c,
    );
  }

  get(id: string): ConversationView | undefined {
    return this.items.find((c) => c.id === id);
  }

  reset(): void {
    this.#generation++;
    this.#unread.clear();
    this.#counted.clear();
    this.filters = { ...defaultFilters };
    this.items = [];
    this.nextCursor = null;
    this.status = 'idle';
    this.loadingMore = false;
    this.error = null;
  }

  #remember(items: ConversationView[]): void {
    for (const c of items) this.#unread.set(c.id, c.unreadCount);
  }

  #fetch(cursor: string | null): Promise<ConversationPage> {
    const f = this.filters;
    return this.#api.get<ConversationPage>('/api/conversations', {
      status: f.status === 'all' ? undefined : f.status,
      channel: f.channel === 'all' ? undefined : f.channel,
      assignee: f.assignee === 'all' ? undefined : f.assignee,
      team: f.team === 'all' ? undefined : f.team,
      cursor,
      limit: PAGE_SIZE,
    });
  }
}
