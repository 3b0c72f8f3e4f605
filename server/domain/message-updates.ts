import { openMessageText, type TextKeys } from './message-text.ts';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { agents, conversations, messages } from '../../drizzle/schema/index.ts';
import type { DomainEventBus } from './events.ts';
import { loadAttachmentViews, loadConversationView, toMessageView } from './views.ts';

/**
 * Tells every agent a stored message changed after the fact (e.g. its files arrived after the
 * message itself): a message.updated event with the message as it now is, attachments included.
 */
export async function publishMessageUpdate(
  deps: { db: Db; events: DomainEventBus; dataKeys: TextKeys },
  messageId: string,
): Promise<void> {
  const [row] = await deps.db
    .select({ message: messages, authorName: agents.name, threadKey: conversations.threadKey })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .leftJoin(agents, eq(agents.id, messages.authorAgentId))
    .where(eq(messages.id, messageId));
  if (!row) return;
  const conversation = await loadConversationView(deps.db, deps.dataKeys, row.message.conversationId, null);
  if (!conversation) return;
  const files = await loadAttachmentViews(deps.db, eq(messages.id, messageId));
  // The text as every reader shows it: opened (stored sealed since issue 22), never the ciphertext.
  const opened = await openMessageText(deps.dataKeys, row.message);
  const message = { ...toMessageView(opened, row.authorName), attachments: files.get(messageId) ?? [] };
  deps.events.publish('message.updated', { message, conversation, route: { threadKey: row.threadKey } });
}
