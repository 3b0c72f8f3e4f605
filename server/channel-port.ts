/**
 * The one door from channels/ into server/ (test/unit/module-boundaries.test.ts fails on any other).
 *
 * `ChannelPort` is what a channel may call at run time; the composition root (server/composition.ts)
 * builds one value of it and hands it to every channel module's factory. The re-exports below are the
 * few server helpers a channel needs to define its routes and read its own tables. Everything here must
 * stay free of imports that lead back to channels/ (the composition root, the route plugins), or the
 * boundary becomes a loop.
 */
import type { TextKeys } from './domain/message-text.ts';
import type { StoreKeys } from './domain/message-store.ts';
import type { Readable } from 'node:stream';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { InboundMessage } from '../channels/types.ts';
import type { Db } from './db/client.ts';
import type { ConsentInput } from './privacy/consent.ts';
import type { ConsentPurpose } from '../drizzle/schema/enums.ts';
import type { BlobStore } from './blobs/store.ts';
import type { DomainEventBus } from './domain/events.ts';
import type { InboxNameCache } from './domain/inbox-names.ts';
import type { IngestResult } from './domain/ingest.ts';
import type { VisitorClaims } from './security/tokens.ts';
import type { Outbound } from './http/outbound.ts';
import type { InboxSecrets } from './security/stored-secrets.ts';
import type { FileLinks } from './domain/uploads-links.ts';
import type { VisitorMessageView } from './http/views.ts';
import type {
  VisitorConsentPurpose,
  VisitorHistoryView,
  VisitorFilesRequest,
  VisitorSendRequest,
  VisitorSessionRequest,
  VisitorSessionView,
  WidgetConfigView,
} from './http/views/widget.ts';
import type { Locale } from '../web/i18n/index.ts';

// The types a channel works with.
export type { Db } from './db/client.ts';
export type { BlobStore } from './blobs/store.ts';
export type { DomainEventBus } from './domain/events.ts';
export type { InboxNameCache } from './domain/inbox-names.ts';
export type { IngestDeps, IngestResult } from './domain/ingest.ts';
export type { RecordingProvider } from './privacy/recording-providers.ts';
export type { VisitorClaims } from './security/tokens.ts';
export type { InboxSecrets } from './security/stored-secrets.ts';
export type { FileLinks } from './domain/uploads-links.ts';
export { SecretUnreadableError } from './security/secret-box.ts';
// Pure helpers over the database, called with the port's db or the channel's own transaction: ingest (for
// readers that thread and ingest in their own steps), the views events carry, the audit chain, named leases
// (exactly one process holds one, e.g. a mailbox reader).
export { rowsOf } from './db/client.ts';
export { ingest } from './domain/ingest.ts';
// Cleaning of text PostgreSQL cannot store (NUL, broken surrogates), for provider values used outside ingest.
export { storableInbound, storableText, storableValue } from './domain/storable-text.ts';
export { loadConversationView, toMessageView } from './domain/views.ts';
export { openMessageText, openSubjects, type TextKeys } from './domain/message-text.ts';
// Identities are found by their keyed token (issue 22): the adapters that look senders up use these.
export { newIdentity, readableAddresses, tokenOfAddress } from './domain/identity-address.ts';
export { findIdentity } from './domain/identity-lookup.ts';
export { sealMessageText, type StoreKeys } from './domain/message-store.ts';
export { sealFieldsOf } from './domain/contact-fields.ts';
export { appendAudit } from './privacy/audit.ts';
export { processHolder, releaseLease, tryAcquireLease } from './db/leases.ts';
// For route definitions: error constructors, the shared error response schemas, the rate-limit presets.
export { DomainError, badRequest, notFound } from './domain/errors.ts';
export { download, errors, IdParams, media } from './http/common.ts';
export { rateLimits } from './http/rate-limits.ts';
// Requests to other hosts (provider APIs, file downloads) go only through ChannelPort.outbound.
export { OutboundRefused, OutboundTooLarge, type Outbound, type OutboundResponse } from './http/outbound.ts';
// The chat widget's request and response schemas (web/widget reads their types from the same file).
export {
  LocaleSchema,
  VisitorConsentView,
  VisitorHistoryView,
  VisitorFilesRequest,
  VisitorMessageResult,
  VisitorSendRequest,
  VisitorSessionRequest,
  VisitorSessionView,
  WidgetConfigView,
} from './http/views/widget.ts';

/** A consent event a channel records (e.g. a caller who stayed on the line after the recording notice). */
// A channel records as the system, never on an agent's behalf: the port adds the actor.
export type ChannelConsent = Omit<ConsentInput, 'actor' | 'recordedByAgentId'>;

/**
 * The visitor side of the server, for the chat widget's routes (channels/chat/routes.ts): a thin facade over
 * server/domain/widget.ts, visitors.ts, the visitor tokens and the privacy export (server/domain/visitor-desk.ts).
 * Every operation but `startSession` and `config` takes the visitor that `current` read from the request.
 */
