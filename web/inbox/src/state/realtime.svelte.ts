import { io, type Socket } from 'socket.io-client';
import type { AgentClientEvents, AgentServerEvents } from '../types.ts';

type Payload<E extends keyof AgentServerEvents> = Parameters<AgentServerEvents[E]>[0];

export type RealtimeHandlers = {
  messageCreated: (payload: Payload<'message:created'>) => void;
  messageUpdated: (payload: Payload<'message:updated'>) => void;
  conversationUpdated: (payload: Payload<'conversation:updated'>) => void;
  conversationRemoved: (payload: Payload<'conversation:removed'>) => void;
  /** Messages of a conversation changed without events of their own (an erasure elsewhere): reload it. */
  conversationChanged: (payload: Payload<'conversation:changed'>) => void;
  /** An agent rectified a contact: everything on screen that shows it takes the new details. */
  contactUpdated: (payload: Payload<'contact:updated'>) => void;
  /** Two contacts became one: lists and panels showing either are loaded again. */
  contactMerged: (payload: Payload<'contact:merged'>) => void;
  privacyProgress: (payload: Payload<'privacy:progress'>) => void;
  /** A colleague mentioned this agent in a note. */
  mentionCreated: (payload: Payload<'mention:created'>) => void;
  botDecision: (payload: Payload<'bot:decision'>) => void;
  /** Teams changed (names, members, inboxes): team lists and conversations that may have lost their team reload. */
  teamsChanged: () => void;
  /** A consent changed: figures on an open dashboard may differ now. */
  analyticsChanged: () => void;
  /** Events may have been missed while disconnected: reload what is on screen. */
  resync: () => void;
  /** The server refused the socket: maybe the session ended. */
  refused: () => void;
  /** The socket was created: presence (state/presence.svelte.ts) listens and emits on it. */
  socket?: (socket: Socket<AgentServerEvents, AgentClientEvents>) => void;
};

export type RealtimeState = 'offline' | 'connecting' | 'live' | 'reconnecting';

const RETRY_AFTER_REFUSAL_MS = 5_000;

/** The /agent socket.io namespace (same origin, session cookie). It only forwards events to handlers. */
export class Realtime {
  state = $state<RealtimeState>('offline');

  readonly #handlers: RealtimeHandlers;
  #socket: Socket<AgentServerEvents, AgentClientEvents> | null = null;
  #connectedBefore = false;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(handlers: RealtimeHandlers) {
    this.#handlers = handlers;
  }

  connect(): void {
    if (this.#socket) return;
    this.state = 'connecting';
    const socket: Socket<AgentServerEvents, AgentClientEvents> = io('/agent', {
      path: '/socket.io',
      withCredentials: true,
    });
    this.#socket = socket;
    this.#handlers.socket?.(socket);

    socket.on('connect', () => {
      this.state = 'live';
      if (this.#connectedBefore) this.#handlers.resync();
      this.#connectedBefore = true;
    });
    socket.on('disconnect', (reason) => {
      this.state = socket.active ? 'reconnecting' : 'offline';
      // The server closed the socket itself (e.g. the session was revoked): check before retrying.
      if (reason === 'io server disconnect') this.#refused(socket);
    });
    socket.on('connect_error', () => {
      if (socket.active) {
        this.state = 'reconnecting';
      } else {
        this.state = 'offline';
        this.#refused(socket);
      }
    });

    socket.on('message:created', (payload) => this.#handlers.messageCreated(payload));
    socket.on('message:updated', (payload) => this.#handlers.messageUpdated(payload));
    socket.on('conversation:updated', (payload) => this.#handlers.conversationUpdated(payload));
    socket.on('conversation:removed', (payload) => this.#handlers.conversationRemoved(payload));
    socket.on('conversation:changed', (payload) => this.#handlers.conversationChanged(payload));
    socket.on('contact:updated', (payload) => this.#handlers.contactUpdated(payload));
    socket.on('contact:merged', (payload) => this.#handlers.contactMerged(payload));
    socket.on('privacy:progress', (payload) => this.#handlers.privacyProgress(payload));
    socket.on('mention:created', (payload) => this.#handlers.mentionCreated(payload));
    socket.on('bot:decision', (payload) => this.#handlers.botDecision(payload));
    socket.on('analytics:changed', () => this.#handlers.analyticsChanged());
    socket.on('teams:changed', () => this.#handlers.teamsChanged());
    // An admin changed which inboxes this agent sees: what is on screen may be more or less than that now.
    socket.on('scope:changed', () => this.#handlers.resync());
  }

  disconnect(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const socket = this.#socket;
    this.#socket = null;
    this.#connectedBefore = false;
    this.state = 'offline';
    if (socket) {
      socket.removeAllListeners();
      socket.disconnect();
    }
  }

  /** socket.io does not retry a connection the server refused; retry ourselves while still signed in. */
  #refused(socket: Socket<AgentServerEvents, AgentClientEvents>): void {
    this.#handlers.refused();
    if (this.#retryTimer) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (this.#socket === socket && !socket.connected) {
        this.state = 'reconnecting';
        socket.connect();
      }
    }, RETRY_AFTER_REFUSAL_MS);
  }
}
