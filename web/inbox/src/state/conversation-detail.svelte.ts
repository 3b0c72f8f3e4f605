import { t } from '../lib/i18n.svelte.ts';
import { describeError, isApiError, type ApiClient } from '../api.ts';
import { dayKey } from '../lib/format.ts';
import type {
  ConsentState,
  ConversationDetail as ConversationDetailView,
  ConversationResult,
  ConversationStatus,
  ConversationView,
  MessageResult,
  MessageView,
} from '../types.ts';
import type { BotDecisionView } from '../bot-types.ts';
import type { LegalHoldView, PrivacyContactView, RedactableMessage, RestrictionView } from '../privacy-types.ts';
import type { Toasts } from './toasts.svelte.ts';

export type ComposerMode = 'reply' | 'note';
/** One line of the timeline: a message, or a bot decision shown right after the customer message it answered. */
export type TimelineItem =
  | { kind: 'message'; key: string; message: RedactableMessage }
  | { kind: 'decision'; key: string; decision: BotDecisionView };
export type TimelineDay = { day: number; items: TimelineItem[] };

export type DetailEvents = {
  /** The server returned a new copy of the conversation (assign, status, read). */
  conversationChanged: (conversation: ConversationView) => void;
  read: (conversationId: string) => void;
  /** The agent set the status here (the live region says so; the button stays where it was). */
  statusSet?: (conversation: ConversationView) => void;
};

const created = (m: { createdAt: string }) => Date.parse(m.createdAt) || 0;
const path = (id: string, action = '') => `/api/conversations/${encodeURIComponent(id)}${action}`;

/**
 * Messages by day, each bot decision placed right after the message it refers to; decisions without one
 * (or whose message is not here) come last, in the order they were made.
 */
function buildTimeline(messages: RedactableMessage[], decisions: BotDecisionView[]): TimelineDay[] {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local index for this pass; only `days` is returned
  const after = new Map<string, BotDecisionView[]>();

  const ids = new Set(messages.map((m) => m.id));
  const trailing: BotDecisionView[] = [];
  for (const decision of decisions) {
    if (decision.messageId && ids.has(decision.messageId)) {
      const list = after.get(decision.messageId);
      if (list) list.push(decision);
      else after.set(decision.messageId, [decision]);
    } else {
      trailing.push(decision);
    }
  }
  const days: TimelineDay[] = [];
  const put = (createdAt: string, item: TimelineItem, ownDay = true) => {
    const last = days[days.length - 1];
    const day = dayKey(createdAt);
    // Never an earlier day after a later one (day keys stay unique): such an item joins the last day.
    if (last && (last.day >= day || !ownDay)) last.items.push(item);
    else days.push({ day, items: [item] });
  };
  for (const message of messages) {
    put(message.createdAt, { kind: 'message', key: message.id, message });
    // A decision belongs under its message even if it was made after midnight.
    for (const decision of after.get(message.id) ?? [])
      put(decision.createdAt, { kind: 'decision', key: `d:${decision.id}`, decision }, false);
  }
  for (const decision of trailing) put(decision.createdAt, { kind: 'decision', key: `d:${decision.id}`, decision });
  return days;
}

const byCreated = (a: BotDecisionView, b: BotDecisionView) => created(a) - created(b);

/** Trailing whitespace and leading blank lines are noise; inner whitespace is the agent's and is kept. */
function tidy(text: string): string {
  return text.replace(/^(?:[ \t]*\r?\n)+/, '').trimEnd();
}

/**
 * The open conversation: its messages, contact, composer drafts (kept per conversation, so switching
 * away or a failed send never loses typed text), and the actions on it.
 */
export class ConversationDetail {
  id = $state<string | null>(null);
  conversation = $state<ConversationView | null>(null);
  messages = $state<RedactableMessage[]>([]);
  /** What the bot decided about this conversation's messages, oldest first. */
  botDecisions = $state<BotDecisionView[]>([]);
  /** Who took part (email: From/To/Cc of its mails); replies go only to them. */
  participants = $state<ConversationDetailView['participants']>([]);
  contact = $state<PrivacyContactView | null>(null);
  status = $state<'idle' | 'loading' | 'ready' | 'not_found' | 'error'>('idle');
  error = $state<string | null>(null);

  drafts = $state<Record<string, string>>({});
  modes = $state<Record<string, ComposerMode>>({});
  sending = $state(false);
  assigning = $state(false);
  assigningTeam = $state(false);
  changingStatus = $state(false);

  draft = $derived(this.id ? (this.drafts[this.id] ?? '') : '');
  mode = $derived<ComposerMode>(this.id ? (this.modes[this.id] ?? 'reply') : 'reply');
  canSend = $derived(this.status === 'ready' && !this.sending && tidy(this.draft).length > 0);
  timeline = $derived(buildTimeline(this.messages, this.botDecisions));
  otherConversations = $derived(
    (this.contact?.conversations ?? [])
      .filter((c) => c.id !== this.id)
      .sort((a, b) => Date.parse(b.lastMessageAt) - Date.parse(a.lastMessageAt)),
  );

