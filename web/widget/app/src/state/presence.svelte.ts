import { i18n } from './i18n.svelte.ts';
import type { Socket } from 'socket.io-client';
import type {
  WidgetClientEvents,
  WidgetPresenceView,
  WidgetServerEvents,
} from '../../../../../server/realtime/event-map.ts';

type WidgetSocket = Socket<WidgetServerEvents, WidgetClientEvents>;

/** A "typing" is sent at most this often while the visitor keeps typing; "stopped" after this much quiet. */
const TYPING_EVERY_MS = 2_000;
const TYPING_QUIET_MS = 3_000;
/** An agent's "typing" without a refresh is dropped after this (their tab closed mid-sentence). */
const AGENT_TYPING_STALE_MS = 6_000;
/** The usual wait and the business hours are asked again this often while the chat is open. */
const REFRESH_MS = 60_000;

/**
 * Presence in the widget: the agent typing, "Seen", whether a person has joined, business hours and the usual
 * wait, and the email address for replies while away. Rides on the chat's socket (ChatState.start attaches it).
 */
export class PresenceState {
  view = $state<WidgetPresenceView | null>(null);
  /** The name of the agent typing now (null: nobody). */
  agentTyping = $state<string | null>(null);
  agentReadAt = $state<string | null>(null);
  /** The email form: sending, and the server's answer when it refused. */
  savingEmail = $state(false);
  emailError = $state<string | null>(null);

  /** The email line in the widget's language (its hash is what the visitor agrees to). */
  get followupConsent(): { text: string; textHash: string } | null {
    if (!this.view) return null;
    return this.view.followupConsentTexts?.[i18n.locale] ?? this.view.followupConsent;
  }

  #socket: WidgetSocket | null = null;
  #lastTypingSent = 0;
  #typingOn = false;
  #quietTimer: ReturnType<typeof setTimeout> | undefined;
  #staleTimer: ReturnType<typeof setTimeout> | undefined;
  #refreshTimer: ReturnType<typeof setInterval> | undefined;

  attach(socket: WidgetSocket): void {
    this.#socket = socket;
    socket.on('connect', () => void this.refresh());
    socket.on('agent:typing', ({ typing, name }) => {
      clearTimeout(this.#staleTimer);
      this.agentTyping = typing ? (name ?? i18n.t('message.team')) : null;
      if (typing) this.#staleTimer = setTimeout(() => (this.agentTyping = null), AGENT_TYPING_STALE_MS);
    });
    socket.on('agent:seen', ({ at }) => {
      if (!this.agentReadAt || at > this.agentReadAt) this.agentReadAt = at;
    });
    socket.on('message:created', ({ message }) => {
      // The reply arrived: whoever was typing it has stopped.
      if (message.from === 'agent') this.agentTyping = null;
      // The first message opens the conversation: ask what the hand-off and the hours look like now.
      if (message.from === 'visitor' && this.view?.status === null) void this.refresh();
    });
    socket.on('conversation:status', ({ status, joined }) => {
      if (this.view) this.view = { ...this.view, status, joined: joined || this.view.joined };
      void this.refresh();
    });
    socket.on('presence:changed', () => void this.refresh());
    this.#refreshTimer = setInterval(() => void this.refresh(), REFRESH_MS);
  }

  detach(): void {
    clearTimeout(this.#quietTimer);
    clearTimeout(this.#staleTimer);
    clearInterval(this.#refreshTimer);
    this.#socket = null;
  }

  async refresh(): Promise<void> {
    const socket = this.#socket;
    if (!socket?.connected) return;
    const result = await socket
      .timeout(10_000)
      .emitWithAck('presence:get', {})
      .catch(() => null);
    if (!result?.ok || this.#socket !== socket) return;
    this.view = result.value;
    if (result.value.agentReadAt && (!this.agentReadAt || result.value.agentReadAt > this.agentReadAt))
      this.agentReadAt = result.value.agentReadAt;
  }

  /** The composer's text changed: "typing" now and then while it has text, "stopped" when cleared or quiet. */
  draftChanged(draft: string): void {
    const socket = this.#socket;
    if (!socket?.connected) return;
    clearTimeout(this.#quietTimer);
    if (draft.trim() === '') return this.#stopTyping();
    const now = Date.now();
    if (!this.#typingOn || now - this.#lastTypingSent > TYPING_EVERY_MS) {
      socket.emit('typing', { typing: true });
      this.#typingOn = true;
      this.#lastTypingSent = now;
    }
    this.#quietTimer = setTimeout(() => this.#stopTyping(), TYPING_QUIET_MS);
  }

  #stopTyping(): void {
    if (!this.#typingOn) return;
    this.#typingOn = false;
    this.#socket?.emit('typing', { typing: false });
  }

  /** The visitor has the conversation in front of them: agents see "Seen". */
  markSeen(): void {
    if (this.#socket?.connected) this.#socket.emit('seen', {});
  }

  /** A person has joined: assigned, or an agent wrote (the history shows it too). */
  joined(agentWrote: boolean): boolean {
    return agentWrote || (this.view?.joined ?? false);
  }

  async leaveEmail(email: string, consent: boolean): Promise<boolean> {
    const socket = this.#socket;
    if (!socket?.connected || !this.view) {
      this.emailError = i18n.t('followup.offline');
      return false;
    }
    this.savingEmail = true;
    this.emailError = null;
    try {
      const result = await socket.timeout(10_000).emitWithAck('followup:email', {
        email,
        consent,
        consentTextHash: this.followupConsent?.textHash,
      });
      if (!result.ok) {
        this.emailError = result.error.message;
        return false;
      }
      this.view = { ...this.view, followupEmail: result.value.email };
      return true;
    } catch {
      this.emailError = i18n.t('followup.timeout');
      return false;
    } finally {
      this.savingEmail = false;
    }
  }
}
