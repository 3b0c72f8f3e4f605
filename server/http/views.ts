import { Type, type Static, type TEnum } from 'typebox';
import {
  channelKinds,
  conversationStatuses,
  agentRoles,
  messageDirections,
  authorKinds,
  messageKinds,
  deliveryStates,
  identityKinds,
  consentPurposes,
  participantRoles,
} from '../../drizzle/schema/enums.ts';
import { LOCALES } from '../../web/i18n/locales.ts';
import { restrictionKinds, restrictionPurposes } from '../../drizzle/schema/restrictions.ts';
import { timelineEventCodes } from '../domain/timeline-events.ts';

/**
 * The shapes the API and the realtime events send. web/ imports these types; the server validates with them.
 * The shapes of one area (agents, conversations, kb, analytics, widget, health) live in ./views/.
 */
const literals = <const T extends readonly string[]>(values: T) => Type.Enum([...values]) as unknown as TEnum<[...T]>;

export const ChannelKindSchema = literals(channelKinds);
export const ConversationStatusSchema = literals(conversationStatuses);
export const AgentRoleSchema = literals(agentRoles);
export const ConsentPurposeSchema = literals(consentPurposes);
/** One of the five languages of the inbox and the widget (web/i18n). */
export const InboxLocaleSchema = literals(LOCALES);
const Uuid = Type.String({ format: 'uuid' });
const Iso = Type.String({ format: 'date-time' });

export const AgentView = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  role: AgentRoleSchema,
  disabled: Type.Boolean(),
  /** The avatar colour the agent chose (#rrggbb), or null for one derived from the name. */
  color: Type.Union([Type.String({ pattern: '^#[0-9a-f]{6}$' }), Type.Null()]),
  /**
   * Whether the agent can sign in: active; disabled; invited (has not chosen a password yet); demo (a fictional
   * colleague of the demo data, nobody knows its password).
   */
  status: Type.Enum(['active', 'disabled', 'invited', 'demo']),
  /** Signed in with a one-time password an admin set: must choose their own before anything else. */
  mustChangePassword: Type.Boolean(),
  /** The language the agent chose for the inbox; null: the browser's languages decide. */
  locale: Type.Union([InboxLocaleSchema, Type.Null()]),
});
export type AgentView = Static<typeof AgentView>;

/** A file that came with a message; downloaded through GET /api/attachments/:id. */
export const AttachmentView = Type.Object({
  id: Uuid,
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
});
export type AttachmentView = Static<typeof AttachmentView>;

/**
 * Something the agent should know about a message (an email too large to store whole, unreadable MIME,
 * an auto-reply, characters that could not be stored, a shared file that was not downloaded, personal data the
 * inbox's PII policy removed or flagged).
 */
export const MessageMarkerView = Type.Object({
  kind: Type.Union([
    Type.Literal('parse_error'),
    Type.Literal('attachment_too_large'),
    Type.Literal('body_truncated'),
    Type.Literal('automated'),
    Type.Literal('text_cleaned'),
    Type.Literal('file_not_fetched'),
    Type.Literal('not_a_participant'),
    Type.Literal('pii_redacted'),
    Type.Literal('pii_flagged'),
  ]),
  /** In English; markers stored before codes existed have only this. */
  detail: Type.String(),
  /**
   * The same as a code and its arguments (file names already in the message, sizes in bytes, counts per kind of
   * personal data), for the inbox to say in the agent's language; an unknown code falls back to `detail`.
   */
  event: Type.Optional(
    Type.Object({
      code: Type.String(),
      args: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
    }),
  ),
});
export type MessageMarkerView = Static<typeof MessageMarkerView>;

/** Who wrote an inbound message: the identity it came from (address, phone, handle) and that contact's name. */
export const MessageAuthorView = Type.Object({
  contactId: Uuid,
  kind: literals(identityKinds),
  /** Null when it can no longer be read (stored sealed; the person's key is gone: an erased person in a restore). */
  address: Type.Union([Type.String(), Type.Null()]),
  name: Type.Union([Type.String(), Type.Null()]),
});
export type MessageAuthorView = Static<typeof MessageAuthorView>;

/** SPF/DKIM/DMARC results the receiving mail server wrote into the mail (Authentication-Results, RFC 8601). */
export const MessageAuthenticationView = Type.Object({
  authservId: Type.String(),
  results: Type.Array(Type.Object({ method: Type.String(), result: Type.String() })),
});
export type MessageAuthenticationView = Static<typeof MessageAuthenticationView>;