  readonly #api: ApiClient;
  readonly #toasts: Toasts;
  readonly #events: DetailEvents;
  #generation = 0;
  #readTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(api: ApiClient, toasts: Toasts, events: DetailEvents) {
    this.#api = api;
    this.#toasts = toasts;
    this.#events = events;
  }

  /** True while the agent has this conversation on screen (new inbound messages count as read). */
  isViewing(id: string): boolean {
    return this.id === id && this.status === 'ready' && document.visibilityState === 'visible';
  }

  async open(id: string): Promise<void> {
    if (this.id === id && (this.status === 'ready' || this.status === 'loading')) return;
    this.id = id;
    this.conversation = null;
    this.messages = [];
    this.botDecisions = [];
    this.participants = [];
    this.contact = null;
    this.error = null;
    await this.#load(false);
  }

  /** Re-fetches the open conversation (after a reconnect) without clearing the screen. */
  async refresh(): Promise<void> {
    if (this.id && this.status === 'ready') await this.#load(true);
  }

  async retry(): Promise<void> {
    if (this.id) await this.#load(false);
  }

  close(): void {
    this.#generation++;
    this.id = null;
    this.conversation = null;
    this.messages = [];
    this.botDecisions = [];
    this.participants = [];
    this.contact = null;
    this.status = 'idle';
    this.error = null;
  }

  setDraft(text: string): void {
    if (this.id) this.drafts[this.id] = text;
  }

  setMode(mode: ComposerMode): void {
    if (this.id) this.modes[this.id] = mode;
  }

  /** Sends the draft as a reply or an internal note. The draft is cleared only once the server has it. */
  async send(): Promise<boolean> {
    const id = this.id;
    if (!id || !this.canSend) return false;
    const typed = this.draft;
    const mode = this.mode;
    this.sending = true;
    try {
      const { message } = await this.#api.post<MessageResult>(path(id, mode === 'note' ? '/notes' : '/messages'), {
        text: tidy(typed),
      });
      // Anything typed while the request was in flight stays in the box.
      if (this.drafts[id] === typed) delete this.drafts[id];
      if (this.id === id) this.#addMessage(message);
      return true;
    } catch (err) {
      this.#toasts.error(mode === 'note' ? t('toast.noteFailed') : t('toast.replyFailed'), err);
      return false;
    } finally {
      this.sending = false;
    }
  }

  async assign(agentId: string | null): Promise<void> {
    const id = this.id;
    if (!id || this.assigning) return;
    this.assigning = true;
    try {
      const { conversation } = await this.#api.post<ConversationResult>(path(id, '/assign'), {
        agentId,
      });
      this.applyConversationUpdated(conversation);
      this.#events.conversationChanged(conversation);
    } catch (err) {
      this.#toasts.error(t('toast.assigneeFailed'), err);
    } finally {
      this.assigning = false;
    }
  }

  /** Puts the conversation with a team serving its inbox, or with none. */
  async assignTeam(teamId: string | null): Promise<void> {
    const id = this.id;
    if (!id || this.assigningTeam) return;
    this.assigningTeam = true;
    try {
      const { conversation } = await this.#api.post<ConversationResult>(path(id, '/team'), { teamId });
      this.applyConversationUpdated(conversation);
      this.#events.conversationChanged(conversation);
    } catch (err) {
      this.#toasts.error(t('toast.teamFailed'), err);
    } finally {
      this.assigningTeam = false;
    }
  }

  async setStatus(status: ConversationStatus): Promise<void> {
    const id = this.id;
    if (!id || this.changingStatus || this.conversation?.status === status) return;
    this.changingStatus = true;
    try {
      const { conversation } = await this.#api.post<ConversationResult>(path(id, '/status'), {
        status,
      });
      this.applyConversationUpdated(conversation);
      this.#events.conversationChanged(conversation);
      this.#events.statusSet?.(conversation);
    } catch (err) {
      this.#toasts.error(t('toast.statusFailed'), err);
    } finally {
      this.changingStatus = false;
    }
  }

  async markRead(): Promise<void> {
    const id = this.id;
    if (!id) return;
    if (this.conversation?.id === id) this.conversation.unreadCount = 0;
    this.#events.read(id);
    try {
      await this.#api.post(path(id, '/read'));
    } catch {
      // Not worth interrupting the agent: the badge simply comes back on the next refresh.
    }
  }

  /** Coalesces read receipts while messages stream in. */
  markReadSoon(): void {
    if (this.#readTimer) return;
    this.#readTimer = setTimeout(() => {
      this.#readTimer = null;
      void this.markRead();
    }, 400);
  }

  applyMessageCreated(message: MessageView, conversation: ConversationView): void {
    if (this.id !== message.conversationId || this.status !== 'ready') return;
    this.#addMessage(message);
    this.applyConversationUpdated(conversation);
  }

  /** A decision the bot just made ('bot:decision'); a repeat replaces the copy we have. */
  applyBotDecision(conversationId: string, decision: BotDecisionView): void {
    if (this.id !== conversationId || this.status !== 'ready') return;
    const rest = this.botDecisions.filter((d) => d.id !== decision.id);
    const last = rest[rest.length - 1];
    this.botDecisions =
      !last || created(last) <= created(decision) ? [...rest, decision] : [...rest, decision].sort(byCreated);
  }

  applyMessageUpdated(message: RedactableMessage): void {
    if (this.id !== message.conversationId) return;
    const index = this.messages.findIndex((m) => m.id === message.id);
    if (index !== -1) this.messages[index] = message;
  }

  applyConversationUpdated(conversation: ConversationView): void {
    if (this.id !== conversation.id || this.status !== 'ready') return;
    const viewing = this.isViewing(conversation.id);
    this.conversation = viewing ? { ...conversation, unreadCount: 0 } : conversation;
    const ref = this.contact?.conversations.find((c) => c.id === conversation.id);
    if (ref) {
      ref.status = conversation.status;
      ref.lastMessageAt = conversation.lastMessageAt;
    }
  }

  /** A fresh copy of the open contact (after an edit), keeping what the response may leave out. */
  replaceContact(contact: PrivacyContactView): void {
    if (this.contact?.id !== contact.id) return;
    this.contact = { ...this.contact, ...contact };
  }

  /** A contact was rectified (by anyone): the header and the contact panel show the new details. */
  applyContact(contact: { id: string; name: string | null; email: string | null; phone: string | null }): void {
    if (this.conversation?.contact.id === contact.id) {
      this.conversation = { ...this.conversation, contact: { ...this.conversation.contact, name: contact.name } };
    }
    if (this.contact?.id === contact.id) {
      this.contact = { ...this.contact, name: contact.name, email: contact.email, phone: contact.phone };
    }
  }

  setConsent(contactId: string, current: ConsentState[]): void {
    if (this.contact?.id === contactId) this.contact.consent = current;
  }

  /** Does a hold cover the open contact (itself or one of its conversations)? */
  holdConcernsContact(hold: LegalHoldView): boolean {
    const contact = this.contact;
    if (!contact) return false;
    if (hold.contactId) return hold.contactId === contact.id;
    return (
      hold.conversationId !== null &&
      (hold.conversationId === this.id || contact.conversations.some((c) => c.id === hold.conversationId))
    );
  }

  /** A hold was placed or released: keep the contact's list of active holds current. */
  applyHold(hold: LegalHoldView): void {
    const contact = this.contact;
    if (!contact || !this.holdConcernsContact(hold)) return;
    const others = (contact.legalHolds ?? []).filter((h) => h.id !== hold.id);
    contact.legalHolds = hold.releasedAt ? others : [...others, hold];
  }

  /** A restriction was placed or lifted: keep the open contact's list of those in force current. */
  applyRestriction(restriction: RestrictionView): void {
    const contact = this.contact;
    if (!contact || contact.id !== restriction.contactId) return;
    const others = contact.restrictions.filter((r) => r.id !== restriction.id);
    contact.restrictions = restriction.liftedAt ? others : [...others, restriction];
  }

  /** The conversation was erased (by us or elsewhere): forget it. True when it was the open one. */
  removeConversation(id: string): boolean {
    if (this.contact) {
      const rest = this.contact.conversations.filter((c) => c.id !== id);
      if (rest.length !== this.contact.conversations.length) this.contact.conversations = rest;
    }
    if (this.id !== id) return false;
    this.close();
    return true;
  }

  #addMessage(message: MessageView): void {
    const index = this.messages.findIndex((m) => m.id === message.id);
    if (index !== -1) {
      this.messages[index] = message;
      return;
    }
    const last = this.messages[this.messages.length - 1];
    if (!last || created(last) <= created(message)) this.messages.push(message);
    else this.messages = [...this.messages, message].sort((a, b) => created(a) - created(b));
  }

  async #load(quiet: boolean): Promise<void> {
    const id = this.id;
    if (!id) return;
    const generation = ++this.#generation;
    if (!quiet) this.status = 'loading';
    try {
      const data = await this.#api.get<ConversationDetailView>(path(id));
      if (generation !== this.#generation) return;
      this.conversation = data.conversation;
      this.messages = data.messages;
      this.botDecisions = [...data.botDecisions].sort(byCreated);
      this.participants = data.participants;
      this.contact = data.contact;
      this.status = 'ready';
      this.error = null;
      if (data.conversation.unreadCount > 0 || !quiet) void this.markRead();
    } catch (err) {
      if (generation !== this.#generation) return;
      if (quiet) return;
      this.status = isApiError(err) && (err.status === 404 || err.status === 400) ? 'not_found' : 'error';
      this.error = describeError(err, t('toast.conversationFailed'));
    }
  }
}
