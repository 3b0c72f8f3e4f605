import { openMessageTexts, openSubjects } from './message-text.ts';
import { LOCALES, type Locale } from '../../web/i18n/index.ts';
import { openEvidence } from '../privacy/consent-evidence.ts';
import type { DataKeys } from '../security/data-keys.ts';
import { serverLocale, serverTranslator, serverWidgetTranslator } from '../../web/i18n/server-catalog.ts';
import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { Adapters } from '../../channels/registry.ts';
import {
  chatVisitorStates,
  consentEvents,
  contactIdentities,
  conversations,
  inboxBusinessHours,
  messages,
} from '../../drizzle/schema/index.ts';
import type { VisitorClaims } from '../security/tokens.ts';
import type { ConsentNotice } from '../privacy/notice.ts';
import { recordConsentWith } from '../privacy/consent.ts';
import { excludedSql } from '../privacy/restriction.ts';
import { registerNotice } from '../privacy/notice-texts.ts';
import { sha256 } from '../security/tokens.ts';
import type { DomainEventBus } from './events.ts';
import { DomainError } from './errors.ts';
import { loadConversationView, toMessageView } from './views.ts';
import { followupInbox } from './presence.ts';
import { visitorConversationId } from './widget.ts';
import { DEFAULT_VISITOR_GONE_MINUTES } from './business-hours.ts';
import { timelineMetadata } from './timeline-events.ts';
import { newIdentity, openAddress, tokenOfAddress } from './identity-address.ts';

/**
 * The customer who left: a chat visitor may leave an email address (outside business hours, or any time), with
 * their consent recorded in the ledger, and from then on agents' replies they did not read in the widget go to
 * that address by email through the configured email inbox's SMTP, once their widget has been gone for the
 * inbox's "minutes away". Their email answer comes back into the same conversation (channels/email/threading.ts
 * recognises our Message-IDs).
 */

/**
 * The words next to the checkbox, in each language (the catalog's followup.consent); the hash of the words the
 * visitor ticked goes into the ledger with their language, and the text into the notice texts.
 */
export const FOLLOWUP_CONSENT_TEXTS = Object.fromEntries(
  LOCALES.map((l) => {
    const text = serverTranslator(l)('followup.consent');
    return [l, { text, textHash: sha256(text) }];
  }),
) as Record<Locale, { text: string; textHash: string }>;
export const FOLLOWUP_CONSENT_TEXT = FOLLOWUP_CONSENT_TEXTS.en.text;
const FOLLOWUP_CONSENT_HASH = FOLLOWUP_CONSENT_TEXTS.en.textHash;
export const followupConsentHash = FOLLOWUP_CONSENT_HASH;

/** A plain address: a local part without spaces or specials, and a domain of DNS labels with at least one dot. */
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?';
const EMAIL = new RegExp(`^[^\\s@<>()[\\]\\\\,;:"]{1,64}@${LABEL}(?:\\.${LABEL})+$`);

export type FollowupDeps = {
  db: Db;
  events: DomainEventBus;
  notice: Pick<ConsentNotice, 'policyVersion'>;
  dataKeys: DataKeys;
};

/** Masks an address for display back to the visitor ("a•••@example.com"): enough to spot a typo. */
export const maskEmail = (address: string) => {
  const [local = '', domain = ''] = address.split('@');
  return `${local.slice(0, 1)}•••@${domain}`;
};

type FollowupRefusal =
  'invalid_email' | 'consent_required' | 'consent_text_changed' | 'email_unavailable' | 'no_conversation';

