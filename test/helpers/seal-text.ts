import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import type { DataKeys } from '../../server/security/data-keys.ts';
import { conversations, messages } from '../../drizzle/schema/index.ts';
import { bodyContext, htmlContext } from '../../server/domain/message-text.ts';
import { sealSubjects } from '../../server/domain/subject-store.ts';

/**
 * Seals existing rows in place, as the writers and the migration of issue 22 store them: every message's
 * body and HTML of the conversations, and their subjects, encrypted with the data key of the conversation's contact
 * in the contexts server/domain/message-text.ts opens them with. Readers must then show exactly what they showed.
 */
export async function sealConversations(db: Db, dataKeys: DataKeys, conversationIds: string[]): Promise<void> {
  const convs = await db
    .select({ id: conversations.id, contactId: conversations.contactId, subject: conversations.subject })
    .from(conversations)
    .where(inArray(conversations.id, conversationIds));
  for (const c of convs) {
    if (c.subject !== null && !c.subject.startsWith('pdk:')) {
      const [sealed] = await sealSubjects(dataKeys, [
        { conversationId: c.id, contactId: c.contactId, subject: c.subject },
      ]);
      await db
        .update(conversations)
        .set({ subject: sealed!.subject, subjectVector: sql`${sealed!.subjectVector}::tsvector` })
        .where(eq(conversations.id, c.id));
    }
    const rows = await db
      .select({ id: messages.id, body: messages.body, html: messages.html })
      .from(messages)
      .where(eq(messages.conversationId, c.id));
    await sealMessages(db, dataKeys, c.contactId, rows);
  }
}

/** Seals these messages' body and HTML (plaintext ones only) with the contact's key. */
export async function sealMessages(
  db: Db,
  dataKeys: DataKeys,
  contactId: string,
  rows: Array<{ id: string; body: string; html: string | null }>,
): Promise<void> {
  for (const row of rows) {
    if (row.body.startsWith('pdk:')) continue;
    const [body, html] = await dataKeys.encryptMany([
      { contactId, plaintext: row.body, context: bodyContext(row.id) },
      ...(row.html !== null ? [{ contactId, plaintext: row.html, context: htmlContext(row.id) }] : []),
    ]);
    await db
      .update(messages)
      .set({ body, ...(html !== undefined ? { html } : {}) })
      .where(eq(messages.id, row.id));
  }
}
