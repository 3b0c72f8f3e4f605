import { i18n } from './i18n.svelte.ts';
import { io, type Socket } from 'socket.io-client';
import type { VisitorMessageView } from '../../../../../server/http/views.ts';
import type { WidgetClientEvents, WidgetServerEvents } from '../../../../../server/realtime/event-map.ts';
import { ApiError, widgetApi, type ErrorParams } from '../lib/api.ts';
import { newClientId } from '../lib/ids.ts';
import { PresenceState } from './presence.svelte.ts';

export type ChatItem = {
  /** Stable key for rendering: the clientId for our own messages, the server id otherwise. */
  key: string;
  id: string | null;
  clientId: string | null;
  from: VisitorMessageView['from'];
  authorName: string | null;
  body: string;
  createdAt: string;
  state: 'sending' | 'sent' | 'failed';
  error: string | null;
  /** False when sending the same text again cannot work (too long): only Edit is offered. */
  retryable: boolean;
  /** Files of the message, each with a signed link (state/visitor-files.svelte.ts sends the visitor's). */
  attachments?: VisitorMessageView['attachments'];
};

export type ConversationStatus = Parameters<WidgetServerEvents['conversation:status']>[0]['status'];
export type Connection = 'connecting' | 'online' | 'offline';

type Hooks = {
  /** The server rejected the token (401/403): the widget forgets it and shows the notice again. */
  onUnauthorized: () => void;
  /** A new agent/bot message arrived (for the launcher's unread dot). */
  onIncoming: () => void;
};

const ACK_TIMEOUT_MS = 15_000;
const RECONNECT_AFTER_REJECT_MS = 4_000;

/** Thrown when a send fails; `code` is the server's error code or our own (timeout, network). */
class SendError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly unauthorized = false,
    readonly params?: ErrorParams,
  ) {
    super(message);
  }
}

function sendErrorText(error: unknown): string {
  if (error instanceof SendError || error instanceof ApiError) {
    const { limit, retryAfterSeconds } = error.params ?? {};
    if (error.code === 'message_too_large' && typeof limit === 'number')
      return i18n.t('message.tooLongLimit', { limit });
    if (error.code === 'rate_limited' && typeof retryAfterSeconds === 'number')
      return i18n.t('message.rateLimitedWait', { retryAfterSeconds });
    if (error.code === 'message_too_large') return i18n.t('message.tooLong');
    if (error.code === 'timeout') return i18n.t('message.timeout');
    if (error.code === 'network') return i18n.t('message.offline');
    if (error.code === 'rate_limited') return i18n.t('message.rateLimited');
  }
  return i18n.t('message.notSent');
}

const time = (item: { createdAt: string }) => Date.parse(item.createdAt) || 0;
// Outside the exported class: a Date made only to be printed is never state, so it needs no SvelteDate.
const nowIso = () => new Date().toISOString();

/** Ack codes meaning the server no longer accepts this token (ended, expired, erased): back to the notice. */
const SESSION_REFUSED = new Set([
  'unauthorized',
  'forbidden',
  'session_ended',
  'visitor_token_expired',
  'invalid_visitor_token',
]);

/**
 * One visitor's conversation: history, live messages over socket.io ('/widget', auth {token}), and sends
 * that stay "sending" until the server acknowledges the commit. Retries reuse the clientId, so the server
 * stores a message once however many times it is sent.
 */
export class ChatState {
  items = $state<ChatItem[]>([]);
  connection = $state<Connection>('connecting');
  historyLoaded = $state(false);
  historyError = $state<string | null>(null);
  /** The latest conversation status, shown as a line after the message that was last when it arrived. */
  status = $state<{ value: ConversationStatus; afterKey: string | null; joined?: boolean } | null>(null);
  draft = $state('');
  /** Typing, "Seen", business hours, the usual wait and the email follow-up (state/presence.svelte.ts). */
  readonly presence = new PresenceState();