/** Someone who took part in a conversation (email From/To/Cc), with the roles they appeared in. */
export const ParticipantView = Type.Object({
  contactId: Uuid,
  kind: literals(identityKinds),
  /** Null when it can no longer be read (stored sealed; the person's key is gone: an erased person in a restore). */
  address: Type.Union([Type.String(), Type.Null()]),
  name: Type.Union([Type.String(), Type.Null()]),
  roles: Type.Array(literals(participantRoles)),
  firstSeenAt: Iso,
});
export type ParticipantView = Static<typeof ParticipantView>;

/**
 * A timeline marker as a code and its arguments, for the inbox to say in the agent's language; the body holds
 * the same in English (and is all that markers written before this existed have).
 */
export const TimelineEventView = Type.Object({
  code: literals(timelineEventCodes),
  args: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
});

export const MessageView = Type.Object({
  id: Uuid,
  conversationId: Uuid,
  channel: ChannelKindSchema,
  direction: literals(messageDirections),
  kind: literals(messageKinds),
  authorKind: literals(authorKinds),
  authorName: Type.Union([Type.String(), Type.Null()]),
  body: Type.String(),
  deliveryState: literals(deliveryStates),
  deliveryError: Type.Union([Type.String(), Type.Null()]),
  /** Where "[redacted]" markers stand in the body (UTF-16 offsets). */
  redactions: Type.Array(
    Type.Object({ start: Type.Integer(), end: Type.Integer(), by: Type.String(), at: Type.String() }),
  ),
  createdAt: Iso,
  /** Present when the message has files (email). */
  attachments: Type.Optional(Type.Array(AttachmentView)),
  /** Present when something about the message needs the agent's attention. */
  markers: Type.Optional(Type.Array(MessageMarkerView)),
  /** Inbound messages: the identity that wrote it, which need not be the conversation's contact. */
  author: Type.Optional(MessageAuthorView),
  /** Email: what the receiving server's SPF/DKIM/DMARC checks found, when it recorded them. */
  authentication: Type.Optional(MessageAuthenticationView),
  /** Inbound messages: the language the customer wrote in (ISO 639-1), when detected or known from the contact. */
  language: Type.Optional(Type.String({ maxLength: 35 })),
  /** Timeline markers (kind "event"): what happened, as a code and arguments. */
  event: Type.Optional(TimelineEventView),
  /**
   * Present when the text was stored encrypted with a person's data key that no longer exists (the person was
   * erased): `body` is then empty and the text cannot be read by anyone.
   */
  textUnreadable: Type.Optional(Type.Literal(true)),
});
export type MessageView = Static<typeof MessageView>;

export const ContactRef = Type.Object({ id: Uuid, name: Type.Union([Type.String(), Type.Null()]) });

export const ConversationView = Type.Object({
  id: Uuid,
  inboxId: Uuid,
  inboxName: Type.String(),
  channel: ChannelKindSchema,
  status: ConversationStatusSchema,
  subject: Type.Union([Type.String(), Type.Null()]),
  contact: ContactRef,
  assignee: Type.Union([Type.Object({ id: Uuid, name: Type.String() }), Type.Null()]),
  /** The team that works it (always one that serves the conversation's inbox). */
  team: Type.Union([Type.Object({ id: Uuid, name: Type.String() }), Type.Null()]),
  lastMessageAt: Iso,
  lastMessagePreview: Type.Union([Type.String(), Type.Null()]),
  /** Present when the subject was encrypted with a person's data key that no longer exists (`subject` is null). */
  subjectUnreadable: Type.Optional(Type.Literal(true)),
  /** Present when the last message's text can no longer be read for the same reason (the preview is null). */
  previewUnreadable: Type.Optional(Type.Literal(true)),
  /**
   * Inbound messages after the requesting agent last read the conversation. In realtime events,
   * which go to every agent at once, it is 0: clients count arrivals themselves from there.
   */
  unreadCount: Type.Integer(),
  createdAt: Iso,
});
export type ConversationView = Static<typeof ConversationView>;

export const ConsentState = Type.Object({
  purpose: ConsentPurposeSchema,
  granted: Type.Boolean(),
  policyVersion: Type.String(),
  sourceChannel: ChannelKindSchema,
  occurredAt: Iso,
});
export type ConsentState = Static<typeof ConsentState>;

export const LegalHoldView = Type.Object({
  id: Uuid,
  contactId: Type.Union([Uuid, Type.Null()]),
  conversationId: Type.Union([Uuid, Type.Null()]),
  reason: Type.String(),
  createdBy: Type.Union([Type.Object({ id: Uuid, name: Type.String() }), Type.Null()]),
  createdAt: Iso,
  releasedAt: Type.Union([Iso, Type.Null()]),
});
export type LegalHoldView = Static<typeof LegalHoldView>;

