import { Type, type Static } from 'typebox';
import { ConsentPurposeSchema, VisitorMessageView } from '../views.ts';
import { MessageText } from '../common.ts';
import { LOCALES } from '../../../web/i18n/index.ts';

/** One of the five languages the widget speaks (web/i18n). */
export const LocaleSchema = Type.Enum([...LOCALES]);

/** The shapes of /api/widget (the chat widget on customers' sites; web/widget imports these types). */

/** What the widget shows before anything is stored: inbox name, greeting and the consent notice. */
export const WidgetConfigView = Type.Object({
  inbox: Type.Object({ id: Type.String(), name: Type.String() }),
  greeting: Type.String(),
  notice: Type.Object({
    /** The language of this notice: the one asked for, else English. */
    language: LocaleSchema,
    policyVersion: Type.String(),
    text: Type.String(),
    textHash: Type.String(),
    /** The controller's privacy policy (PRIVACY_POLICY_URL), also quoted verbatim in `text`; null when unset. */
    privacyPolicyUrl: Type.Union([Type.String(), Type.Null()]),
    /** The transparency page (what is stored, why, how long, who sees it) that `text` refers to. */
    transparencyUrl: Type.Union([Type.String(), Type.Null()]),
    purposes: Type.Array(
      Type.Object({ purpose: ConsentPurposeSchema, required: Type.Boolean(), label: Type.String() }),
    ),
  }),
});
export type WidgetConfigView = Static<typeof WidgetConfigView>;

/** The visitor accepts the notice (POST /api/widget/sessions). */
export const VisitorSessionRequest = Type.Object({
  inboxId: Type.String({ format: 'uuid' }),
  policyVersion: Type.String({ maxLength: 50 }),
  textHash: Type.String({ maxLength: 128 }),
  /** The language of the notice accepted (its version and hash are that language's); English when absent. */
  language: Type.Optional(LocaleSchema),
  consents: Type.Object({ support: Type.Boolean(), analytics: Type.Boolean() }),
});
export type VisitorSessionRequest = Static<typeof VisitorSessionRequest>;

/** The signed visitor token the widget sends as Bearer from then on. */
export const VisitorSessionView = Type.Object({ token: Type.String(), visitorId: Type.String() });
export type VisitorSessionView = Static<typeof VisitorSessionView>;

export const VisitorHistoryView = Type.Object({
  conversationId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  messages: Type.Array(VisitorMessageView),
});
export type VisitorHistoryView = Static<typeof VisitorHistoryView>;

/** A visitor's message over HTTP (the socket's 'message:send' carries the same); clientId makes retries idempotent. */
export const VisitorSendRequest = Type.Object({
  clientId: Type.String({ minLength: 8, maxLength: 64 }),
  text: MessageText,
});
export type VisitorSendRequest = Static<typeof VisitorSendRequest>;

/** A file as it travels in a JSON request: its name and its bytes in base64 (server/domain/uploads.ts). */
export const UploadFile = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 1000 }),
  data: Type.String({ description: 'the file, base64' }),
});

/** A visitor's message with files (POST /api/widget/files); the text may be empty when files come along. */
export const VisitorFilesRequest = Type.Object({
  clientId: Type.String({ minLength: 8, maxLength: 64 }),
  text: Type.String(),
  files: Type.Array(UploadFile, { minItems: 1 }),
});
export type VisitorFilesRequest = Static<typeof VisitorFilesRequest>;

export const VisitorMessageResult = Type.Object({ message: VisitorMessageView });
export type VisitorMessageResult = Static<typeof VisitorMessageResult>;

/** One purpose: the latest event in the ledger for this visitor; occurredAt null when nothing was recorded. */
export const VisitorConsentPurpose = Type.Object({
  purpose: ConsentPurposeSchema,
  label: Type.String(),
  required: Type.Boolean(),
  granted: Type.Boolean(),
  occurredAt: Type.Union([Type.String(), Type.Null()]),
});
export type VisitorConsentPurpose = Static<typeof VisitorConsentPurpose>;

export const VisitorConsentView = Type.Object({ purposes: Type.Array(VisitorConsentPurpose) });
export type VisitorConsentView = Static<typeof VisitorConsentView>;
