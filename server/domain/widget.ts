import { and, desc, eq, isNull, lt } from 'drizzle-orm';
import type { DataKeys } from '../security/data-keys.ts';
import { consentEvents, contactIdentities, conversations, inboxes } from '../../drizzle/schema/index.ts';
import type { VisitorMessageView } from '../http/views.ts';
import type { VisitorClaims } from '../security/tokens.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Adapters } from '../../channels/registry.ts';
import type { VisitorConsentPurpose, VisitorHistoryView, WidgetConfigView } from '../http/views/widget.ts';
import { DomainError, forbidden, notFound, tooLarge } from './errors.ts';
import { ingest, type IngestDeps } from './ingest.ts';
import { storable } from './storable-text.ts';
import { acceptUploads, type UploadInput } from './uploads.ts';
import type { FileLinks } from './uploads-links.ts';
import { loadMessageViews, toVisitorMessageView } from './views.ts';
import { currentConsent, recordConsent } from '../privacy/consent.ts';
import {
  noticeIn,
  noticePurposes,
  type ConsentNotice,
  type ConsentNotices,
  type NoticesDeps,
} from '../privacy/notice.ts';
import { isLocale, type Locale } from '../../web/i18n/index.ts';
import { serverTranslator } from '../../web/i18n/server-catalog.ts';
import { tokenOfAddress } from './identity-address.ts';

