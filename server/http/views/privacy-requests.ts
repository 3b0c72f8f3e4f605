import { Type, type Static, type TEnum } from 'typebox';
import {
  notToldReasons,
  outcomeChannels,
  privacyRequestKinds,
  privacyRequestSources,
  privacyRequestStatuses,
  refusalBases,
  requestChannels,
} from '../../../drizzle/schema/privacy-requests.ts';

/** The request desk's API shapes (server/routes/privacy-requests.ts); the inbox imports the `Static` types. */
const Uuid = Type.String({ format: 'uuid' });
const Iso = Type.String({ format: 'date-time' });
const enumOf = <T extends readonly string[]>(values: T) => Type.Enum([...values]) as unknown as TEnum<[...T]>;

export const RequestKindSchema = enumOf(privacyRequestKinds);
export const RequestSourceSchema = enumOf(privacyRequestSources);
export const RequestStatusSchema = enumOf(privacyRequestStatuses);
export const RequestChannelSchema = enumOf(requestChannels);
export const RefusalBasisSchema = enumOf(refusalBases);
export const LanguageSchema = Type.Enum(['en', 'de', 'fr', 'fi', 'sv']) as unknown as TEnum<
  ['en', 'de', 'fr', 'fi', 'sv']
>;

export const VerificationView = Type.Object({
  method: Type.Enum(['email_code', 'sms_code', 'slack_code', 'visitor_token', 'agent_statement']),
  identityId: Type.Optional(Uuid),
  identityKind: Type.Optional(
    Type.Enum(['email', 'phone', 'slack'], { description: 'the kind of identity a one-time code went to' }),
  ),
  codeId: Type.Optional(Uuid),
  how: Type.Optional(Type.String()),
  verifiedAt: Iso,
});

export const OutcomeView = Type.Union([
  Type.Object({
    kind: Type.Literal('fulfilled'),
    produced: Type.Enum(['export', 'erasure_receipt', 'rectification', 'restriction', 'other']),
    details: Type.Optional(Type.Record(Type.String(), Type.Union([Type.Number(), Type.String()]))),
  }),
  Type.Object({
    kind: Type.Literal('refused'),
    basis: RefusalBasisSchema,
    note: Type.Optional(Type.String({ maxLength: 500 })),
  }),
]);
export type OutcomeView = Static<typeof OutcomeView>;

export const OutcomeNoticeView = Type.Object(
  {
    told: Type.Boolean(),
    via: Type.Union([enumOf(outcomeChannels), Type.Null()], {
      description: 'the channel the person was told on (or would have been): email, sms or slack',
    }),
    reason: Type.Optional(
      Type.Enum([...notToldReasons], {
        description:
          'why not: no_address (nothing on file to reach them on), opted_out (their number texted STOP), ' +
          'channel_unavailable (no SMS inbox or Slack app), not_sent (the mail server or provider refused)',
      }),
    ),
    at: Iso,
  },
  { description: 'whether the person was told the outcome, on which channel, or why not; never the address' },
);
export type OutcomeNoticeView = Static<typeof OutcomeNoticeView>;

export const PrivacyRequestView = Type.Object({
  id: Uuid,
  contactId: Type.Union([Uuid, Type.Null()]),
  kind: RequestKindSchema,
  source: RequestSourceSchema,
  status: RequestStatusSchema,
  language: Type.String(),
  fields: Type.Array(Type.String()),
  channel: Type.Union([RequestChannelSchema, Type.Null()], { description: 'how an agent received it' }),
  note: Type.Union([Type.String(), Type.Null()], { description: "the logging agent's note" }),
  receivedAt: Iso,
  dueAt: Iso,
  extendedAt: Type.Union([Iso, Type.Null()]),
  extensionReason: Type.Union([Type.String(), Type.Null()]),
  assignee: Type.Union([Type.Object({ id: Uuid, name: Type.String() }), Type.Null()]),
  verification: Type.Union([VerificationView, Type.Null()]),
  outcome: Type.Union([OutcomeView, Type.Null()]),
  outcomeNotice: Type.Union([OutcomeNoticeView, Type.Null()]),
  closedAt: Type.Union([Iso, Type.Null()]),
  overdue: Type.Boolean(),
  daysLeft: Type.Integer({ description: 'whole days until the deadline; negative once overdue' }),
});
export type PrivacyRequestView = Static<typeof PrivacyRequestView>;

export const RequestFigures = Type.Object({
  open: Type.Integer(),
  overdue: Type.Integer(),
  medianDaysToClose: Type.Union([Type.Number(), Type.Null()], { description: 'null until one is closed' }),
});
export type RequestFigures = Static<typeof RequestFigures>;

export const RequestList = Type.Object({ items: Type.Array(PrivacyRequestView), figures: RequestFigures });
export type RequestList = Static<typeof RequestList>;

export const LogRequestBody = Type.Object(
  {
    contactId: Uuid,
    kind: RequestKindSchema,
    language: Type.Optional(LanguageSchema),
    fields: Type.Optional(Type.Array(Type.Enum(['name', 'email', 'phone']), { maxItems: 3 })),
    /** How the agent checked who asked: a choice, never free text (it would end up quoting the person). */
    verifiedHow: Type.Enum(['same_channel', 'identity_document', 'callback']),
    /** When the person asked (the deadline runs from then); now when left out. */
    receivedAt: Type.Optional(Iso),
    channel: Type.Optional(RequestChannelSchema),
    /** Staff text: what was asked and how, without quoting the person. */
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export const ExtendBody = Type.Object({ reason: Type.String({ minLength: 10, maxLength: 500 }) });
export const AssignBody = Type.Object({ assigneeId: Type.Union([Uuid, Type.Null()]) });
export const CloseBody = Type.Object({ outcome: OutcomeView });

/** One entry of a contact's access history: who (kind, id, display name), what action, which fields, when. */
export const ContactAuditEntry = Type.Object({
  id: Type.Integer(),
  at: Iso,
  actor: Type.Object({
    kind: Type.String(),
    id: Type.Union([Type.String(), Type.Null()]),
    name: Type.Union([Type.String(), Type.Null()]),
  }),
  action: Type.String(),
  targetType: Type.String(),
  targetId: Type.Union([Type.String(), Type.Null()]),
  fields: Type.Array(Type.String(), { description: 'field names, never values' }),
});
export const ContactAuditView = Type.Object({ items: Type.Array(ContactAuditEntry) });
export type ContactAuditView = Static<typeof ContactAuditView>;
