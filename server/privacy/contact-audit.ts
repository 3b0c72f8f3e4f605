import { and, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { agents, auditLog, conversations, messages } from '../../drizzle/schema/index.ts';
import type { ContactAuditView } from '../http/views/privacy-requests.ts';
import { sealStagedAudit } from './audit-staging.ts';
import { ingestBatchAction } from '../domain/ingest-statements.ts';

/**
 * "Who touched this person's data": every audit entry about the contact, its conversations and their messages,
 * newest first, with the acting colleague's display name. Entries hold ids and field names only, never values,
 * so this view cannot show more than the audit log itself holds.
 */
export async function contactAudit(db: Db, contactId: string, limit = 200): Promise<ContactAuditView> {
  // What ingest staged joins the chain first, so the view is complete up to now.
  await sealStagedAudit(db);
  const agentJoin = and(eq(auditLog.actorKind, 'agent'), eq(sql`${agents.id}::text`, auditLog.actorId));
  const newest = (where: SQL) =>
    db
      .select({ e: auditLog, agentName: agents.name })
      .from(auditLog)
      .leftJoin(agents, agentJoin)
      .where(where)
      .orderBy(desc(auditLog.id))
      .limit(limit);
  // Three indexed lookups merged here rather than one OR (which no single index serves: it scanned the whole log).
  const [named, many, unnamed] = await Promise.all([
    // The entry names the person (details.contactId, or the contact itself is the target): audit_log_contact.
    newest(eq(auditLog.contactId, contactId)),
    // Entries about many people at once (a retention sweep) name them all: audit_log_contact_ids.
    newest(sql`${auditLog.details} -> 'contactIds' @> jsonb_build_array(${contactId}::text)`),
    // Entries written before every entry about a conversation or message named its contact: by their target.
    newest(
      and(
        isNull(auditLog.contactId),
        or(
          and(eq(auditLog.targetType, 'conversation'), inArray(auditLog.targetId, theirConversations(db, contactId))),
          and(eq(auditLog.targetType, 'message'), inArray(auditLog.targetId, theirMessages(db, contactId))),
        ),
      )!,
    ),
  ]);
  const byId = new Map([...named, ...many, ...unnamed].map((row) => [row.e.id, row]));
  const rows = [...byId.values()].sort((a, b) => b.e.id - a.e.id).slice(0, limit);
  return {
    items: rows.flatMap(({ e, agentName }) => {
      const item = (action: string, targetType: string, targetId: string | null, fields: unknown) => ({
        id: e.id,
        at: e.at.toISOString(),
        actor: { kind: e.actorKind, id: e.actorId, name: agentName },
        action,
        targetType,
        targetId,
        fields: Array.isArray(fields) ? fields.map(String) : [],
      });
      if (e.action !== ingestBatchAction) return [item(e.action, e.targetType, e.targetId, e.details.fields)];
      // One entry for a whole ingest statement: this person's part of it, as entries of their own would show it.
      const { messages: received = [], contacts: created = [] } = e.details as BatchDetails;
      // Newest first, as the view lists: the person's message after their contact was created.
      return [
        ...received
          .filter((m) => m.contactId === contactId)
          .map((m) => item('message.received', 'message', m.messageId, m.fields)),
        ...created
          .filter((c) => c.contactId === contactId)
          .map((c) => item('contact.created', 'contact', c.contactId, c.fields)),
      ];
    }),
  };
}

type BatchDetails = {
  messages?: Array<{ messageId: string; contactId: string; fields: unknown }>;
  contacts?: Array<{ contactId: string; fields: unknown }>;
};

const theirConversations = (db: Db, contactId: string) =>
  db
    .select({ id: sql<string>`${conversations.id}::text` })
    .from(conversations)
    .where(eq(conversations.contactId, contactId));

const theirMessages = (db: Db, contactId: string) =>
  db
    .select({ id: sql<string>`${messages.id}::text` })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(eq(conversations.contactId, contactId));