  private socket: Socket<WidgetServerEvents, WidgetClientEvents> | null = null;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly token: string,
    private readonly hooks: Hooks,
  ) {}

  /** The visitor token, for the requests other parts of the chat make (files: state/visitor-files.svelte.ts). */
  get visitorToken(): string {
    return this.token;
  }

  /** A message the server confirmed outside the socket (one sent with files over HTTP). */
  receive(message: VisitorMessageView): void {
    if (!this.stopped) this.upsert(message);
  }

  start(): void {
    void this.loadHistory();
    const socket: Socket<WidgetServerEvents, WidgetClientEvents> = io('/widget', {
      auth: { token: this.token },
      withCredentials: false,
    });
    this.socket = socket;
    this.presence.attach(socket);
    socket.on('connect', () => {
      this.connection = 'online';
      // Once in the room, fetch again: this covers messages committed between the first fetch and the
      // join, and everything said while we were disconnected.
      void this.loadHistory();
    });
    socket.on('disconnect', (reason) => {
      if (this.stopped) return;
      this.connection = 'offline';
      // The server closed us on purpose (token revoked, contact erased?): ask the API what it thinks.
      if (reason === 'io server disconnect') void this.verifyThenReconnect();
    });
    socket.on('connect_error', () => {
      if (this.stopped) return;
      this.connection = 'offline';
      // A rejection by the auth middleware stops automatic reconnection; transport errors do not.
      if (!socket.active) void this.verifyThenReconnect();
    });
    socket.on('message:created', ({ message }) => {
      const added = this.upsert(message);
      if (added && message.from !== 'visitor') this.hooks.onIncoming();
    });
    socket.on('conversation:status', ({ status, joined }) => {
      this.status = { value: status, afterKey: this.items.at(-1)?.key ?? null, joined };
    });
  }

  stop(): void {
    this.stopped = true;
    this.presence.detach();
    clearTimeout(this.retryTimer);
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
  }

  async loadHistory(): Promise<void> {
    try {
      const { messages } = await widgetApi.history(this.token);
      if (this.stopped) return;
      for (const message of messages) this.upsert(message);
      this.historyLoaded = true;
      this.historyError = null;
    } catch (error) {
      if (this.stopped) return;
      if (error instanceof ApiError && error.unauthorized) return this.unauthorized();
      this.historyError = i18n.t('chat.historyFailed');
    }
  }

  /** Sends the draft (or the given text) as a new message. */
  send(text: string = this.draft): void {
    const body = text.trim();
    if (!body || this.stopped) return;
    const clientId = newClientId();
    this.items.push({
      key: clientId,
      id: null,
      clientId,
      from: 'visitor',
      authorName: null,
      body,
      createdAt: nowIso(),
      state: 'sending',
      error: null,
      retryable: true,
    });
    if (text === this.draft) this.draft = '';
    void this.deliver(clientId, body);
  }

  /** Sends a failed message again with the same clientId: the server dedupes. */
  retry(key: string): void {
    const item = this.items.find((i) => i.key === key);
    if (!item || item.state !== 'failed' || !item.clientId) return;
    item.state = 'sending';
    item.error = null;
    void this.deliver(item.clientId, item.body);
  }

  /** Takes a failed message back into the composer to change it. */
  edit(key: string): void {
    const item = this.items.find((i) => i.key === key);
    if (!item || item.state !== 'failed') return;
    this.items = this.items.filter((i) => i.key !== key);
    this.draft = item.body;
  }

  private async deliver(clientId: string, text: string): Promise<void> {
    try {
      const message = await this.transmit(clientId, text);
      if (!this.stopped) this.upsert(message);
    } catch (error) {
      if (this.stopped) return;
      const unauthorized =
        (error instanceof ApiError && error.unauthorized) || (error instanceof SendError && error.unauthorized);
      if (unauthorized) return this.unauthorized();
      const item = this.items.find((i) => i.clientId === clientId && i.state === 'sending');
      if (item) {
        item.state = 'failed';
        item.error = sendErrorText(error);
        item.retryable =
          !(error instanceof SendError || error instanceof ApiError) || error.code !== 'message_too_large';
      }
    }
  }

  /** Over the socket when connected (acknowledged after commit), else over HTTP. */
  private async transmit(clientId: string, text: string): Promise<VisitorMessageView> {
    const socket = this.socket;
    if (!socket?.connected) return (await widgetApi.send(this.token, { clientId, text })).message;
    return new Promise((resolve, reject) => {
      socket.timeout(ACK_TIMEOUT_MS).emit('message:send', { clientId, text }, (timeout, result) => {
        if (timeout) return reject(new SendError('timeout', 'No acknowledgement'));
        if (result.ok) return resolve(result.value.message);
        const code = result.error.code;
        reject(new SendError(code, result.error.message, SESSION_REFUSED.has(code), result.error.params));
      });
    });
  }

  /**
   * Adds a server message, or updates the local copy it confirms (same id, or same clientId for our own
   * messages echoed back). Returns true when the message was new.
   */
  private upsert(message: VisitorMessageView): boolean {
    const index = this.items.findIndex(
      (i) => i.id === message.id || (message.clientId !== null && i.clientId === message.clientId),
    );
    const confirmed: Omit<ChatItem, 'key'> = {
      id: message.id,
      clientId: message.clientId,
      from: message.from,
      authorName: message.authorName,
      body: message.body,
      createdAt: message.createdAt,
      state: 'sent',
      error: null,
      retryable: true,
      ...(message.attachments?.length ? { attachments: message.attachments } : {}),
    };
    if (index >= 0) {
      const existing = this.items[index]!;
      this.items[index] = { key: existing.key, ...confirmed };
    } else {
      this.items.push({ key: message.clientId ?? message.id, ...confirmed });
    }
    this.sort();
    return index < 0;
  }

  /** Server time order; messages still waiting for the server stay at the end in the order written. */
  private sort(): void {
    const sorted = [...this.items].sort((a, b) => {
      const pendingA = a.id === null ? 1 : 0;
      const pendingB = b.id === null ? 1 : 0;
      return pendingA - pendingB || (pendingA ? 0 : time(a) - time(b));
    });
    if (sorted.some((item, i) => item.key !== this.items[i]?.key)) this.items = sorted;
  }

  private async verifyThenReconnect(): Promise<void> {
    try {
      await widgetApi.history(this.token);
    } catch (error) {
      if (error instanceof ApiError && error.unauthorized) return this.unauthorized();
    }
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped && !this.socket?.connected) this.socket?.connect();
    }, RECONNECT_AFTER_REJECT_MS);
  }

  private unauthorized(): void {
    if (this.stopped) return;
    this.stop();
    this.hooks.onUnauthorized();
  }
}
