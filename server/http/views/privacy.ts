import { Type, type Static, type TEnum, type TInteger } from 'typebox';
import { retentionClasses } from '../../../drizzle/schema/enums.ts';
import { ChannelKindSchema, ConsentEventView, ConsentPurposeSchema, ConsentState } from '../views.ts';

/**
 * The shapes of the privacy and contact API, one TypeBox schema each: the routes validate and document
 * with them (server/routes/privacy.ts, server/routes/contacts.ts), the privacy operations return their
 * `Static` types, and web/inbox/src/privacy-types.ts imports those types (type-only).
 */
const Uuid = Type.String({ format: 'uuid' });
const Iso = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const RetentionClassSchema = Type.Enum([...retentionClasses]) as unknown as TEnum<[...typeof retentionClasses]>;
export type RetentionClassView = Static<typeof RetentionClassSchema>;

/** One row of the contact list. */
export const ContactListItem = Type.Object({
  id: Uuid,
  name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  lastSeenAt: Iso,
});
export type ContactListItem = Static<typeof ContactListItem>;
export const ContactPage = Type.Object({
  items: Type.Array(ContactListItem),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export type ContactPage = Static<typeof ContactPage>;

const NullableText = (max: number) => Type.Union([Type.String({ minLength: 1, maxLength: max }), Type.Null()]);
/** Rectification (Art. 16): the fields to change; null clears one. */
export const ContactPatch = Type.Object(
  {
    name: Type.Optional(NullableText(200)),
    email: Type.Optional(NullableText(320)),
    phone: Type.Optional(NullableText(40)),
  },
  { minProperties: 1, additionalProperties: false },
);
export type ContactPatch = Static<typeof ContactPatch>;

/** The consent of one contact: the current state per purpose and the whole ledger. */
export const ConsentLedger = Type.Object({ current: Type.Array(ConsentState), history: Type.Array(ConsentEventView) });
export type ConsentLedger = Static<typeof ConsentLedger>;
/** Consent an agent records on the person's behalf, given or withdrawn on another channel. */
export const ConsentRecordBody = Type.Object({
  purpose: ConsentPurposeSchema,
  granted: Type.Boolean(),
  sourceChannel: ChannelKindSchema,
  evidence: Type.String({
    minLength: 1,
    maxLength: 500,
    description: 'Where and how it was given, e.g. a message id',
  }),
});
export type ConsentRecordBody = Static<typeof ConsentRecordBody>;

/** What an erasure removed, per store; the same counts are in its audit entry. */
/** A row (its SQL table name and id) that may mention an erased person, and the conversation it belongs to. */
export const PossibleMention = Type.Object({
  table: Type.String(),
  id: Type.String(),
  conversationId: Type.Union([Type.String(), Type.Null()]),
});
export type PossibleMention = Static<typeof PossibleMention>;

export const ErasureReceipt = Type.Object({
  contactId: Type.String(),
  erasedAt: Type.String(),
  /** Rows deleted per table (SQL table name). */
  database: Type.Record(Type.String(), Type.Integer()),
  blobs: Type.Integer(),
  providerRecordings: Type.Integer(),
  mentionsRedacted: Type.Integer(),
  /** Rows about other people that mention the person but are kept as they are under a legal hold. */
  mentionsKeptUnderHold: Type.Integer(),
  /**
   * Rows about other people that name the person's first name alone: not replaced (it may be someone else),
   * listed for review; a span of a message can be redacted from its conversation (POST /api/messages/:id/redact).
   */
  possibleMentions: Type.Array(PossibleMention),
  auditEntryId: Type.Integer(),
});
export type ErasureReceipt = Static<typeof ErasureReceipt>;

/** A legal hold is on exactly one contact or one conversation. */
export const LegalHoldBody = Type.Object({
  contactId: Type.Optional(Uuid),
  conversationId: Type.Optional(Uuid),
  reason: Type.String({ minLength: 3, maxLength: 500 }),
});
export type LegalHoldBody = Static<typeof LegalHoldBody>;

export const RetentionPolicyView = Type.Object({
  dataClass: RetentionClassSchema,
  label: Type.String(),
  description: Type.String(),
  enabled: Type.Boolean(),
  retainDays: Type.Integer(),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
  /** Set while the saved value waits out its grace period: until then the sweep uses `inForce`. */
  takesEffectAt: Type.Union([Type.String(), Type.Null()]),
  /** The value the sweep uses now. */
  inForce: Type.Object({ enabled: Type.Boolean(), retainDays: Type.Integer() }),
});
export type RetentionPolicyView = Static<typeof RetentionPolicyView>;

export const RetentionPreviewClass = Type.Object({
  dataClass: RetentionClassSchema,
  label: Type.String(),
  enabled: Type.Boolean(),
  retainDays: Type.Integer(),
  count: Type.Integer(),
  held: Type.Integer(),
  oldest: Type.Union([Type.String(), Type.Null()]),
});
export type RetentionPreviewClass = Static<typeof RetentionPreviewClass>;
/**
 * The trash's part of a dry run: conversations agents deleted whose window is over (the sweep purges them whatever
 * the policies say), those a legal hold keeps, and when the first of them was deleted.
 */
export const RetentionPreviewTrash = Type.Object({
  count: Type.Integer(),
  held: Type.Integer(),
  oldest: Type.Union([Type.String(), Type.Null()]),
});
export type RetentionPreviewTrash = Static<typeof RetentionPreviewTrash>;
export const RetentionPreview = Type.Object({
  asOf: Type.String(),
  classes: Type.Array(RetentionPreviewClass),
  trash: RetentionPreviewTrash,
});
export type RetentionPreview = Static<typeof RetentionPreview>;

/** A policy value as an admin proposes it (PUT body, dry run of proposed values). */
const RetainDays = Type.Integer({ minimum: 1, maximum: 3650 });
/** PUT /retention/:dataClass; `confirm` must be true when the value tightens the one in force. */
export const RetentionPolicyBody = Type.Object({
  enabled: Type.Boolean(),
  retainDays: RetainDays,
  confirm: Type.Optional(Type.Boolean()),
});
export const RetentionProposalBody = Type.Object({
  policies: Type.Array(
    Type.Object({ dataClass: RetentionClassSchema, enabled: Type.Boolean(), retainDays: RetainDays }),
    { minItems: 1, maxItems: 10 },
  ),
});
export type RetentionProposalBody = Static<typeof RetentionProposalBody>;
/**
 * A dry run of proposed values: `classes` is what a sweep would delete now if they were in force; per proposed
 * class, whether it tightens the value in force (then saving needs confirmation and waits `graceHours`) and
 * when its first deletion would be if it were saved now.
 */
export const RetentionProposal = Type.Object({
  asOf: Type.String(),
  graceHours: Type.Integer(),
  classes: Type.Array(RetentionPreviewClass),
  changes: Type.Array(
    Type.Object({
      dataClass: RetentionClassSchema,
      tightening: Type.Boolean(),
      count: Type.Integer(),
      held: Type.Integer(),
      takesEffectAt: Type.String(),
    }),
  ),
});
export type RetentionProposal = Static<typeof RetentionProposal>;

// A count per retention class; typed as a Record so a new class must be added here too.
const classCounts: Record<RetentionClassView, TInteger> = {
  messages: Type.Integer(),
  attachments: Type.Integer(),
  recordings: Type.Integer(),
  inactive_contacts: Type.Integer(),
  bot_logs: Type.Integer(),
};
const ClassCounts = Type.Object(classCounts);
/** `skipped`: another server was sweeping at that moment; `failed`: items that could not be deleted (retried later). */
export const SweepResult = Type.Object({
  sweptAt: Type.String(),
  skipped: Type.Boolean(),
  removed: ClassCounts,
  failed: ClassCounts,
  /** Conversations purged from the trash at their purge date (TRASH_RETAIN_DAYS), and those kept for a retry. */
  trash: Type.Object({ removed: Type.Integer(), failed: Type.Integer() }),
});
export type SweepResult = Static<typeof SweepResult>;

export const AuditEntryView = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  actorKind: Type.String(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.String(),
  targetId: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});
export type AuditEntryView = Static<typeof AuditEntryView>;
export const AuditPage = Type.Object({
  items: Type.Array(AuditEntryView),
  nextBefore: Type.Union([Type.Integer(), Type.Null()]),
});
export type AuditPage = Static<typeof AuditPage>;

export const AuditVerification = Type.Object({
  ok: Type.Boolean(),
  entries: Type.Integer(),
  firstBroken: Type.Union([Type.Object({ id: Type.Integer(), reason: Type.String() }), Type.Null()]),
  /** The newest entry a signed anchor outside the database vouches for (null: none yet). */
  anchoredThrough: Type.Union([Type.Integer(), Type.Null()]),
});
export type AuditVerification = Static<typeof AuditVerification>;

export const DataMapColumn = Type.Object({
  name: Type.String(),
  personal: Type.Boolean(),
  category: Type.String(),
  note: Type.Union([Type.String(), Type.Null()]),
});
export type DataMapColumn = Static<typeof DataMapColumn>;
export const DataMapTable = Type.Object({
  table: Type.String(),
  purpose: Type.String(),
  subject: Type.String(),
  columns: Type.Array(DataMapColumn),
});
export type DataMapTable = Static<typeof DataMapTable>;

export const ProcessingActivityView = Type.Object({
  name: Type.String(),
  purpose: Type.String(),
  legalBasis: Type.String(),
  dataSubjects: Type.Array(Type.String()),
  dataCategories: Type.Array(Type.String()),
  recipients: Type.Array(Type.String()),
  retention: Type.String(),
});
export type ProcessingActivityView = Static<typeof ProcessingActivityView>;
export const ProcessorView = Type.Object({
  name: Type.String(),
  role: Type.String(),
  channels: Type.Array(Type.String()),
  country: Type.String(),
  transferBasis: Type.String(),
  /** What in the configuration connects it (a processor nothing connects is not listed). */
  listedBecause: Type.String(),
});
export type ProcessorView = Static<typeof ProcessorView>;

/** An inbox and how it reaches people: through which processor, or connected to none (e.g. demo data). */
export const RecordInboxView = Type.Object({ name: Type.String(), channel: Type.String(), connection: Type.String() });
export type RecordInboxView = Static<typeof RecordInboxView>;

/**
 * A place where the server keeps data: the database (every table of the data map), the file store (the file
 * classes of the catalog), the key file. `dataDirPaths` are its entries under DATA_DIR, `tables` the database
 * tables it holds beyond the data map, `files` the catalog's file columns (table.column).
 */
export const RecordStoreView = Type.Object({
  name: Type.String(),
  location: Type.String(),
  contents: Type.String(),
  personalData: Type.Boolean(),
  dataDirPaths: Type.Array(Type.String()),
  tables: Type.Array(Type.String()),
  files: Type.Array(Type.String()),
});
export type RecordStoreView = Static<typeof RecordStoreView>;

/** The Article 30 record of processing and the data map, generated from the catalog and the live configuration. */
export const ProcessingRecordView = Type.Object({
  generatedAt: Type.String(),
  controller: Type.Object({
    name: Type.String(),
    contact: Type.Union([Type.String(), Type.Null()]),
    privacyPolicyUrl: Type.Union([Type.String(), Type.Null()]),
  }),
  processingActivities: Type.Array(ProcessingActivityView),
  processors: Type.Array(ProcessorView),
  inboxes: Type.Array(RecordInboxView),
  stores: Type.Array(RecordStoreView),
  retention: Type.Array(
    Type.Object({
      dataClass: RetentionClassSchema,
      label: Type.String(),
      enabled: Type.Boolean(),
      retainDays: Type.Integer(),
      description: Type.String(),
    }),
  ),
  /** Conversations agents delete: restorable by admins for retainDays (TRASH_RETAIN_DAYS), then purged. */
  trash: Type.Object({ retainDays: Type.Integer(), description: Type.String() }),
  securityMeasures: Type.Array(Type.String()),
  /** The data-protection impact assessment (Art. 35) this record goes with: its printable page. */
  dpia: Type.Object({ href: Type.String(), version: Type.Union([Type.Integer(), Type.Null()]) }),
  dataMap: Type.Array(DataMapTable),
});
export type ProcessingRecordView = Static<typeof ProcessingRecordView>;