export async function leaveEmail(
  deps: FollowupDeps,
  visitor: VisitorClaims,
  input: { email: unknown; consent: unknown; consentTextHash?: unknown },
): Promise<{ email: string }> {
  const email = typeof input.email === 'string' ? input.email.trim().toLowerCase() : '';
  // The notice the visitor ticked names their language: refusals are said in it (the widget shows them as they are).
  const language = (LOCALES.find((l) => FOLLOWUP_CONSENT_TEXTS[l].textHash === input.consentTextHash) ??
    (input.consentTextHash === undefined ? 'en' : null)) as Locale | null;
  const refuse = (status: number, code: FollowupRefusal) =>
    new DomainError(status, code, serverWidgetTranslator(language ?? 'en')(`followupErrors.${code}`));
  if (email.length > 254 || !EMAIL.test(email)) throw refuse(400, 'invalid_email');
  if (input.consent !== true) throw refuse(400, 'consent_required');
  if (!language) throw refuse(409, 'consent_text_changed');
  const agreed = FOLLOWUP_CONSENT_TEXTS[language];
  const inbox = await followupInbox(deps.db);
  if (!inbox) throw refuse(409, 'email_unavailable');
  const conversationId = await visitorConversationId(deps, visitor);
  if (!conversationId) throw refuse(409, 'no_conversation');
  await registerNotice(deps.db, {
    policyVersion: deps.notice.policyVersion,
    text: agreed.text,
    textHash: agreed.textHash,
    language,
  });
  const event = await recordConsentWith(deps, async (tx) => {
    await tx
      .insert(contactIdentities)
      .values(await newIdentity(deps.db, visitor.contactId, 'email', email))
      .onConflictDoNothing();
    const [identity] = await tx
      .select({ id: contactIdentities.id })
      .from(contactIdentities)
      .where(
        and(
          eq(contactIdentities.kind, 'email'),
          eq(contactIdentities.addressToken, tokenOfAddress(deps.db, 'email', email)),
        ),
      );
    const now = new Date();
    const followup = {
      followupIdentityId: identity!.id,
      followupInboxId: inbox.id,
      followupSince: now,
      updatedAt: now,
    };
    await tx
      .insert(chatVisitorStates)
      .values({ conversationId, ...followup, emailedUntil: now })
      .onConflictDoUpdate({ target: chatVisitorStates.conversationId, set: followup });
    const [conversation] = await tx
      .select({ channel: conversations.channel })
      .from(conversations)
      .where(eq(conversations.id, conversationId));
    const [marker] = await tx
      .insert(messages)
      .values({
        conversationId,
        channel: conversation!.channel,
        direction: 'internal',
        kind: 'event',
        authorKind: 'system',
        body: 'The customer left an email address: replies they do not read in the chat go to it by email',
        deliveryState: 'stored',
        metadata: timelineMetadata('followup_address_left'),
      })
      .returning();
    return {
      consents: [
        {
          contactId: visitor.contactId,
          purpose: 'support' as const,
          granted: true,
          policyVersion: deps.notice.policyVersion,
          textHash: agreed.textHash,
          language,
          sourceChannel: 'chat' as const,
          evidence: {
            event: 'widget.email_followup',
            conversationId,
            identityId: identity!.id,
            inboxId: visitor.inboxId,
            visitorId: visitor.visitorId,
          },
          actor: { kind: 'visitor' as const, id: visitor.contactId },
        },
      ],
      result: marker!,
    };
  });
  await publishTimeline(deps, conversationId, event);
  return { email: maskEmail(email) };
}

async function publishTimeline(
  deps: Pick<FollowupDeps, 'db' | 'events' | 'dataKeys'>,
  conversationId: string,
  row: typeof messages.$inferSelect,
) {
  const conversation = await loadConversationView(deps.db, deps.dataKeys, conversationId, null);
  const [c] = await deps.db
    .select({ threadKey: conversations.threadKey })
    .from(conversations)
    .where(eq(conversations.id, conversationId));
  if (!conversation || !c) return;
  deps.events.publish('message.created', {
    message: toMessageView(row, null),
    conversation,
    route: { threadKey: c.threadKey },
    clientId: null,
  });
}

export type FollowupSendDeps = Pick<FollowupDeps, 'db' | 'events' | 'dataKeys'> & { adapters: Pick<Adapters, 'email'> };

/** Conversations whose visitor left an address, has been gone long enough, and has unread replies. */
const DUE = sql`${chatVisitorStates.followupIdentityId} is not null and ${chatVisitorStates.followupInboxId} is not null
  and ${chatVisitorStates.visitorLeftAt} is not null
  and ${chatVisitorStates.visitorLeftAt} <= now() - make_interval(mins =>
    coalesce(${inboxBusinessHours.visitorGoneMinutes}, ${DEFAULT_VISITOR_GONE_MINUTES}))
  and exists (select 1 from ${messages} m where m.conversation_id = ${chatVisitorStates.conversationId}
    and m.author_kind = 'agent' and m.kind = 'message' and m.direction = 'outbound'
    and m.created_at > greatest(coalesce(${chatVisitorStates.emailedUntil}, ${chatVisitorStates.followupSince}),
      coalesce(${chatVisitorStates.visitorReadAt}, '-infinity'::timestamptz)))`;

/**
 * Sends what is due (the sweep, every few seconds on every server, and right after an agent's reply). Each
 * conversation is claimed with SKIP LOCKED, so two servers never mail the same replies; a failed send rolls
 * back and is tried again by the next sweep. Returns how many mails went out.
 */
export async function sendDueFollowups(deps: FollowupSendDeps, onlyConversationId?: string): Promise<number> {
  if (!deps.adapters.email) return 0;
  const due = await deps.db
    .select({ id: chatVisitorStates.conversationId })
    .from(chatVisitorStates)
    .innerJoin(conversations, eq(conversations.id, chatVisitorStates.conversationId))
    .leftJoin(inboxBusinessHours, eq(inboxBusinessHours.inboxId, conversations.inboxId))
    .where(
      and(
        DUE,
        // Not a sending the law requires: none while the contact is restricted or objects (privacy/restriction.ts).
        sql`not ${excludedSql(sql`${conversations.contactId}`, 'optional_messages')}`,
        onlyConversationId ? eq(chatVisitorStates.conversationId, onlyConversationId) : undefined,
      ),
    )
    .limit(50);
  let sent = 0;
  let failure: unknown = null;
  for (const { id } of due) {
    // One mailbox refusing one address must not hold up the others: the failure is reported after the rest.
    const marker = await sendOne(deps, id).catch((err: unknown) => ((failure = err), null));
    if (marker) {
      sent += 1;
      await publishTimeline(deps, id, marker);
    }
  }
  if (failure) throw failure;
  return sent;
}