const CLIENT_ID = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * What the widget's visitor operations need: ingest's dependencies (a visitor's message goes through ingest()),
 * the chat adapter that parses it, and the size limit. Each function takes only the fields it reads.
 */
export type WidgetDeps = Required<Pick<IngestDeps, 'db' | 'events' | 'inboxNames' | 'chatOpenStatus'>> & {
  adapters: Pick<Adapters, 'chat'>;
  config: Pick<Config, 'messageMaxChars'> & Partial<Pick<Config, 'uploads'>>;
  /** Consent evidence is stored encrypted with the visitor's data key. */
  dataKeys: DataKeys;
  /** Where the visitor's files go (required only for messages that carry some). */
  blobs?: IngestDeps['blobs'];
  /** Signs the links to files the visitor sees (without it, the visitor's views carry no files). */
  fileLinks?: Pick<FileLinks, 'path'>;
  /** The consent notice of this configuration (server/privacy/notice.ts), in English and in every language. */
  notice: ConsentNotice;
  notices?: ConsentNotices;
};
type DbDeps = { db: Db };

/** What the widget shows before anything is stored: the chat inbox's name, its greeting and the consent notice. */
export async function widgetConfig(
  deps: DbDeps & { notice: ConsentNotice; notices?: ConsentNotices },
  inboxId: string,
  locale: Locale = 'en',
): Promise<WidgetConfigView> {
  const [inbox] = await deps.db.select().from(inboxes).where(eq(inboxes.id, inboxId));
  if (!inbox || inbox.channel !== 'chat') throw notFound('Chat inbox');
  const notice = deps.notices?.[locale] ?? { ...deps.notice, language: 'en' as const };
  // An inbox's own greeting is the admin's words, in their language; the default one speaks the visitor's.
  const greeting =
    typeof inbox.settings.greeting === 'string'
      ? inbox.settings.greeting
      : serverTranslator(notice.language)('widget.greeting');
  return { inbox: { id: inbox.id, name: inbox.name }, greeting, notice };
}

/** The language of the notice this visitor accepted last (their consent events say), else English. */
export async function visitorLanguage(deps: DbDeps, visitor: VisitorClaims): Promise<Locale> {
  const [row] = await deps.db
    .select({ language: consentEvents.language })
    .from(consentEvents)
    .where(eq(consentEvents.contactId, visitor.contactId))
    .orderBy(desc(consentEvents.occurredAt))
    .limit(1);
  return isLocale(row?.language) ? row.language : 'en';
}

/**
 * A token outlives nothing it proves: once the contact is erased, or withdrew the support consent,
 * the token opens no door (and a new message must not silently recreate the person).
 */
export async function assertActiveVisitor(deps: DbDeps, visitor: VisitorClaims): Promise<void> {
  const states = await currentConsent(deps.db, visitor.contactId);
  const support = states.find((s) => s.purpose === 'support');
  if (!support?.granted) throw sessionEnded();
}

const sessionEnded = () =>
  new DomainError(401, 'session_ended', 'This chat session has ended; accept the notice to start a new one');

const DAY_MS = 24 * 60 * 60 * 1000;
/** Idle time is counted in days: writing the visitor's last use once an hour is precise enough and cheap. */
const LAST_SEEN_EVERY_MS = 60 * 60 * 1000;

export type VisitorDoorDeps = DbDeps & { config: Pick<Config, 'visitorTokenIdleDays'> };

/**
 * The door every visitor request passes (each `access: 'visitor'` HTTP route, export included, and the /widget
 * socket handshake), after the token's signature checked out. The token is stateless; whether its session still
 * stands is the database's answer: the visitor identity must still exist (not erased; after a merge it belongs to
 * the contact it was merged into, and the admitted claims name that contact), the support consent must stand
 * (not withdrawn), and the token must have been used within VISITOR_TOKEN_IDLE_DAYS. Its last use is kept on the
 * identity row (`last_seen_at`), moved on here.
 */
export async function admitVisitor(
  deps: VisitorDoorDeps,
  visitor: VisitorClaims,
  now = new Date(),
): Promise<VisitorClaims> {
  const [identity] = await deps.db
    .select({
      id: contactIdentities.id,
      contactId: contactIdentities.contactId,
      lastSeenAt: contactIdentities.lastSeenAt,
    })
    .from(contactIdentities)
    .where(
      and(
        eq(contactIdentities.kind, 'visitor'),
        eq(contactIdentities.addressToken, tokenOfAddress(deps.db, 'visitor', visitor.visitorId)),
      ),
    );
  if (!identity) throw sessionEnded();
  // A merge moves the visitor identity to the contact it was merged into (the same person, by an agent's
  // decision): the session goes on under that contact instead of asking the visitor to accept the notice again.
  const admitted = identity.contactId === visitor.contactId ? visitor : { ...visitor, contactId: identity.contactId };
  const idleDays = deps.config.visitorTokenIdleDays;
  if (now.getTime() - identity.lastSeenAt.getTime() > idleDays * DAY_MS) {
    throw new DomainError(
      401,
      'visitor_token_expired',
      `This chat session expired after ${idleDays} days without use; accept the notice to start a new one`,
    );
  }
  await assertActiveVisitor(deps, admitted);
  const stale = new Date(now.getTime() - LAST_SEEN_EVERY_MS);
  if (identity.lastSeenAt < stale) {
    // Conditional, so concurrent requests of one visitor write it once.
    await deps.db
      .update(contactIdentities)
      .set({ lastSeenAt: now })
      .where(and(eq(contactIdentities.id, identity.id), lt(contactIdentities.lastSeenAt, stale)));
  }
  return admitted;
}

export async function visitorConsent(
  deps: DbDeps,
  visitor: VisitorClaims,
  language?: Locale,
): Promise<VisitorConsentPurpose[]> {
  const states = await currentConsent(deps.db, visitor.contactId);
  const purposes = noticePurposes(language ?? (await visitorLanguage(deps, visitor)));
  return purposes.map((p) => {
    const state = states.find((s) => s.purpose === p.purpose);
    return {
      purpose: p.purpose,
      label: p.label,
      required: p.required,
      granted: state?.granted ?? false,
      occurredAt: state?.occurredAt ?? null,
    };
  });
}

export async function changeVisitorConsent(
  deps: Pick<WidgetDeps, 'db' | 'events' | 'dataKeys'> & NoticesDeps,
  visitor: VisitorClaims,
  purpose: 'support' | 'analytics',
  granted: boolean,
  /** The language the visitor reads the widget in; else the one of the notice they accepted. */
  language?: Locale,
) {
  await assertActiveVisitor(deps, visitor);
  const shownIn = language ?? (await visitorLanguage(deps, visitor));
  if (purpose === 'support' && granted) return visitorConsent(deps, visitor, shownIn);
  const notice = noticeIn(deps, shownIn);
  await recordConsent(deps, {
    contactId: visitor.contactId,
    purpose,
    granted,
    policyVersion: notice.policyVersion,
    textHash: notice.textHash,
    language: notice.language,
    sourceChannel: 'chat',
    evidence: {
      event: granted ? 'widget.privacy.granted' : 'widget.privacy.withdrawn',
      inboxId: visitor.inboxId,
      visitorId: visitor.visitorId,
    },
    actor: { kind: 'visitor', id: visitor.contactId },
  });
  if (purpose === 'support' && !granted)
    deps.events.publish('visitor.session_ended', { visitorIds: [visitor.visitorId] });
  return visitorConsent(deps, visitor, shownIn);
}

/** A visitor's message from the widget (socket or HTTP): through the chat adapter into ingest(). */
export async function visitorSend(
  deps: WidgetDeps,
  visitor: VisitorClaims,
  input: { clientId: string; text: string; files?: UploadInput[] },
  /** Sockets are checked once at connect and cut when the session ends, so they skip the per-message check. */
  options: { sessionChecked?: boolean } = {},
): Promise<VisitorMessageView> {
  const withFiles = Array.isArray(input.files) && input.files.length > 0;
  if (typeof input.text !== 'string' || (input.text.trim() === '' && !withFiles)) {
    throw new DomainError(400, 'empty_message', 'Message text is empty');
  }
  if (input.text.length > deps.config.messageMaxChars) throw tooLarge(deps.config.messageMaxChars);
  // The socket path has no JSON body parser in front of it (see server/plugins/json-body.ts).
  if (!storable(input.text))
    throw new DomainError(
      400,
      'unstorable_text',
      'Text must not contain NUL (U+0000) or unpaired surrogate characters',
    );
  if (typeof input.clientId !== 'string' || !CLIENT_ID.test(input.clientId)) {
    throw new DomainError(400, 'bad_client_id', 'clientId must be 8-64 characters of A-Z, a-z, 0-9, _ or -');
  }
  if (!options.sessionChecked) await assertActiveVisitor(deps, visitor);
  // Checked (size, count, sniffed type) before anything is stored: a refused file stores nothing.
  const files = withFiles ? await acceptUploads(input.files!, uploadLimits(deps)) : [];
  const [inbound] = deps.adapters.chat.parse(
    { visitorId: visitor.visitorId, clientId: input.clientId, text: input.text, receivedAt: new Date().toISOString() },
    { inboxId: visitor.inboxId },
  );
  const result = await ingest(deps, files.length ? { ...inbound!, attachments: files } : inbound!);
  return toVisitorMessageView(result.message, input.clientId, deps.fileLinks)!;
}

/** The visitor's own conversation in this inbox (their thread key is their visitor id). */
export async function visitorConversationId(deps: DbDeps, visitor: VisitorClaims): Promise<string | null> {
  const [row] = await deps.db
    .select({ id: conversations.id, contactId: conversations.contactId })
    .from(conversations)
    .where(
      and(
        eq(conversations.inboxId, visitor.inboxId),
        eq(conversations.threadKey, visitor.visitorId),
        // In the trash: not the visitor's history any more (their next message opens a new conversation).
        isNull(conversations.deletedAt),
      ),
    )
    .orderBy(desc(conversations.createdAt))
    .limit(1);
  // A token whose contact was erased or merged away must not read what is now someone else's.
  if (row && row.contactId !== visitor.contactId) throw forbidden();
  return row?.id ?? null;
}

export async function visitorHistory(
  deps: DbDeps & Pick<WidgetDeps, 'fileLinks' | 'dataKeys'>,
  visitor: VisitorClaims,
): Promise<VisitorHistoryView> {
  await assertActiveVisitor(deps, visitor);
  const conversationId = await visitorConversationId(deps, visitor);
  if (!conversationId) return { conversationId: null, messages: [] };
  return { conversationId, messages: await visitorMessages(deps, conversationId) };
}

async function visitorMessages(
  deps: DbDeps & Pick<WidgetDeps, 'fileLinks' | 'dataKeys'>,
  conversationId: string,
): Promise<VisitorMessageView[]> {
  const views = await loadMessageViews(deps.db, deps.dataKeys, conversationId);
  return views.flatMap((view) => toVisitorMessageView(view, null, deps.fileLinks) ?? []);
}

/** Reading a conversation by id: only the visitor's own (403 for anyone else's, 404 for none). */
export async function visitorConversation(
  deps: DbDeps & Pick<WidgetDeps, 'fileLinks' | 'dataKeys'>,
  visitor: VisitorClaims,
  id: string,
): Promise<VisitorHistoryView> {
  await assertActiveVisitor(deps, visitor);
  const [row] = await deps.db
    .select({ contactId: conversations.contactId, threadKey: conversations.threadKey, inboxId: conversations.inboxId })
    .from(conversations)
    .where(and(eq(conversations.id, id), isNull(conversations.deletedAt)));
  if (!row) throw notFound('Conversation');
  if (row.contactId !== visitor.contactId || row.threadKey !== visitor.visitorId || row.inboxId !== visitor.inboxId) {
    throw forbidden('This conversation belongs to someone else');
  }
  return { conversationId: id, messages: await visitorMessages(deps, id) };
}

function uploadLimits(deps: WidgetDeps) {
  if (!deps.config.uploads || !deps.blobs)
    throw new DomainError(400, 'files_not_accepted', 'Files cannot be sent here');
  return deps.config.uploads;
}
