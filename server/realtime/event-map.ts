import type { MessageView, ConversationView, VisitorMessageView, ErrorView } from '../http/views.ts';
import type { BotDecisionView } from '../bot/views.ts';

/**
 * The one typed event map of the realtime API, shared by the server and web/ (type-only imports).
 * Namespaces: /agent (session cookie) and /widget (signed visitor token).
 */
export type Ack<T> = (result: { ok: true; value: T } | { ok: false; error: Omit<ErrorView, 'requestId'> }) => void;

export type AgentServerEvents = {
  'message:created': (payload: { message: MessageView; conversation: ConversationView }) => void;
  'message:updated': (payload: { message: MessageView }) => void;
  'conversation:updated': (payload: { conversation: ConversationView }) => void;
  /** An agent rectified a contact: lists, headers and panels showing it take the new details. */
  'contact:updated': (payload: {
    contact: { id: string; name: string | null; email: string | null; phone: string | null };
  }) => void;
  /** `mergedContactId` was merged into `contact`: whatever shows either contact is loaded again. */
  'contact:merged': (payload: {
    contact: { id: string; name: string | null; email: string | null; phone: string | null };
    mergedContactId: string;
  }) => void;
  /** The conversation no longer exists (its contact was erased, or retention removed it). */
  'conversation:removed': (payload: { conversationId: string }) => void;
  /** Its messages changed in ways no message event carried (an erasure elsewhere): reload it if open. */
  'conversation:changed': (payload: { conversationId: string }) => void;
  /** A new bot decision in a conversation (shown inline in the timeline). */
  'bot:decision': (payload: { conversationId: string; decision: BotDecisionView }) => void;
  /** Analytics figures may have changed (a consent was given or withdrawn): open dashboards re-query. No data in it. */
  'analytics:changed': (payload: { reason: 'consent' }) => void;
  /** The inboxes this agent may see changed (an admin changed their scope or teams): lists are loaded again. */
  'scope:changed': (payload: Record<string, never>) => void;
  /** A colleague mentioned this agent in a note (only sent to that agent). */
  'mention:created': (payload: { conversationId: string; messageId: string; by: { id: string; name: string } }) => void;
  /** Progress of a long privacy job this agent started (only sent to that agent). */
  'privacy:progress': (payload: {
    jobId: string;
    kind: 'export';
    done: number;
    total: number;
    finished: boolean;
  }) => void;
};
export type AgentClientEvents = Record<string, never>;

export type WidgetServerEvents = {
  'message:created': (payload: { message: VisitorMessageView }) => void;
  /** An agent took or left the conversation, or its status changed (shown as a line in the widget). */
  'conversation:status': (payload: { status: 'open' | 'resolved' | 'bot' | 'pending' }) => void;
};
export type WidgetClientEvents = {
  /** Acknowledged only after the message is committed; clientId makes retries idempotent. */
  'message:send': (payload: { clientId: string; text: string }, ack: Ack<{ message: VisitorMessageView }>) => void;
  'history:get': (payload: Record<string, never>, ack: Ack<{ messages: VisitorMessageView[] }>) => void;
};