/**
 * One conversation: claim its unsent replies (moving emailed_until past them in a short transaction, SKIP LOCKED
 * and conditional, so only one server wins), send outside the transaction (the email adapter reads the database
 * itself), then record the timeline marker; a failed send gives the claim back for the next sweep.
 */
async function sendOne(deps: FollowupSendDeps, conversationId: string) {
  const claim = await deps.db.transaction(async (tx) => {
    const [state] = await tx
      .select()
      .from(chatVisitorStates)
      .where(eq(chatVisitorStates.conversationId, conversationId))
      .for('update', { skipLocked: true });
    if (!state?.followupIdentityId || !state.followupInboxId || !state.followupSince) return null;
    const since = [state.emailedUntil ?? state.followupSince, state.visitorReadAt]
      .filter((d): d is Date => d !== null)
      .reduce((a, b) => (a > b ? a : b));
    const [identity] = await tx
      .select({
        id: contactIdentities.id,
        sealedAddress: contactIdentities.sealedAddress,
        contactId: contactIdentities.contactId,
      })
      .from(contactIdentities)
      .where(eq(contactIdentities.id, state.followupIdentityId));
    const [conversation] = await tx
      .select({
        id: conversations.id,
        threadKey: conversations.threadKey,
        channel: conversations.channel,
        subject: conversations.subject,
      })
      .from(conversations)
      .where(eq(conversations.id, conversationId));
    const replies = await tx
      .select({ id: messages.id, body: messages.body, createdAt: messages.createdAt })
      .from(messages)
      .where(
        and(
          eq(messages.conversationId, conversationId),
          eq(messages.authorKind, 'agent'),
          eq(messages.kind, 'message'),
          eq(messages.direction, 'outbound'),
          gt(messages.createdAt, since),
        ),
      )
      .orderBy(asc(messages.createdAt));
    if (!identity || !conversation || replies.length === 0) return null;
    await tx
      .update(chatVisitorStates)
      .set({ emailedUntil: replies.at(-1)!.createdAt, updatedAt: new Date() })
      .where(eq(chatVisitorStates.conversationId, conversationId));
    return { state, identity, conversation, replies };
  });
  if (!claim) return null;
  const { state, identity } = claim;
  // Stored text may be sealed (server/domain/message-text.ts); a reply whose key is gone is not sent.
  const replies = (await openMessageTexts(deps.dataKeys, claim.replies)).filter((r) => !r.textUnreadable);
  const [conversation] = await openSubjects(deps.dataKeys, [claim.conversation]);
  // The follow-up address is stored sealed; none opens once the person's key is gone.
  const address = await openAddress(deps.dataKeys, identity);
  if (!conversation || replies.length === 0 || !address) return null;
  const last = replies.at(-1)!;
  // In the language of the line the visitor ticked to get these emails (its consent event says).
  // The evidence is encrypted (consent-evidence.ts): the person's few events are read and opened here.
  const events = await deps.db
    .select({ id: consentEvents.id, evidence: consentEvents.evidence, language: consentEvents.language })
    .from(consentEvents)
    .where(eq(consentEvents.contactId, identity.contactId))
    .orderBy(desc(consentEvents.occurredAt));
  const evidence = await openEvidence(deps.dataKeys, events);
  const agreed = events.find((_, i) => evidence[i]!.conversationId === conversationId);
  const t = serverTranslator(serverLocale(agreed?.language));
  const text = [
    t('followup.intro'),
    '',
    ...replies
      .map((r) => r.body)
      .join('\n\n---\n\n')
      .split('\n'),
    '',
    t('followup.answer'),
  ].join('\n');
  let externalId: string;
  try {
    // The Message-ID embeds the last reply's id: the customer's answer names it and finds this conversation.
    ({ externalId } = await deps.adapters.email!.send({
      messageId: last.id,
      conversationId,
      inboxId: state.followupInboxId!,
      threadKey: conversation.threadKey,
      to: address,
      text,
      subject: conversation.subject ?? t('followup.subject'),
    }));
  } catch (err) {
    await deps.db
      .update(chatVisitorStates)
      .set({ emailedUntil: state.emailedUntil })
      .where(
        and(eq(chatVisitorStates.conversationId, conversationId), eq(chatVisitorStates.emailedUntil, last.createdAt)),
      );
    throw err;
  }
  return deps.db.transaction(async (tx) => {
    if (!state.threadMessageId)
      await tx
        .update(chatVisitorStates)
        .set({ threadMessageId: externalId })
        .where(eq(chatVisitorStates.conversationId, conversationId));
    const [marker] = await tx
      .insert(messages)
      .values({
        conversationId,
        channel: conversation.channel,
        direction: 'internal',
        kind: 'event',
        authorKind: 'system',
        body:
          replies.length === 1
            ? 'The customer had left the chat: the reply was sent to the email address they left'
            : `The customer had left the chat: ${replies.length} replies were sent to the email address they left`,
        deliveryState: 'stored',
        metadata: timelineMetadata('followup_mailed', { replies: replies.length }),
      })
      .returning();
    return marker!;
  });
}