/** A restriction (Art. 18) or objection (Art. 21) on a contact, in force while liftedAt is null. */
export const RestrictionView = Type.Object({
  id: Uuid,
  contactId: Uuid,
  kind: literals(restrictionKinds),
  /** What the contact is left out of (a restriction: all of them). */
  purposes: Type.Array(literals(restrictionPurposes)),
  reason: Type.String(),
  requestId: Type.Union([Uuid, Type.Null()]),
  setBy: Type.Union([Type.Object({ id: Uuid, name: Type.String() }), Type.Null()]),
  setAt: Iso,
  liftedAt: Type.Union([Iso, Type.Null()]),
});
export type RestrictionView = Static<typeof RestrictionView>;

export const ConsentEventView = Type.Object({
  id: Uuid,
  purpose: ConsentPurposeSchema,
  granted: Type.Boolean(),
  policyVersion: Type.String(),
  /** The language of the notice the person saw (en, de, fr, fi, sv); null where none was shown or not known. */
  language: Type.Union([Type.String(), Type.Null()]),
  sourceChannel: ChannelKindSchema,
  evidence: Type.Record(Type.String(), Type.String()),
  recordedBy: Type.Union([Type.Object({ id: Uuid, name: Type.String() }), Type.Null()]),
  occurredAt: Iso,
});
export type ConsentEventView = Static<typeof ConsentEventView>;

export const ContactView = Type.Object({
  id: Uuid,
  name: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  /**
   * The fields above that are null because they can no longer be read (stored sealed, the person's key is gone:
   * an erased person in a restored backup), as opposed to never known.
   */
  unreadable: Type.Array(literals(['name', 'email', 'phone'] as const)),
  createdAt: Iso,
  lastSeenAt: Iso,
  identities: Type.Array(
    Type.Object({
      kind: literals(identityKinds),
      /** Null when it can no longer be read (its key is gone). */
      address: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  /** Latest event per purpose; purposes never asked about are absent. */
  consent: Type.Array(ConsentState),
  conversations: Type.Array(
    Type.Object({ id: Uuid, channel: ChannelKindSchema, status: ConversationStatusSchema, lastMessageAt: Iso }),
  ),
  /** Active holds on the contact or one of its conversations. */
  legalHolds: Type.Array(LegalHoldView),
  /** Restrictions and objections in force. */
  restrictions: Type.Array(RestrictionView),
});
export type ContactView = Static<typeof ContactView>;

export const InboxView = Type.Object({ id: Uuid, name: Type.String(), channel: ChannelKindSchema });
export type InboxView = Static<typeof InboxView>;

/** Everything a visitor may see of a message: no notes, no agent ids, no delivery internals. */
export const VisitorMessageView = Type.Object({
  id: Uuid,
  clientId: Type.Union([Type.String(), Type.Null()]),
  from: Type.Union([Type.Literal('visitor'), Type.Literal('agent'), Type.Literal('bot')]),
  authorName: Type.Union([Type.String(), Type.Null()]),
  body: Type.String(),
  createdAt: Iso,
  /** Files of the message, each with a signed link that expires (FILE_LINK_TTL_HOURS); history renews them. */
  attachments: Type.Optional(Type.Array(Type.Object({ ...AttachmentView.properties, url: Type.String() }))),
});
export type VisitorMessageView = Static<typeof VisitorMessageView>;

/**
 * The one error shape. `code` is what programs read; `message` is for people (English, or in the caller's language
 * for the codes server/http/error-words.ts words); `params` are the values it names, for wording the code elsewhere.
 */
export const ErrorView = Type.Object({
  code: Type.String({ description: 'Stable machine-readable code: programs branch on it, never on the message' }),
  message: Type.String({
    description:
      'For people: English, except the codes met outside the inbox and the widget (public request page, API ' +
      'tokens, provider webhooks and settings, rate limits), worded in the language of Accept-Language (or the ' +
      'signed-in agent’s preference, or the language a public request names); Content-Language says which',
  }),
  params: Type.Optional(
    Type.Unsafe<Record<string, string | number | string[]>>(
      Type.Object(
        {},
        {
          additionalProperties: Type.Union([Type.String(), Type.Number(), Type.Array(Type.String())]),
          description:
            'The values the message names, as ICU arguments: message_too_large {limit}, rate_limited ' +
            '{retryAfterSeconds}, file_too_large {name, maxBytes}, too_many_files {max}, ' +
            'kb_limit {what, max, total?}, ' +
            'legal_hold {action, reasons}, token_scope {scope}, invalid_email_settings {field, rule}, ' +
            'password_required {section}',
        },
      ),
    ),
  ),
  requestId: Type.String(),
});
export type ErrorView = Static<typeof ErrorView>;
