import type { ChannelKind, IdentityKind, ParticipantRole } from '../drizzle/schema/enums.ts';

export type { ChannelKind };

/** The one normalized shape every channel parses its inbound traffic into. Pure data. */
export type InboundMessage = {
  channel: ChannelKind;
  inboxId: string;
  sender: {
    kind: IdentityKind;
    /** Email address, E.164 phone, Slack user id or widget visitor id. */
    address: string;
    name?: string;
  };
  /** Groups messages into one conversation: email Message-ID root, Slack thread, phone pair, widget visitor. */
  threadKey: string;
  /** The provider's id; replays of the same (channel, externalId) are no-ops. */
  externalId: string;
  text: string;
  /** Sanitized HTML only. */
  html?: string;
  subject?: string;
  occurredAt: Date;
  metadata?: Record<string, unknown>;
  /** Files that came with the message (email); stored in the blob store and linked after the message row. */
  attachments?: InboundAttachment[];
  /**
   * The others the message went to (email To and Cc, our own addresses left out). When present, the sender
   * (as 'from') and these become participants of the conversation, each an identity of a contact.
   */
  participants?: InboundParticipant[];
};

export type InboundParticipant = { kind: IdentityKind; address: string; name?: string; role: ParticipantRole };

export type InboundAttachment = {
  filename: string;
  contentType: string;
  content: Buffer;
};

export type ChannelCapabilities = {
  threads: boolean;
  attachments: boolean;
  deliveryReceipts: boolean;
  /** Longest text one outbound message may carry, in characters. */
  maxLength: number;
};

/** What an adapter needs to deliver one reply; never includes internal notes. */
export type OutboundMessage = {
  messageId: string;
  conversationId: string;
  inboxId: string;
  threadKey: string;
  /** The contact's address on this channel. */
  to: string;
  text: string;
  subject?: string;
  /** Files the agent attached; an adapter that cannot carry files links to them (ChannelPort.fileLinks). */
  attachments?: OutboundAttachment[];
};

/** A stored file of an outbound message: read from the blob store (ChannelPort.blobs) or linked to. */
export type OutboundAttachment = { id: string; blobId: string; filename: string; contentType: string; size: number };

export type SendResult = { externalId: string; state: 'sent' | 'delivered' };

/** An inbound request as the HTTP layer saw it, for signature checks. */
export type InboundRequest = {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  body: unknown;
};

export type ChannelAdapter<Payload = unknown> = {
  kind: ChannelKind;
  /** Which identity of a contact replies go to (an email address, a phone number, ...). */
  identityKind: IdentityKind;
  capabilities: ChannelCapabilities;
  /** Throws InboundRejected when the request does not come from the provider (or the visitor it claims). */
  verify(request: InboundRequest): void;
  /** Pure: provider payload -> normalized message(s). */
  parse(payload: Payload, context: { inboxId: string }): InboundMessage[];
  send(message: OutboundMessage): Promise<SendResult>;
};

/**
 * Thrown by send() when no retry can fix the delivery (the recipient does not exist or opted out, the
 * text exceeds the channel's limit, the channel is not configured): the message fails at once, visibly.
 */
export class PermanentDeliveryError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'PermanentDeliveryError';
  }
}

export class InboundRejected extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InboundRejected';
  }
}

/**
 * A processor a channel adds to the Art. 30 record: listed only while the channel is actually connected to it
 * (credentials in the environment, or an inbox with its own account). `country` and `transferBasis` come from
 * the channel's settings (a default says so, naming the variable); `listedBecause` names what connects it.
 */
export type Art30Processor = {
  name: string;
  role: string;
  channels: ChannelKind[];
  country: string;
  transferBasis: string;
  listedBecause: string;
};

/**
 * A processing activity a channel adds to the Art. 30 record (e.g. call recording), listed while the channel is
 * connected. `retentionClass` names the retention policy whose period the record quotes.
 */
export type Art30Activity = {
  name: string;
  purpose: string;
  legalBasis: string;
  dataSubjects: string[];
  dataCategories: string[];
  recipients: string[];
  retentionClass: string;
  channels: ChannelKind[];
};

/**
 * What a message marker says, as a code and its arguments (numbers, the file name already in the message), for the
 * inbox to word in the agent's language (web/i18n inbox-timeline: marker.<code>); the marker's `detail` keeps the
 * same in English for the export and for clients that do not know the code.
 */
export type MarkerEvent = { code: string; args: Record<string, string | number> };

/** An inbox as a channel module sees it when it says what it adds to the record (settings may hold sealed secrets). */
export type Art30Inbox = { id: string; name: string; channel: ChannelKind; settings: Record<string, unknown> };

/**
 * What a channel adds to the Art. 30 record, given its parsed settings and its inboxes: the processors and
 * activities of what is really connected, and for each of its inboxes how it reaches people (`null`: connected
 * to no provider, e.g. a demo inbox: its stored conversations are listed, nothing goes to a processor).
 */
export type Art30Part = {
  processors: Art30Processor[];
  activities: Art30Activity[];
  inboxes: Record<string, string | null>;
};
