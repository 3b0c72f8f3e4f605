import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { rowsOf, type Db } from '../db/client.ts';
import { columnOf, conversationOf, subjectCondition, type PrivacyCatalog } from './subject.ts';

/**
 * Where a person's data sits, in inboxes and in time, derived from the personal-data catalog: every table about
 * contacts that hangs off a conversation (messages, participants, attachments, recordings, …) with the column
 * that says since when its row exists. The breach finder asks it "who is in inbox X", an erasure "where was
 * this person" (recorded in its audit entry, so the finder still counts them once their rows are gone).
 */
const TIME_COLUMNS = ['createdAt', 'firstSeenAt', 'recordedAt', 'occurredAt'] as const;

/** `inbox`: the SQL giving a row's inbox id. */
export type InboxTable = { key: string; inbox: SQL; since: PgColumn };

/** The inbox a conversation id belongs to, as SQL. */
const inboxOf = (catalog: PrivacyCatalog, conversation: SQL) => {
  const conversations = catalog.conversations!;
  return sql`(select ${columnOf(catalog, 'conversations', 'inboxId')} from ${conversations.table}
    where ${columnOf(catalog, 'conversations', 'id')} = ${conversation})`;
};

/** The catalog's tables about contacts whose rows belong to a conversation, and their "exists since" column. */
export function inboxTables(catalog: PrivacyCatalog): InboxTable[] {
  return Object.entries(catalog).flatMap(([key, entry]) => {
    if (entry.reach.subject !== 'contact') return [];
    const columns = getTableColumns(entry.table) as Record<string, PgColumn>;
    const conversation =
      conversationOf(catalog, key) ?? (columns.conversationId ? sql`${columns.conversationId}` : null);
    const inbox =
      key === 'conversations'
        ? sql`${columnOf(catalog, key, 'inboxId')}`
        : conversation && inboxOf(catalog, conversation);
    const since = TIME_COLUMNS.map((c) => columns[c]).find((c) => c !== undefined);
    return inbox && since ? [{ key, inbox, since }] : [];
  });
}

/**
 * A SELECT of the contact ids the rows of `key` matching `where` are about: the reverse of subjectCondition,
 * following the catalog's reach (own row, a contact column, or the join chain, both ways in where there are two).
 */
export function contactsOf(catalog: PrivacyCatalog, key: string, where: SQL): SQL {
  const entry = catalog[key]!;
  const reach = entry.reach;
  if (reach.subject !== 'contact') throw new Error(`${key} is not about contacts`);
  if (reach.via === 'self')
    return sql`select ${columnOf(catalog, key, 'id')} as contact_id from ${entry.table} where ${where}`;
  if (reach.via === 'column')
    return sql`select ${columnOf(catalog, key, reach.column)} as contact_id from ${entry.table} where ${where}`;
  const up = (column: string, through: string) =>
    contactsOf(
      catalog,
      through,
      sql`${columnOf(catalog, through, 'id')} in (select ${columnOf(catalog, key, column)} from ${entry.table}
        where ${where})`,
    );
  const main = up(reach.column, reach.through);
  return reach.also ? sql`${main} union ${up(reach.also.column, reach.also.through)}` : main;
}

/** Contacts with a row in inbox `inboxId` that existed by `to` (rows removed before now are the audit log's part). */
export function contactsInInbox(catalog: PrivacyCatalog, inboxId: string, to: Date): SQL {
  const parts = inboxTables(catalog).map((t) =>
    contactsOf(catalog, t.key, sql`${t.inbox} = ${inboxId} and ${t.since} <= ${to.toISOString()}::timestamptz`),
  );
  return sql.join(parts, sql` union `);
}

/** What an erasure's audit entry keeps of where the person was: inbox ids with the earliest time, recording spans. */
export type Footprint = {
  inboxes: Array<{ inboxId: string; since: string }>;
  recordings: Array<{ from: string; to: string | null }>;
};

/** The person's footprint before an erasure removes it: ids and times only, no content. */
export async function footprintOf(db: Db, catalog: PrivacyCatalog, contactId: string): Promise<Footprint> {
  const earliest = new Map<string, Date>();
  for (const t of inboxTables(catalog)) {
    const rows = rowsOf<{ inbox_id: string | null; since: Date | string }>(
      await db.execute(sql`
        select ${t.inbox} as inbox_id, min(${t.since}) as since
        from ${catalog[t.key]!.table} where ${subjectCondition(catalog, t.key, contactId)} group by 1`),
    );
    for (const r of rows) {
      if (!r.inbox_id) continue;
      const since = new Date(r.since);
      const known = earliest.get(r.inbox_id);
      if (!known || since < known) earliest.set(r.inbox_id, since);
    }
  }
  const recordings = catalog.recordings
    ? rowsOf<{ from: Date | string; to: Date | string | null }>(
        await db.execute(sql`
          select ${columnOf(catalog, 'recordings', 'recordedAt')} as "from",
            ${columnOf(catalog, 'recordings', 'deletedAt')} as "to"
          from ${catalog.recordings.table} where ${subjectCondition(catalog, 'recordings', contactId)}`),
      )
    : [];
  return {
    inboxes: [...earliest].map(([inboxId, since]) => ({ inboxId, since: since.toISOString() })),
    recordings: recordings.map((r) => ({
      from: new Date(r.from).toISOString(),
      to: r.to === null ? null : new Date(r.to).toISOString(),
    })),
  };
}
