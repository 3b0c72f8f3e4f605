import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { contactIdentities, conversations, messages } from '../../drizzle/schema/index.ts';
import type { BlobOwner } from './store.ts';

/**
 * The people a file belongs to, whose data keys encrypt it (encrypted.ts): the contact of its conversation, and
 * the contact who wrote its message when that is someone else (a Cc'd colleague, a message in another person's
 * conversation). Erasure reaches a file through either of them (the catalog's paths), so either key shreds it.
 */
export function blobOwners(db: Db): (owner: BlobOwner) => Promise<string[]> {
  return async (owner) => {
    if ('contactId' in owner) return [owner.contactId];
    if ('conversationId' in owner) {
      const [row] = await db
        .select({ contactId: conversations.contactId })
        .from(conversations)
        .where(eq(conversations.id, owner.conversationId));
      if (!row) throw new Error('the conversation of a file is gone');
      return [row.contactId];
    }
    const [row] = await db
      .select({ conversationContact: conversations.contactId, author: contactIdentities.contactId })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .leftJoin(contactIdentities, eq(contactIdentities.id, messages.authorIdentityId))
      .where(eq(messages.id, owner.messageId));
    if (!row) throw new Error('the message of a file is gone');
    return row.author && row.author !== row.conversationContact
      ? [row.conversationContact, row.author]
      : [row.conversationContact];
  };
}
