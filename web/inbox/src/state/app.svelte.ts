import { ApiClient } from '../api.ts';
import type { AgentView } from '../types.ts';
import { AgentDirectory } from './agents.svelte.ts';
import { Clock } from './clock.svelte.ts';
import { ConversationDetail } from './conversation-detail.svelte.ts';
import { ConversationList } from './conversation-list.svelte.ts';
import { Realtime } from './realtime.svelte.ts';
import { Router, hrefs, type Route } from './router.svelte.ts';
import { Session } from './session.svelte.ts';
import { Toasts } from './toasts.svelte.ts';

/**
 * The inbox's root state: owns every store and wires them together. Components read from `app` and call
 * its stores' methods; nothing else talks to the server.
 */
export class InboxApp {
  readonly api = new ApiClient();
  readonly toasts = new Toasts();
  readonly clock = new Clock();
  readonly router = new Router();
  readonly session: Session;
  readonly agents: AgentDirectory;
  readonly list: ConversationList;
  readonly detail: ConversationDetail;
  readonly realtime: Realtime;

  constructor() {
    this.session = new Session(this.api, {
      signedIn: () => this.#signedIn(),
      signedOut: () => this.#signedOut(),
    });
    this.agents = new AgentDirectory(this.api, this.toasts, (agent) => this.#agentChanged(agent));
    this.list = new ConversationList(this.api, () => this.session.agent?.id ?? null);
    this.detail = new ConversationDetail(this.api, this.toasts, {
      conversationChanged: (c) => this.list.applyLive(c, { viewing: this.detail.isViewing(c.id) }),
      read: (id) => this.list.setUnread(id, 0),
    });
    this.realtime = new Realtime({
      messageCreated: ({ message, conversation }) => {
        this.detail.applyMessageCreated(message, conversation);
        const viewing = this.detail.isViewing(conversation.id);
        const inbound = message.direction === 'inbound';
        this.list.applyLive(conversation, { viewing, inboundMessageId: inbound ? message.id : undefined });
        if (inbound && viewing) this.detail.markReadSoon();
      },
      messageUpdated: ({ message }) => this.detail.applyMessageUpdated(message),
      conversationUpdated: ({ conversation }) => {
        this.detail.applyConversationUpdated(conversation);
        this.list.applyLive(conversation, { viewing: this.detail.isViewing(conversation.id) });
      },
      resync: () => {
        void this.list.reload(true);
        void this.detail.refresh();
      },
      refused: () => void this.session.verify(),
    });
    this.api.onUnauthorized = () => this.session.expire();
  }

  start(): void {
    this.clock.start();
    this.router.onChange((route) => this.#route(route));
    this.router.start();
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState !== 'visible') return;
      this.clock.tick();
      if (this.detail.status === 'ready' && (this.detail.conversation?.unreadCount ?? 0) > 0) {
        void this.detail.markRead();
      }
    });
    void this.session.restore();
  }

  #signedIn(): void {
    void this.agents.load();
    void this.list.reload();
    this.realtime.connect();
    this.#route(this.router.route);
  }

  #signedOut(): void {
    this.realtime.disconnect();
    this.detail.close();
    this.list.reset();
    this.agents.reset();
  }

  #agentChanged(agent: AgentView): void {
    this.session.updateSelf(agent);
    if (this.router.route.name === 'agents' && !this.session.isAdmin) this.router.redirect(hrefs.conversations);
  }

  #route(route: Route): void {
    if (this.session.status !== 'authenticated') return;
    if (route.name === 'agents') {
      if (!this.session.isAdmin) {
        this.router.redirect(hrefs.conversations);
        return;
      }
      this.detail.close();
      void this.agents.load();
      return;
    }
    if (route.conversationId) void this.detail.open(route.conversationId);
    else this.detail.close();
  }
}

export const app = new InboxApp();
