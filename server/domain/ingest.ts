import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { agents, contactIdentities, contacts, conversations, messages } from '../../drizzle/schema/index.ts';
import type { InboundMessage } from '../../channels/types.ts';
import type { ConversationView, MessageView } from '../http/views.ts';
import type { DomainEventBus } from './events.ts';
import type { InboxNameCache } from './inbox-names.ts';
import { notFound } from './errors.ts';
import { loadConversationView, toMessageView } from './views.ts';

export type IngestResult = {
  created: boolean;
  message: MessageView;
  conversation: ConversationView;
  contactId: string;
};

export type IngestDeps = { db: Db; events: DomainEventBus; inboxNames: InboxNameCache };

/** Thrown inside the transaction to roll it back when the external id was already stored. */
class Replay extends Error {}

const UNIQUE_VIOLATION = '23505';
const isUniqueViolation = (err: unknown) =>
  typeof err === 'object' && err !== null && ((err as { code?: string }).code === UNIQUE_VIOLATION ||
    (err as { cause?: { code?: string } }).cause?.code === UNIQUE_VIOLATION);

/**
 * The single entry of every inbound message, whatever the channel: identity -> contact,
 * conversation found or opened, message stored, all in one transaction. A replay of the same
 * (channel, externalId) changes nothing and returns the stored message. Events go out after commit.
 */
export async function ingest(deps: IngestDeps, msg: InboundMessage): Promise<IngestResult> {
  const inboxName = await deps.inboxNames.get(msg.inboxId);
  if (inboxName === undefined) throw notFound('Inbox');
  // Two first messages of a new sender can race on the identity's unique key: the loser retries
  // and then finds the winner's contact.
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await ingestOnce(deps.db, msg, inboxName);
      if (result.created) {
        deps.events.publish('message.created', {
          message: result.message,
          conversation: result.conversation,
          route: { threadKey: msg.threadKey },
          clientId: typeof msg.metadata?.clientId === 'string' ? msg.metadata.clientId : null,
        });
      }
      return result;
    } catch (err) {
      if (attempt < 3 && isUniqueViolation(err)) continue;
      throw err;
    }
  }
}

async function ingestOnce(db: Db, msg: InboundMessage, inboxName: string): Promise<IngestResult> {
  try {
    return await db.transaction(async (tx) => {
      const contact = await resolveContact(tx, msg);
      const conversation = await findOrOpenConversation(tx, msg, contact.id);
      const [message] = await tx
        .insert(messages)
        .values({
          conversationId: conversation.id,
          channel: msg.channel,
          direction: 'inbound',
          kind: 'message',
          authorKind: 'contact',
          body: msg.text,
          html: msg.html ?? null,
          externalId: msg.externalId,
          deliveryState: 'received',
          metadata: msg.metadata ?? {},
          occurredAt: msg.occurredAt,
        })
        .onConflictDoNothing()
        .returning();
      if (!message) throw new Replay();
      const reopen = conversation.status === 'resolved';
      await tx
        .update(conversations)
        .set({
          lastMessageAt: message.createdAt,
          updatedAt: message.createdAt,
          ...(reopen ? { status: 'open' as const } : {}),
        })
        .where(eq(conversations.id, conversation.id));
      return {
        created: true,
        contactId: contact.id,
        message: toMessageView(message, null),
        conversation: {
          id: conversation.id,
          inboxId: msg.inboxId,
          inboxName,
          channel: conversation.channel,
          status: reopen ? 'open' : conversation.status,
          subject: conversation.subject,
          contact: { id: contact.id, name: contact.name },
          assignee: conversation.assigneeId && conversation.assigneeName
            ? { id: conversation.assigneeId, name: conversation.assigneeName }
            : null,
          lastMessageAt: message.createdAt.toISOString(),
          lastMessagePreview: message.body.slice(0, 140),
          unreadCount: 0,
          createdAt: conversation.createdAt.toISOString(),
        },
      };
    });
  } catch (err) {
    if (!(err instanceof Replay)) throw err;
    return loadReplayed(db, msg);
  }
}

async function resolveContact(tx: Db, msg: InboundMessage) {
  const [known] = await tx
    .select({ id: contacts.id, name: contacts.name })
    .from(contactIdentities)
    .innerJoin(contacts, eq(contacts.id, contactIdentities.contactId))
    .where(and(eq(contactIdentities.kind, msg.sender.kind), eq(contactIdentities.address, msg.sender.address)));
  if (known) return known;
  const [contact] = await tx
    .insert(contacts)
    .values({
      name: msg.sender.name ?? null,
      email: msg.sender.kind === 'email' ? msg.sender.address : null,
      phone: msg.sender.kind === 'phone' ? msg.sender.address : null,
    })
    .returning({ id: contacts.id, name: contacts.name });
  await tx.insert(contactIdentities).values({ contactId: contact!.id, kind: msg.sender.kind, address: msg.sender.address });
  return contact!;
}

async function findOrOpenConversation(tx: Db, msg: InboundMessage, contactId: string) {
  const [existing] = await tx
    .select({
      id: conversations.id,
      channel: conversations.channel,
      status: conversations.status,
      subject: conversations.subject,
      assigneeId: conversations.assigneeId,
      assigneeName: agents.name,
      createdAt: conversations.createdAt,
    })
    .from(conversations)
    .leftJoin(agents, eq(agents.id, conversations.assigneeId))
    .where(and(eq(conversations.inboxId, msg.inboxId), eq(conversations.threadKey, msg.threadKey)))
    .orderBy(desc(conversations.createdAt))
    .limit(1);
  if (existing) return existing;
  const [opened] = await tx
    .insert(conversations)
    .values({
      inboxId: msg.inboxId,
      contactId,
      channel: msg.channel,
      status: 'open',
      threadKey: msg.threadKey,
      subject: msg.subject ?? null,
    })
    .returning();
  return { ...opened!, assigneeName: null as string | null };
}

async function loadReplayed(db: Db, msg: InboundMessage): Promise<IngestResult> {
  const [row] = await db
    .select({ message: messages, contactId: conversations.contactId })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(and(eq(messages.channel, msg.channel), eq(messages.externalId, msg.externalId)));
  if (!row) throw new Error('Replay detected but the stored message is gone');
  const conversation = await loadConversationView(db, row.message.conversationId, null);
  return { created: false, contactId: row.contactId, message: toMessageView(row.message, null), conversation: conversation! };
}

