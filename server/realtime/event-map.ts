import type { MessageView, ConversationView, VisitorMessageView, ErrorView } from '../http/views.ts';
import type { BotDecisionView } from '../bot/views.ts';
import type { Availability } from '../domain/presence.ts';

/** An agent's presence: online (a socket open and not set away), away (all their sockets set away), offline. */
export type AgentPresenceState = 'online' | 'away' | 'offline';
/** What the widget needs to say who is there and when: server/realtime/presence.ts. */
export type WidgetPresenceView = {
  availability: Availability;
  /** The conversation's status (null before the visitor's first message). */
  status: 'open' | 'resolved' | 'bot' | 'pending' | null;
  /** A person has joined (assigned, or an agent wrote): only then "You are now talking with our team". */
  joined: boolean;
  /** When an agent last read the conversation (the visitor's "Seen"), ISO; null before any. */
  agentReadAt: string | null;
  /** The address replies go to while away (masked), or null. */
  followupEmail: string | null;
  /** The words the visitor agrees to when leaving an address, and their hash (recorded in the ledger). */
  followupConsent: { text: string; textHash: string };
  /** The same line in each widget language (the widget shows and sends the one of its language). */
  followupConsentTexts: Record<string, { text: string; textHash: string }>;
};

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
  /** Erased with its contact, or moved to the trash by an agent (`reason` says which; absent: erased). */
  'conversation:removed': (payload: { conversationId: string; reason?: 'erased' | 'trashed' }) => void;
  /** Its messages changed in ways no message event carried (an erasure elsewhere): reload it if open. */
  'conversation:changed': (payload: { conversationId: string }) => void;
  /** A new bot decision in a conversation (shown inline in the timeline). */
  'bot:decision': (payload: { conversationId: string; decision: BotDecisionView }) => void;
  /** Analytics figures may have changed (a consent was given or withdrawn): open dashboards re-query. No data in it. */
  'analytics:changed': (payload: { reason: 'consent' }) => void;
  /** The inboxes this agent may see changed (an admin changed their scope or teams): lists are loaded again. */
  'scope:changed': (payload: Record<string, never>) => void;
  /** Teams changed (names, members, inboxes; a conversation may have lost its team): team lists are loaded again. */
  'teams:changed': (payload: Record<string, never>) => void;
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
  /** Someone is typing in a conversation (never stored): the visitor, or a colleague. */
  'conversation:typing': (payload: {
    conversationId: string;
    who: 'visitor' | 'agent';
    agentId: string | null;
    name: string | null;
    typing: boolean;
  }) => void;
  /** The visitor or an agent read the conversation up to `at`. */
  'conversation:seen': (payload: { conversationId: string; by: 'visitor' | 'agent'; at: string }) => void;
  /** A colleague came online, set themselves away, or went offline. */
  'agent:presence': (payload: { agentId: string; state: AgentPresenceState }) => void;
};
export type AgentClientEvents = {
  /** The agent is typing (true) or stopped (false) in a conversation; throttled by the client and the server. */
  typing: (payload: { conversationId: string; typing: boolean }) => void;
  /** The agent has the conversation on screen and read it (recorded as POST /read does): the visitor sees "Seen". */
  'conversation:seen': (payload: { conversationId: string }) => void;
  /** The agent sets themselves away or back online. */
  'presence:set': (payload: { state: 'online' | 'away' }, ack?: Ack<{ state: AgentPresenceState }>) => void;
  /** Every agent's presence now (agents without an open inbox are offline). */
  'presence:list': (
    payload: Record<string, never>,
    ack: Ack<{ agents: Array<{ agentId: string; state: AgentPresenceState }> }>,
  ) => void;
};

export type WidgetServerEvents = {
  'message:created': (payload: { message: VisitorMessageView }) => void;
  /** An agent took or left the conversation, or its status changed (shown as a line in the widget). */
  'conversation:status': (payload: { status: 'open' | 'resolved' | 'bot' | 'pending'; joined?: boolean }) => void;
  /** An agent is typing a reply (never stored); `name` is their display name. */
  'agent:typing': (payload: { typing: boolean; name: string | null }) => void;
  /** An agent read the conversation up to `at`. */
  'agent:seen': (payload: { at: string }) => void;
  /** Business hours, the usual wait or the email follow-up changed: ask again with presence:get. */
  'presence:changed': (payload: Record<string, never>) => void;
};
export type WidgetClientEvents = {
  /** Acknowledged only after the message is committed; clientId makes retries idempotent. */
  'message:send': (payload: { clientId: string; text: string }, ack: Ack<{ message: VisitorMessageView }>) => void;
  'history:get': (payload: Record<string, never>, ack: Ack<{ messages: VisitorMessageView[] }>) => void;
  /** The visitor is typing (true) or stopped (false); throttled, never stored. */
  typing: (payload: { typing: boolean }) => void;
  /** The visitor has read the conversation (the widget is open and at the latest message). */
  seen: (payload: Record<string, never>) => void;
  /** Availability, whether a person joined, "Seen" and the email follow-up. */
  'presence:get': (payload: Record<string, never>, ack: Ack<WidgetPresenceView>) => void;
  /** Leave an email address for replies while away; consent must be true (recorded in the ledger). */
  'followup:email': (
    payload: { email: string; consent: boolean; consentTextHash?: string },
    ack: Ack<{ email: string }>,
  ) => void;
};
