import { EventEmitter } from 'node:events';
import type { MessageView, ConversationView } from '../http/views.ts';
import type { BotDecisionView } from '../bot/views.ts';
import type { ConsentPurpose } from '../../drizzle/schema/enums.ts';

/**
 * Domain events, published only after the transaction that caused them has committed.
 * Subscribers: realtime (audience.ts decides who sees what), later the bot.
 * `route.threadKey` travels along so a channel's own audience (the widget visitor) can be addressed without a query.
 */
export type Route = { threadKey: string };
/** A contact's own details, as an agent's screen shows them next to its conversations. */
export type ContactDetails = { id: string; name: string | null; email: string | null; phone: string | null };
export type DomainEvents = {
  'message.created': { message: MessageView; conversation: ConversationView; route: Route; clientId: string | null };
  'message.updated': { message: MessageView; conversation: ConversationView; route: Route };
  'conversation.updated': { conversation: ConversationView; route: Route };
  /** After an erasure commits: agents drop the conversations, the visitor's widget sockets are cut. */
  /**
   * Messages in these conversations changed or went without a message event of their own (an erasure removed
   * what the person wrote in someone else's thread and replaced their identifiers in others' messages).
   */
  'conversations.changed': { conversations: Array<{ id: string; inboxId: string }> };
  /**
   * An agent moved a conversation to the trash (after commit): agents drop it from their lists, and a chat
   * visitor's widget reconnects to an empty history (the conversation is not theirs to read while it is there).
   */
  'conversation.trashed': { conversation: { id: string; inboxId: string }; visitorIds: string[] };
  'contact.erased': {
    contactId: string;
    conversations: Array<{ id: string; inboxId: string }>;
    visitorIds: string[];
  };
  /**
   * An agent rectified a contact's details (after commit): every agent who sees one of its conversations (the
   * inboxes in `inboxIds`) updates lists, headers and panels at once.
   */
  'contact.rectified': { contact: ContactDetails; inboxIds: string[] };
  /**
   * Two contacts became one (after commit): agents who see one of their conversations (`inboxIds`, of both) reload
   * what shows either contact; the merged-away contact's widget visitors are cut (their token names that contact).
   */
  'contact.merged': { contact: ContactDetails; mergedContactId: string; inboxIds: string[]; visitorIds: string[] };
  /** The visitor withdrew the support consent: their widget sockets are cut at once. */
  'visitor.session_ended': { visitorIds: string[] };
  /**
   * An agent's access changed (after commit): logged out (`session`: the SHA-256 of the one session that ended),
   * disabled, given a new password or a new role (no `session`: all of the agent's). Their /agent sockets are cut on
   * every server; a socket whose session still holds reconnects and reads the agent afresh.
   */
  'agent.access_changed': {
    agentId: string;
    reason: 'logout' | 'disabled' | 'password_changed' | 'role_changed';
    session?: string;
  };
  /** An agent assigned (or unassigned) the conversation, after commit. */
  'conversation.assigned': { conversation: ConversationView };
  /** The conversation's status became resolved, after commit. */
  'conversation.resolved': { conversation: ConversationView };
  /** Consent events were appended to the ledger (after commit): whose consent, for what, granted or withdrawn. */
  'consent.recorded': { consents: Array<{ contactId: string; purpose: ConsentPurpose; granted: boolean }> };
  /** A consent event was recorded (after commit): analytics figures may change, dashboards re-query. */
  'consent.changed': { purpose: ConsentPurpose };
  /** The bot decided on a customer message (answer, hand-off, or staying silent). */
  'bot.decision': { conversationId: string; inboxId: string; decision: BotDecisionView };
  /** Which inboxes these agents may see changed (their scope, role, teams or a team's inboxes), after commit. */
  'agents.scope_changed': { agentIds: string[] };
  /**
   * A team was created, renamed or deleted, or its members or inboxes changed (after commit): every agent's team
   * lists are stale, and conversations may have lost their team. No data: clients load what they show again.
   */
  'teams.changed': Record<string, never>;
  /** A note mentioned these agents (each can see the conversation; the author is never among them). */
  'agent.mentioned': {
    agentIds: string[];
    conversationId: string;
    messageId: string;
    by: { id: string; name: string };
  };
  /** A knowledge-base article was created, changed or deleted: the bot rebuilds its index. */
  'kb.changed': { articleId: string };
  /** Export progress for the agent who asked (jobId is the client's own id). */
  'privacy.progress': {
    agentId: string;
    jobId: string;
    kind: 'export';
    done: number;
    total: number;
    finished: boolean;
  };
};

export class DomainEventBus {
  readonly #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(50);
  }

  publish<K extends keyof DomainEvents>(name: K, event: DomainEvents[K]): void {
    this.#emitter.emit(name, event);
  }

  subscribe<K extends keyof DomainEvents>(name: K, listener: (event: DomainEvents[K]) => void): () => void {
    // A failing subscriber must not break the publisher (the data is already committed).
    const safe = (event: DomainEvents[K]) => {
      try {
        listener(event);
      } catch (err) {
        this.#emitter.emit('error', err);
      }
    };
    this.#emitter.on(name, safe);
    return () => this.#emitter.off(name, safe);
  }

  onError(listener: (err: unknown) => void): void {
    this.#emitter.on('error', listener);
  }
}
