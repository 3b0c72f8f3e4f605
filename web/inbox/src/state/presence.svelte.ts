import type { Socket } from 'socket.io-client';
import { SvelteMap } from 'svelte/reactivity';
import type { AgentClientEvents, AgentServerEvents } from '../types.ts';

export type PresenceState = 'online' | 'away' | 'offline';
type AgentSocket = Socket<AgentServerEvents, AgentClientEvents>;
type Typing = { who: 'visitor' | 'agent'; name: string | null; agentId: string | null };

/** "Typing" is sent at most this often while the agent keeps typing, "stopped" after this much quiet. */
const TYPING_EVERY_MS = 2_000;
const TYPING_QUIET_MS = 3_000;
/** Someone's "typing" without a refresh is dropped after this (a closed tab, a lost connection). */
const TYPING_STALE_MS = 6_000;

/**
 * The team's presence as this inbox sees it: colleagues online/away/offline, who is typing in which conversation,
 * and when the visitor last read a chat. Nothing of it is stored on the server except "seen". Rides on the /agent
 * socket (Realtime hands it over when it connects).
 */
export class TeamPresence {
  /** Presence per agent id; an agent missing here is offline. */
  readonly agents = new SvelteMap<string, PresenceState>();
  /** Who is typing per conversation id (the visitor, or a colleague). */
  readonly typing = new SvelteMap<string, Typing>();
  /** When the visitor last read each chat (ISO). */
  readonly visitorSeen = new SvelteMap<string, string>();
  me = $state<'online' | 'away'>('online');

  #socket: AgentSocket | null = null;
  // Timers, not state: nothing renders them.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #stale = new Map<string, ReturnType<typeof setTimeout>>();
  #typingIn: string | null = null;
  #lastTypingSent = 0;
  #quiet: ReturnType<typeof setTimeout> | undefined;

  attach(socket: AgentSocket): void {
    this.#socket = socket;
    socket.on('connect', () => {
      void this.#loadList();
      // A reconnect (or a new tab) starts online; keep the agent's choice.
      if (this.me === 'away') socket.emit('presence:set', { state: 'away' });
    });
    socket.on('agent:presence', ({ agentId, state }) => {
      if (state === 'offline') this.agents.delete(agentId);
      else this.agents.set(agentId, state);
    });
    socket.on('conversation:typing', ({ conversationId, who, name, agentId, typing }) => {
      clearTimeout(this.#stale.get(conversationId));
      if (!typing) {
        this.typing.delete(conversationId);
        return;
      }
      this.typing.set(conversationId, { who, name, agentId });
      this.#stale.set(
        conversationId,
        setTimeout(() => this.typing.delete(conversationId), TYPING_STALE_MS),
      );
    });
    socket.on('conversation:seen', ({ conversationId, by, at }) => {
      if (by === 'visitor') this.visitorSeen.set(conversationId, at);
    });
    socket.on('message:created', ({ message, conversation }) => {
      // Their message arrived: whoever was typing it has stopped.
      if (message.direction === 'inbound') this.typing.delete(conversation.id);
    });
  }

  state(agentId: string | null | undefined): PresenceState {
    return agentId ? (this.agents.get(agentId) ?? 'offline') : 'offline';
  }

  async #loadList(): Promise<void> {
    const socket = this.#socket;
    const result = await socket
      ?.timeout(10_000)
      .emitWithAck('presence:list', {})
      .catch(() => null);
    if (!result?.ok) return;
    this.agents.clear();
    for (const { agentId, state } of result.value.agents) this.agents.set(agentId, state);
  }

  setMe(state: 'online' | 'away'): void {
    this.me = state;
    this.#socket?.emit('presence:set', { state });
  }

  /** The reply box changed: "typing" now and then while it has text, "stopped" when cleared, sent or quiet. */
  replyChanged(conversationId: string, text: string): void {
    const socket = this.#socket;
    if (!socket?.connected) return;
    clearTimeout(this.#quiet);
    if (this.#typingIn && this.#typingIn !== conversationId) this.stopTyping();
    if (text.trim() === '') return this.stopTyping();
    const now = Date.now();
    if (this.#typingIn !== conversationId || now - this.#lastTypingSent > TYPING_EVERY_MS) {
      socket.emit('typing', { conversationId, typing: true });
      this.#typingIn = conversationId;
      this.#lastTypingSent = now;
    }
    this.#quiet = setTimeout(() => this.stopTyping(), TYPING_QUIET_MS);
  }

  stopTyping(): void {
    if (!this.#typingIn) return;
    this.#socket?.emit('typing', { conversationId: this.#typingIn, typing: false });
    this.#typingIn = null;
  }

  /** The agent read the conversation (it is on screen): the visitor sees "Seen". */
  seen(conversationId: string): void {
    this.#socket?.emit('conversation:seen', { conversationId });
  }
}
