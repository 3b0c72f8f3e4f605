import { openNames } from './contact-fields.ts';
import { openSubjects, type TextKeys } from './message-text.ts';
import { and, asc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.ts';
import { agents, contacts, conversations, inboxes, messages } from '../../drizzle/schema/index.ts';
import type { ConversationView } from '../http/views.ts';
import type { TrashItemView } from '../http/views/trash.ts';
import { appendAudit } from '../privacy/audit.ts';
import { assertNotHeld } from '../privacy/legal-holds.ts';
import type { DomainEventBus } from './events.ts';
import { notFound } from './errors.ts';
import { loadConversationView } from './views.ts';

/**
 * The trash: a conversation an agent deletes stays, whole and untouched, for TRASH_RETAIN_DAYS (config), hidden
 * from every list, search, analytics figure, the bot, the visitor's widget and channel threading (a new message on
 * its thread opens a new conversation). Admins list it and restore; the retention sweep (server/privacy/retention.ts)
 * purges it at purge_after as thoroughly as any other deletion. Erasure and retention never pass through it.
 *
 * Why columns on conversations, not a trash table: messages, files, recordings and participants keep their foreign
 * keys, so erasure, export and the legal holds reach a trashed conversation without knowing about the trash, and a
 * restore is one update that cannot lose a row. The price, a filter on every read path, is held by tests
 * (test/integration/conversation-trash.test.ts). Those paths: the list, detail and search (domain/views.ts,
 * domain/search.ts), everything an agent does to it (requireConversation, the reply statement, the inbox scope
 * check), the contact panel (domain/contacts.ts), the bot's similar conversations (bot/assist.ts), the analytics
 * cells (analytics/scope/cells.ts), the widget (domain/widget.ts) and ingest's thread look-ups (ingest-*.ts).
 */
export type TrashDeps = { db: Db; events: DomainEventBus; dataKeys: TextKeys };

const DAY = 86_400_000;

/**
 * Every cell of the analytics rollups the conversation's rows count in becomes dirty, so the next refresh adds or
 * drops it (the rollup triggers watch status and dates, not the trash).
 */
async function markAnalyticsDirty(tx: Db, id: string) {
  await tx.execute(sql`select analytics_mark_dirty(array(
    select c.created_at from conversations c where c.id = ${id}::uuid
    union select m.created_at from messages m where m.conversation_id = ${id}::uuid
    union select d.created_at from bot_decisions d where d.conversation_id = ${id}::uuid
    union select r.rated_at from satisfaction_ratings r where r.conversation_id = ${id}::uuid))`);
}

/**
 * Moves a conversation to the trash (an agent who can see it). 404 when it does not exist or is already there;
 * 409 legal_hold while a hold binds it (what is held is not deleted, not even reversibly).
 */
export async function trashConversation(
  deps: TrashDeps,
  id: string,
  agentId: string,
  retainDays: number,
  now = new Date(),
): Promise<{ conversationId: string; deletedAt: string; purgeAfter: string }> {
  await assertNotHeld(deps.db, { conversationId: id }, 'Deleting a conversation');
  const purgeAfter = new Date(now.getTime() + retainDays * DAY);
  const row = await deps.db.transaction(async (tx) => {
    const [trashed] = await tx
      .update(conversations)
      .set({ deletedAt: now, purgeAfter, deletedByAgentId: agentId })
      .where(and(eq(conversations.id, id), isNull(conversations.deletedAt)))
      .returning({
        inboxId: conversations.inboxId,
        contactId: conversations.contactId,
        channel: conversations.channel,
        threadKey: conversations.threadKey,
      });
    if (!trashed) throw notFound('Conversation');
    await markAnalyticsDirty(tx, id);
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId: agentId,
      action: 'conversation.trashed',
      targetType: 'conversation',
      targetId: id,
      details: { contactIds: [trashed.contactId], purgeAfter: purgeAfter.toISOString(), retainDays },
    });
    return trashed;
  });
  deps.events.publish('conversation.trashed', {
    conversation: { id, inboxId: row.inboxId },
    visitorIds: row.channel === 'chat' ? [row.threadKey] : [],
  });
  return { conversationId: id, deletedAt: now.toISOString(), purgeAfter: purgeAfter.toISOString() };
}

/** Takes a conversation out of the trash (admins): it is back everywhere, as it was. 404 when it is not there. */
export async function restoreConversation(deps: TrashDeps, id: string, adminId: string): Promise<ConversationView> {
  await deps.db.transaction(async (tx) => {
    const [restored] = await tx
      .update(conversations)
      .set({ deletedAt: null, purgeAfter: null, deletedByAgentId: null })
      .where(and(eq(conversations.id, id), isNotNull(conversations.deletedAt)))
      .returning({ contactId: conversations.contactId });
    if (!restored) throw notFound('Conversation in the trash');
    await markAnalyticsDirty(tx, id);
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId: adminId,
      action: 'conversation.restored',
      targetType: 'conversation',
      targetId: id,
      details: { contactIds: [restored.contactId] },
    });
  });
  const conversation = (await loadConversationView(deps.db, deps.dataKeys, id, null))!;
  const [row] = await deps.db
    .select({ threadKey: conversations.threadKey })
    .from(conversations)
    .where(eq(conversations.id, id));
  deps.events.publish('conversation.updated', { conversation, route: { threadKey: row!.threadKey } });
  return conversation;
}

const deletedBy = alias(agents, 'deleted_by');

/** Everything in the trash, the soonest purged first (admins). */
export async function listTrash(db: Db, keys: TextKeys): Promise<TrashItemView[]> {
  const stored = await db
    .select({
      id: conversations.id,
      channel: conversations.channel,
      status: conversations.status,
      subject: conversations.subject,
      lastMessageAt: conversations.lastMessageAt,
      deletedAt: conversations.deletedAt,
      purgeAfter: conversations.purgeAfter,
      inbox: { id: inboxes.id, name: inboxes.name },
      contact: { id: contacts.id },
      contactSealedName: contacts.sealedName,
      deletedById: deletedBy.id,
      deletedByName: deletedBy.name,
      messageCount: sql<number>`(select count(*)::int from ${messages} m
        where m.conversation_id = ${conversations.id} and m.kind = 'message')`,
    })
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(deletedBy, eq(deletedBy.id, conversations.deletedByAgentId))
    .where(isNotNull(conversations.deletedAt))
    .orderBy(asc(conversations.purgeAfter), asc(conversations.id));
  const rows = await openSubjects(keys, stored);
  const names = await openNames(
    keys,
    stored.map((r) => ({ ...r.contact, sealedName: r.contactSealedName })),
  );
  return rows.map(({ deletedById, deletedByName, contactSealedName: _sealed, ...r }, i) => ({
    ...r,
    contact: { id: r.contact.id, name: names[i]! },
    lastMessageAt: r.lastMessageAt.toISOString(),
    deletedAt: r.deletedAt!.toISOString(),
    purgeAfter: r.purgeAfter!.toISOString(),
    messageCount: Number(r.messageCount),
    deletedBy: deletedById && deletedByName ? { id: deletedById, name: deletedByName } : null,
  }));
}
