import { and, eq, exists, inArray, isNull, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/client.ts';
import { attachments, conversations, messages, recordings } from '../../drizzle/schema/index.ts';
import { DomainError, notFound } from './errors.ts';

/**
 * Inbox scoping: which inboxes an agent may see. `null` means every inbox (the default, and always the case for
 * managers and admins); a list means only those. Every read path takes it from the session agent (computed by
 * `visibleInboxIdsSql` in the session statement) or from `visibleInboxIds`, which run the same SQL.
 *
 * A restricted agent sees the inboxes chosen for them AND the inboxes of every team they belong to: a union, so
 * adding a team or an inbox only ever widens what someone sees, and an admin can give one extra inbox without
 * making a team for it. "Only my teams' inboxes" is a restricted agent with no chosen inboxes.
 */
export type InboxIds = readonly string[] | null;

/** The SQL that computes an agent's visible inbox ids as a JSON array (null = every inbox), for the agent row `a`. */
export const visibleInboxIdsSql = (a: SQL) => sql`case when ${a}.role <> 'agent' or ${a}.inbox_scope = 'all'
  then null else to_json(array(
    select ai.inbox_id from agent_inboxes ai where ai.agent_id = ${a}.id
    union
    select ti.inbox_id from team_members tm join team_inboxes ti on ti.team_id = tm.team_id
    where tm.agent_id = ${a}.id)) end`;

/** Drivers hand JSON back parsed or as text; both become a plain list (or null). */
export function parseInboxIds(value: unknown): InboxIds {
  if (value === null || value === undefined) return null;
  const list: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  return Array.isArray(list) ? list.map(String).sort() : [];
}

/** The one function that says which inboxes an agent may see (null = all; an unknown agent sees none). */
export async function visibleInboxIds(db: Db, agentId: string): Promise<InboxIds> {
  const rows = rowsOf<{ ids: unknown }>(
    await db.execute(sql`select ${visibleInboxIdsSql(sql.raw('a'))} as ids from agents a where a.id = ${agentId}`),
  );
  return rows[0] ? parseInboxIds(rows[0].ids) : [];
}

export const canSee = (scope: InboxIds, inboxId: string) => scope === null || scope.includes(inboxId);

/** A condition on an inbox id column (undefined when the agent sees every inbox: no condition at all). */
export function inboxCondition(column: AnyColumn, scope: InboxIds): SQL | undefined {
  if (scope === null) return undefined;
  return scope.length ? inArray(column, [...scope]) : sql`false`;
}

/** A contact is visible when one of its conversations is in a visible inbox. */
export function contactVisible(contactId: AnyColumn | SQL, scope: InboxIds): SQL | undefined {
  if (scope === null) return undefined;
  return exists(
    sql`(select 1 from ${conversations} where ${conversations.contactId} = ${contactId}
      and ${inboxCondition(conversations.inboxId, scope)})`,
  );
}

/**
 * What a route's `:id` names, for the scope check of the auth hook (server/plugins/auth.ts). `wholeContact` is a
 * contact all of whose conversations must be visible (the export: an Art. 15 export is complete or not given).
 */
export const scopedResources = [
  'conversation',
  'contact',
  'wholeContact',
  'message',
  'attachment',
  'recording',
] as const;
export type ScopedResource = (typeof scopedResources)[number];

const labels: Record<ScopedResource, string> = {
  conversation: 'Conversation',
  contact: 'Contact',
  wholeContact: 'Contact',
  message: 'Message',
  attachment: 'Attachment',
  recording: 'Recording',
};

/** The inbox ids (one per conversation) a resource lives in; empty when it does not exist. */
async function inboxesOf(db: Db, kind: ScopedResource, id: string): Promise<string[]> {
  const inboxId = conversations.inboxId;
  let rows: Array<{ inboxId: string }>;
  switch (kind) {
    case 'conversation':
      rows = await db
        .select({ inboxId })
        .from(conversations)
        .where(and(eq(conversations.id, id), isNull(conversations.deletedAt)));
      break;
    case 'contact':
    case 'wholeContact':
      rows = await db.selectDistinct({ inboxId }).from(conversations).where(eq(conversations.contactId, id));
      break;
    case 'message':
      rows = await db
        .select({ inboxId })
        .from(messages)
        .innerJoin(conversations, eq(conversations.id, messages.conversationId))
        .where(eq(messages.id, id));
      break;
    case 'attachment':
      rows = await db
        .select({ inboxId })
        .from(attachments)
        .innerJoin(messages, eq(messages.id, attachments.messageId))
        .innerJoin(conversations, eq(conversations.id, messages.conversationId))
        .where(eq(attachments.id, id));
      break;
    case 'recording':
      rows = await db
        .select({ inboxId })
        .from(recordings)
        .innerJoin(conversations, eq(conversations.id, recordings.conversationId))
        .where(eq(recordings.id, id));
      break;
  }
  return rows.map((r) => r.inboxId);
}

/**
 * Refuses what the agent may not see with the same 404 a nonexistent id gets, so a scoped agent cannot tell
 * "elsewhere" from "nowhere". A wholeContact partly outside the scope is visible, so that one says why (403).
 */
export async function assertVisible(db: Db, scope: InboxIds, kind: ScopedResource, id: string): Promise<void> {
  if (scope === null) return;
  const inboxes = await inboxesOf(db, kind, id);
  const visible = inboxes.filter((inbox) => scope.includes(inbox));
  if (visible.length === 0) throw notFound(labels[kind]);
  if (kind === 'wholeContact' && visible.length < inboxes.length)
    throw new DomainError(
      403,
      'outside_scope',
      'This contact also has conversations in inboxes you cannot see; an admin can export the complete data',
    );
}
