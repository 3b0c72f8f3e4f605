import { customerFacingName } from './admin-name.ts';
import type { FileLinks } from './uploads-links.ts';
import { and, desc, eq, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.ts';
import {
  agents,
  attachments,
  contactIdentities,
  contacts,
  conversationParticipants,
  conversations,
  conversationReads,
  inboxes,
  messages,
  teamMembers,
  teams,
} from '../../drizzle/schema/index.ts';
import type {
  AttachmentView,
  ConversationView,
  MessageAuthenticationView,
  MessageAuthorView,
  MessageMarkerView,
  MessageView,
  ParticipantView,
  VisitorMessageView,
} from '../http/views.ts';
import { inboxCondition, type InboxIds } from './scope.ts';
import { timelineEventOf } from './timeline-events.ts';
import { identityKeysOf, openAddresses, withAddresses, type SealedIdentity } from './identity-address.ts';
import { participantRoles } from '../../drizzle/schema/enums.ts';
import { openNames } from './contact-fields.ts';
import {
  openMessageTexts,
  openSubjects,
  openValues,
  bodyContext,
  type OpenedText,
  type TextKeys,
} from './message-text.ts';

/** A message row as views need it (the stored search vector is no part of any view). */
type MessageRow = Omit<typeof messages.$inferSelect, 'searchVector' | 'mentionTokens'>;

/** `author`: the identity that wrote an inbound message, when the caller has it (every reader of a conversation). */
export function toMessageView(
  row: OpenedText<MessageRow>,
  authorName: string | null,
  author?: MessageAuthorView | null,
): MessageView {
  const markers = row.metadata.markers;
  const event = row.kind === 'event' ? timelineEventOf(row.metadata) : undefined;
  const authentication = (row.metadata.email as { authentication?: MessageAuthenticationView } | undefined)
    ?.authentication;
  return {
    ...(Array.isArray(markers) && markers.length > 0 ? { markers: markers as MessageMarkerView[] } : {}),
    ...(author ? { author } : {}),
    ...(authentication ? { authentication } : {}),
    ...(row.direction === 'inbound' && row.language ? { language: row.language } : {}),
    ...(event ? { event } : {}),
    ...(row.textUnreadable ? { textUnreadable: true as const } : {}),
    id: row.id,
    conversationId: row.conversationId,
    channel: row.channel,
    direction: row.direction,
    kind: row.kind,
    authorKind: row.authorKind,
    authorName,
    body: row.body,
    deliveryState: row.deliveryState,
    deliveryError: row.deliveryError,
    redactions: row.redactions,
    createdAt: row.createdAt.toISOString(),
  };
}

/** What a visitor may see; returns null for anything that must never reach the widget (notes, events). */
export function toVisitorMessageView(
  view: MessageView,
  clientId: string | null,
  /** Signs each file's link (server/domain/uploads-links.ts); without it the visitor sees no files. */
  fileLinks?: Pick<FileLinks, 'path'>,
): VisitorMessageView | null {
  if (view.kind !== 'message') return null;
  const files = fileLinks && view.attachments?.length ? view.attachments : null;
  return {
    id: view.id,
    clientId,
    from: view.authorKind === 'contact' ? 'visitor' : view.authorKind === 'bot' ? 'bot' : 'agent',
    authorName: view.authorKind === 'contact' ? null : customerFacingName(view.authorName),
    body: view.body,
    createdAt: view.createdAt,
    ...(files ? { attachments: files.map((f) => ({ ...f, url: fileLinks!.path(f.id, f.filename) })) } : {}),
  };
}

const authorContact = alias(contacts, 'author_contact');

export async function loadMessageViews(db: Db, keys: TextKeys, conversationId: string): Promise<MessageView[]> {
  const read = await db
    .select({
      message: messages,
      authorName: agents.name,
      identity: {
        id: contactIdentities.id,
        contactId: contactIdentities.contactId,
        kind: contactIdentities.kind,
        sealedAddress: contactIdentities.sealedAddress,
      },
      identitySealedName: authorContact.sealedName,
    })
    .from(messages)
    .leftJoin(agents, eq(agents.id, messages.authorAgentId))
    .leftJoin(contactIdentities, eq(contactIdentities.id, messages.authorIdentityId))
    .leftJoin(authorContact, eq(authorContact.id, contactIdentities.contactId))
    .where(eq(messages.conversationId, conversationId))
    .orderBy(messages.createdAt, messages.id);
  const texts = await openMessageTexts(
    keys,
    read.map((r) => r.message),
  );
  // Authors' addresses and names are stored sealed: opened once per identity (null when the key is gone).
  const byId = new Map(read.flatMap((r) => (r.identity?.id ? [[r.identity.id, r.identity] as const] : [])));
  const authors = [...byId.values()];
  const addresses = new Map(
    (await openAddresses(db, authors as SealedIdentity[])).map((a, n) => [authors[n]!.id!, a] as const),
  );
  const names = await openNames(
    keys,
    read.map((r) => ({ id: r.identity?.contactId ?? '', sealedName: r.identitySealedName })),
  );
  const rows = read.map((r, i) => ({ ...r, message: texts[i]!, identityName: names[i] }));
  const files = await loadAttachmentViews(db, eq(messages.conversationId, conversationId));
  // The bot has no agent row; it signs as the assistant.
  return rows.map((r) => {
    const author = r.identity?.contactId
      ? {
          contactId: r.identity.contactId,
          kind: r.identity.kind,
          address: addresses.get(r.identity.id!) ?? null,
          name: r.identityName ?? null,
        }
      : null;
    const view = toMessageView(
      r.message,
      r.authorName ?? (r.message.authorKind === 'bot' ? 'Assistant' : null),
      author as MessageAuthorView | null,
    );
    const own = files.get(r.message.id);
    return own ? { ...view, attachments: own } : view;
  });
}

/** The conversation's participants, one entry per identity with every role it appeared in, first seen first. */
export async function loadParticipantViews(db: Db, conversationId: string): Promise<ParticipantView[]> {
  const rows = await db
    .select({
      contactId: contactIdentities.contactId,
      identityId: contactIdentities.id,
      kind: contactIdentities.kind,
      sealedAddress: contactIdentities.sealedAddress,
      sealedName: contacts.sealedName,
      role: conversationParticipants.role,
      firstSeenAt: conversationParticipants.firstSeenAt,
    })
    .from(conversationParticipants)
    .innerJoin(contactIdentities, eq(contactIdentities.id, conversationParticipants.identityId))
    .innerJoin(contacts, eq(contacts.id, contactIdentities.contactId))
    .where(eq(conversationParticipants.conversationId, conversationId))
    .orderBy(conversationParticipants.firstSeenAt, conversationParticipants.role, contactIdentities.id);
  // Names and addresses are stored sealed (null when the key is gone); within one moment and role they sort by
  // address.
  const names = await openNames(
    identityKeysOf(db).dataKeys,
    rows.map((r) => ({ id: r.contactId, sealedName: r.sealedName })),
  );
  const opened = await withAddresses(
    db,
    rows.map(({ sealedName: _sealed, ...r }, i) => ({ ...r, name: names[i]!, id: r.identityId })),
  );
  opened.sort(
    (a, b) =>
      a.firstSeenAt.getTime() - b.firstSeenAt.getTime() ||
      participantRoles.indexOf(a.role) - participantRoles.indexOf(b.role) ||
      (a.address ?? '').localeCompare(b.address ?? ''),
  );
  const byIdentity = new Map<string, ParticipantView>();
  for (const { identityId, role, firstSeenAt, id: _id, ...rest } of opened) {
    const seen = byIdentity.get(identityId);
    if (seen) seen.roles.push(role);
    else byIdentity.set(identityId, { ...rest, roles: [role], firstSeenAt: firstSeenAt.toISOString() });
  }
  return [...byIdentity.values()];
}

/** Attachments of the messages matching `where` (a condition on messages), grouped by message id. */
export async function loadAttachmentViews(db: Db, where: SQL): Promise<Map<string, AttachmentView[]>> {
  const rows = await db
    .select({
      messageId: attachments.messageId,
      id: attachments.id,
      filename: attachments.filename,
      contentType: attachments.contentType,
      size: attachments.size,
    })
    .from(attachments)
    .innerJoin(messages, eq(messages.id, attachments.messageId))
    .where(where)
    .orderBy(attachments.createdAt, attachments.id);
  const byMessage = new Map<string, AttachmentView[]>();
  for (const { messageId, ...view } of rows) byMessage.set(messageId, [...(byMessage.get(messageId) ?? []), view]);
  return byMessage;
}

export type ConversationFilter = {
  ids?: string[];
  status?: ConversationView['status'];
  channel?: ConversationView['channel'];
  assignee?: 'me' | 'unassigned' | string;
  inboxId?: string;
  /** 'mine': a team the viewer belongs to; 'none': no team; otherwise a team id. */
  team?: 'mine' | 'none' | string;
  /** The viewer's visible inboxes (server/domain/scope.ts); null or absent: every inbox. */
  inboxIds?: InboxIds;
  before?: { lastMessageAt: Date; seq: number };
  limit?: number;
  /** Only for a replay's answer (ingest): a delivery repeated after its conversation went to the trash. */
  includeTrashed?: boolean;
};

const assignee = alias(agents, 'assignee');

/** One query for list and detail alike, so the two can never disagree on what a conversation looks like. */
export async function loadConversationViews(
  db: Db,
  keys: TextKeys,
  filter: ConversationFilter,
  viewerAgentId: string | null,
): Promise<Array<ConversationView & { seq: number }>> {
  // The trash is read only by server/domain/trash.ts: a trashed conversation is in no list, search or detail.
  const where: SQL[] = filter.includeTrashed ? [] : [isNull(conversations.deletedAt)];
  if (filter.ids) where.push(inArray(conversations.id, filter.ids));
  if (filter.status) where.push(eq(conversations.status, filter.status));
  if (filter.channel) where.push(eq(conversations.channel, filter.channel));
  if (filter.inboxId) where.push(eq(conversations.inboxId, filter.inboxId));
  const scope = inboxCondition(conversations.inboxId, filter.inboxIds ?? null);
  if (scope) where.push(scope);
  if (filter.assignee === 'unassigned') where.push(sql`${conversations.assigneeId} is null`);
  else if (filter.assignee === 'me' && viewerAgentId) where.push(eq(conversations.assigneeId, viewerAgentId));
  else if (filter.assignee && filter.assignee !== 'me') where.push(eq(conversations.assigneeId, filter.assignee));
  if (filter.team === 'none') where.push(sql`${conversations.teamId} is null`);
  else if (filter.team === 'mine')
    where.push(
      inArray(
        conversations.teamId,
        db
          .select({ id: teamMembers.teamId })
          .from(teamMembers)
          .where(eq(teamMembers.agentId, viewerAgentId ?? '00000000-0000-0000-0000-000000000000')),
      ),
    );
  else if (filter.team) where.push(eq(conversations.teamId, filter.team));
  if (filter.before) {
    const { lastMessageAt, seq } = filter.before;
    where.push(
      or(
        lt(conversations.lastMessageAt, lastMessageAt),
        and(eq(conversations.lastMessageAt, lastMessageAt), lt(conversations.seq, seq)),
      )!,
    );
  }
  // The message's id leads (36 characters) so a sealed body opens in its own context.
  const preview = sql<string | null>`(
    select m.id::text || m.body from ${messages} m
    where m.conversation_id = ${conversations.id} and m.kind = 'message'
    order by m.created_at desc limit 1)`;
  const unread = viewerAgentId
    ? sql<number>`(
      select count(*)::int from ${messages} m
      where m.conversation_id = ${conversations.id} and m.direction = 'inbound'
        and m.created_at > coalesce(${conversationReads.lastReadAt}, '-infinity'::timestamptz))`
    : sql<number>`0`;

  const query = db
    .select({
      c: conversations,
      inboxName: inboxes.name,
      contactSealedName: contacts.sealedName,
      assigneeName: assignee.name,
      teamName: teams.name,
      preview,
      unread,
    })
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(assignee, eq(assignee.id, conversations.assigneeId))
    .leftJoin(teams, eq(teams.id, conversations.teamId))
    .leftJoin(
      conversationReads,
      and(
        eq(conversationReads.conversationId, conversations.id),
        eq(conversationReads.agentId, viewerAgentId ?? '00000000-0000-0000-0000-000000000000'),
      ),
    )
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(conversations.lastMessageAt), desc(conversations.seq))
    .$dynamic();
  // Views of given ids (a search's hits) carry no LIMIT: the ids bound them. With one, the prepared statement's
  // generic plan (PostgreSQL's after five runs), not knowing the limit's value, walked every conversation in the
  // order's index to find the twenty ids (8,000 rows, 7-14 ms at 10,000 conversations; 0.2-1.8 ms by the ids).
  const limit = filter.limit ?? 1000;
  const rows = filter.ids ? (await query).slice(0, limit) : await query.limit(limit);

  const subjects = await openSubjects(
    keys,
    rows.map((r) => ({ id: r.c.id, subject: r.c.subject })),
  );
  const previews = await openValues(
    keys,
    rows.map((r) => ({ value: r.preview?.slice(36) ?? null, context: bodyContext(r.preview?.slice(0, 36) ?? '') })),
  );
  const names = await openNames(
    keys,
    rows.map((r) => ({ id: r.c.contactId, sealedName: r.contactSealedName })),
  );
  return rows.map(({ c, inboxName, assigneeName, teamName, unread: u }, i) => ({
    ...(subjects[i]!.subjectUnreadable ? { subjectUnreadable: true as const } : {}),
    ...(previews[i]!.unreadable ? { previewUnreadable: true as const } : {}),
    id: c.id,
    inboxId: c.inboxId,
    inboxName,
    channel: c.channel,
    status: c.status,
    subject: subjects[i]!.subject,
    contact: { id: c.contactId, name: names[i]! },
    assignee: c.assigneeId && assigneeName ? { id: c.assigneeId, name: assigneeName } : null,
    team: c.teamId && teamName ? { id: c.teamId, name: teamName } : null,
    lastMessageAt: c.lastMessageAt.toISOString(),
    lastMessagePreview: previews[i]!.text ? previews[i]!.text!.slice(0, 140) : null,
    unreadCount: Number(u),
    createdAt: c.createdAt.toISOString(),
    seq: c.seq,
  }));
}

export async function loadConversationView(
  db: Db,
  keys: TextKeys,
  id: string,
  viewerAgentId: string | null,
  options: { includeTrashed?: boolean } = {},
) {
  const [view] = await loadConversationViews(db, keys, { ids: [id], limit: 1, ...options }, viewerAgentId);
  if (!view) return undefined;
  const { seq: _seq, ...rest } = view;
  return rest satisfies ConversationView;
}
