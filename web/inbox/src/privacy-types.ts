/**
 * The privacy API's shapes (.tmp/PRIVACY_API.md). Views the server exports from server/http/views.ts are
 * re-exported (type-only), so a change on the server fails the inbox typecheck; the rest (erasure receipt,
 * retention, audit, record) are declared only inside the server's routes, so they are typed here after the
 * contract.
 */
import type {
  AgentServerEvents,
  ChannelKind,
  ConsentPurpose,
  ContactView,
  ConsentState,
  MessageView,
} from './types.ts';
import type { ConsentEventView, LegalHoldView } from '../../../server/http/views.ts';

export type { ConsentEventView, LegalHoldView };

export type ConsentLedgerView = { current: ConsentState[]; history: ConsentEventView[] };
export type ConsentInput = { purpose: ConsentPurpose; granted: boolean; sourceChannel: ChannelKind; evidence: string };

export type HoldTarget = { contactId: string } | { conversationId: string };

/** A contact with its active legal holds (contact- or conversation-level): the server's ContactView. */
export type PrivacyContactView = ContactView;
export type ContactPatch = { name?: string | null; email?: string | null; phone?: string | null };

/** Where a "[redacted]" marker stands in a body; `by` is the redacting agent's id. */
export type Redaction = MessageView['redactions'][number];
/** A message with the positions of its "[redacted]" markers in the (new) body: the server's MessageView. */
export type RedactableMessage = MessageView;

export type ErasureReceipt = {
  contactId: string;
  erasedAt: string;
  database: Record<string, number>;
  blobs: number;
  providerRecordings: number;
  mentionsRedacted: number;
  auditEntryId: number;
};

export type RetentionClass = 'messages' | 'attachments' | 'recordings' | 'inactive_contacts' | 'bot_logs';
export type RetentionPolicyView = {
  dataClass: RetentionClass;
  label: string;
  description: string;
  enabled: boolean;
  retainDays: number;
  updatedAt: string | null;
};
export type RetentionPreviewClass = {
  dataClass: RetentionClass;
  label: string;
  enabled: boolean;
  retainDays: number;
  count: number;
  held: number;
  oldest: string | null;
};
export type RetentionPreview = { asOf: string; classes: RetentionPreviewClass[] };
/** `skipped`: another server was sweeping at that moment; `failed`: items that could not be deleted (retried later). */
export type SweepResult = {
  sweptAt: string;
  removed: Partial<Record<RetentionClass, number>>;
  skipped?: boolean;
  failed?: Partial<Record<RetentionClass, number>>;
};

export type AuditEntryView = {
  id: number;
  at: string;
  actorKind: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: unknown;
};
export type AuditPage = { items: AuditEntryView[]; nextBefore: number | null };
export type AuditVerification = { ok: boolean; entries: number; firstBroken: null | { id: number; reason: string } };

export type DataMapColumn = { name: string; personal: boolean; category: string; note?: string | null };
export type DataMapTable = { table: string; purpose: string; subject: string; columns: DataMapColumn[] };
/** The Article 30 record. Only the data map has a fixed shape; the other lists are rendered generically. */
export type ProcessingRecordView = {
  generatedAt: string;
  controller: unknown;
  processingActivities: unknown[];
  dataMap: DataMapTable[];
  processors: unknown[];
  retention: unknown[];
};

/** The agent socket's 'privacy:progress' payload (server/realtime/event-map.ts). */
export type PrivacyProgress = Parameters<AgentServerEvents['privacy:progress']>[0];
