import { and, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { agents, auditLog, conversations, messages } from '../../drizzle/schema/index.ts';
import type { ContactAuditView } from '../http/views/privacy-requests.ts';
import { sealStagedAudit } from './audit-staging.ts';

/**
 * "Who touched this person's data": every audit entry about the contact, its conversations and their messages,
 * newest first, with the acting colleague's display name. Entries hold ids and field names only, never values,
 * so this view cannot show more than the audit log itself holds.
 */
export async function contactAudit(db: Db, contactId: string, limit = 200): Promise<ContactAuditView> {
  // What ingest staged joins the chain first, so the view is complete up to now.
  await sealStagedAudit(db);
  const theirConversations = db
    .select({ id: sql<string>`${conversations.id}::text` })
    .from(conversations)
    .where(eq(conversations.contactId, contactId));
  const theirMessages = db
    .select({ id: sql<string>`${messages.id}::text` })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(eq(conversations.contactId, contactId));
  const rows = await db
    .select({ e: auditLog, agentName: agents.name })
    .from(auditLog)
    .leftJoin(agents, and(eq(auditLog.actorKind, 'agent'), eq(sql`${agents.id}::text`, auditLog.actorId)))
    .where(
      or(
        and(eq(auditLog.targetType, 'contact'), eq(auditLog.targetId, contactId)),
        sql`${auditLog.details} ->> 'contactId' = ${contactId}`,
        // Entries about many people at once (a retention sweep) name them all.
        sql`${auditLog.details} -> 'contactIds' @> jsonb_build_array(${contactId}::text)`,
        and(eq(auditLog.targetType, 'conversation'), inArray(auditLog.targetId, theirConversations)),
        and(eq(auditLog.targetType, 'message'), inArray(auditLog.targetId, theirMessages)),
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(limit);
  return {
    items: rows.map(({ e, agentName }) => {
      const fields = (e.details as { fields?: unknown }).fields;
      return {
        id: e.id,
        at: e.at.toISOString(),
        actor: { kind: e.actorKind, id: e.actorId, name: agentName },
        action: e.action,
        targetType: e.targetType,
        targetId: e.targetId,
        fields: Array.isArray(fields) ? fields.map(String) : [],
      };
    }),
  };
}