export type VisitorDesk = {
  /** The visitor of a `access: 'visitor'` route (the auth hook verified the token); 401 without one. */
  current(request: FastifyRequest): VisitorClaims;
  /** The chat inbox's name, greeting and consent notice; 404 for anything but a chat inbox. */
  config(inboxId: string, locale?: Locale): Promise<WidgetConfigView>;
  /** The visitor accepts the notice: creates the contact, records the consents, issues the signed token. */
  startSession(input: VisitorSessionRequest): Promise<VisitorSessionView>;
  /** The visitor's own conversation history in the token's inbox. */
  history(visitor: VisitorClaims): Promise<VisitorHistoryView>;
  /** One conversation, only if it is the visitor's own (403 for someone else's, 404 for none). */
  conversation(visitor: VisitorClaims, conversationId: string): Promise<VisitorHistoryView>;
  /** A message from the visitor, through the chat adapter into ingest(); clientId makes retries idempotent. */
  send(visitor: VisitorClaims, input: VisitorSendRequest | VisitorFilesRequest): Promise<VisitorMessageView>;
  /** The visitor's current consent per notice purpose. */
  consent(visitor: VisitorClaims, language?: Locale): Promise<VisitorConsentPurpose[]>;
  /** Grants or withdraws a purpose (withdrawing support ends the session); answers the new state. */
  changeConsent(
    visitor: VisitorClaims,
    purpose: 'support' | 'analytics',
    granted: boolean,
    language?: Locale,
  ): Promise<VisitorConsentPurpose[]>;
  /** The Art. 15/20 archive of the visitor's own data (the one agents export), as a zip stream. */
  exportOwnData(visitor: VisitorClaims): Promise<Readable>;
};

/** What a channel may call at run time. Built once by the composition root; never changed afterwards. */
export type ChannelPort = {
  /** The channel's own tables (drizzle/schema) and the shared ones it reads (inboxes, messages). */
  db: Db;
  events: DomainEventBus;
  blobs: BlobStore;
  inboxNames: InboxNameCache;
  /** Opens stored message text, and seals what a channel writes, with a person's data key (message-text/-store). */
  dataKeys: TextKeys & StoreKeys;
  log: FastifyBaseLogger;
  clock: () => Date;
  /** The address providers reach this server at (webhook URLs, signature checks). */
  publicUrl: string;
  messageMaxChars: number;
  /** Every request to another host: public addresses only (unless OUTBOUND_ALLOW_HOSTS), limited, timed out. */
  outbound: Outbound;
  /** The single entry of every inbound message (server/domain/ingest.ts); resolves after commit. */
  ingest(message: InboundMessage): Promise<IngestResult>;
  /** Records a consent event with its audit entry in one transaction, then publishes consent.changed. */
  recordConsent(consent: ChannelConsent): Promise<void>;
  /** The evidence of a contact's consent events for a purpose, opened (it is stored encrypted), newest first. */
  consentEvidence(contactId: string, purpose: ConsentPurpose): Promise<Array<Record<string, string>>>;
  /** Tells the agents a stored message changed after the fact (its files arrived, its delivery moved). */
  publishMessageUpdate(messageId: string): Promise<void>;
  /** The retention policy's answers a channel needs when it stores data with a deletion date. */
  retention: {
    /** When a recording made at `recordedAt` is deleted. */
    recordingDeleteAfter(recordedAt: Date): Promise<Date>;
    /** The recordings policy's period in days, or null when none is enabled (quoted to callers). */
    recordingRetainDays(): Promise<number | null>;
  };
  /**
   * Encrypts and decrypts the secrets in an inbox's settings (passwords, tokens) under the master key, bound to
   * that inbox: the database never holds them in plain text. The paths are the module's `secretSettings`.
   */
  secrets: InboxSecrets;
  /** The widget visitor's operations (chat's routes). */
  visitors: VisitorDesk;
  /** Signed expiring links to stored files (an SMS without MMS carries one; Twilio fetches MediaUrl from one). */
  fileLinks: FileLinks;
  /** The JSON body limit of a route that carries files as base64 (UPLOAD_MAX_BYTES x UPLOAD_MAX_FILES, plus text). */
  uploadBodyLimit: number;
  /** Who a widget visitor token proves to be, or null for a missing, forged or foreign token (chat). */
  verifyVisitorToken(token: string | undefined): { visitorId: string; inboxId: string } | null;
  /** The signed-in agent of an admin/agent route (the auth hook has already checked the access level). */
  currentAgentId(request: FastifyRequest): string;
  /** Runs a task every `intervalMs` (failures logged, never overlapping); returns its stop function. */
  every(name: string, intervalMs: number, task: () => Promise<unknown>): () => void;
};
