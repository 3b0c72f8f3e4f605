import { sql } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import type { ConversationStatus } from '../../drizzle/schema/enums.ts';
import { scopedQuery, type Filter } from '../scope.ts';
import { figure, type Figure } from '../cohort.ts';

export const backlogStatuses = ['bot', 'open', 'pending'] as const satisfies readonly ConversationStatus[];
export type Backlog = Array<{ status: (typeof backlogStatuses)[number]; conversations: Figure }>;

type Row = { status: ConversationStatus; n: number; cohort: number };

/** Conversations not resolved right now, by status (the time range does not apply: a backlog is now). */
export async function backlog(db: Db, filter: Filter, k: number): Promise<Backlog> {
  const rows = await scopedQuery<Row>(
    db,
    filter,
    sql`select sc.status::text as status, count(*)::int as n, count(distinct sc.contact_id)::int as cohort
      from scoped_conversations sc
      where sc.status <> 'resolved'
      group by sc.status`,
  );
  return backlogStatuses.map((status) => {
    const row = rows.find((r) => r.status === status);
    return { status, conversations: figure(row?.n ?? 0, row?.cohort ?? 0, k) };
  });
}
