/**
 * The privacy and contact API's shapes, as the server declares them: each is the `Static` type of the one
 * TypeBox schema its route validates with (server/http/views/privacy.ts and server/http/views.ts), imported
 * type-only, so nothing of the server is bundled and a change on the server fails the inbox typecheck.
 */
import type { AgentServerEvents, ContactView, MessageView } from './types.ts';
import type { ConsentEventView, LegalHoldView, RestrictionView } from '../../../server/http/views.ts';
import type {
  AuditEntryView,
  AuditPage,
  AuditVerification,
  ConsentLedger,
  ConsentRecordBody,
  ContactPatch,
  DataMapColumn,
  DataMapTable,
  ErasureReceipt,
  LegalHoldBody,
  ProcessingRecordView,
  RetentionClassView,
  RetentionPolicyView,
  RetentionPreview,
  RetentionPreviewClass,
  RetentionProposal,
  SweepResult,
} from '../../../server/http/views/privacy.ts';

export type {
  AuditEntryView,
  AuditPage,
  AuditVerification,
  ConsentEventView,
  ContactPatch,
  DataMapColumn,
  DataMapTable,
  ErasureReceipt,
  LegalHoldView,
  ProcessingRecordView,
  RetentionPolicyView,
  RetentionPreview,
  RetentionPreviewClass,
  RetentionProposal,
  SweepResult,
};

export type ConsentLedgerView = ConsentLedger;
/** What an agent records: the body of POST /api/contacts/:id/consent. */
export type ConsentInput = ConsentRecordBody;

/** The one contact or conversation a legal hold is placed on (POST /api/privacy/legal-holds, less the reason). */
export type HoldTarget = Required<Pick<LegalHoldBody, 'contactId'>> | Required<Pick<LegalHoldBody, 'conversationId'>>;

/** A contact with its active legal holds (contact- or conversation-level): the server's ContactView. */
export type PrivacyContactView = ContactView;

/** Where a "[redacted]" marker stands in a body; `by` is the redacting agent's id. */
export type Redaction = MessageView['redactions'][number];
/** A message with the positions of its "[redacted]" markers in the (new) body: the server's MessageView. */
export type RedactableMessage = MessageView;

export type RetentionClass = RetentionClassView;

/** The agent socket's 'privacy:progress' payload (server/realtime/event-map.ts). */
export type PrivacyProgress = Parameters<AgentServerEvents['privacy:progress']>[0];

/** A restriction (Art. 18) or objection (Art. 21) in force on a contact. */
export type { RestrictionView };
export type RestrictionPurpose = RestrictionView['purposes'][number];
