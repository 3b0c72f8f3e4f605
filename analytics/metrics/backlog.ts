import { sql } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import type { ConversationStatus } from '../../drizzle/schema/enums.ts';
import { cohort, scopedQuery, type Filter } from '../scope.ts';
import { figure, type Figure } from '../cohort.ts';

export const backlogStatuses = ['bot', 'open', 'pending'] as const satisfies readonly ConversationStatus[];
export type Backlog = Array<{ status: (typeof backlogStatuses)[number]; conversations: Figure }>;

type Row = { status: ConversationStatus; n: number; cohort: number };

/** Conversations not resolved right now, by status (the time range does not apply: a backlog is now). */
export async function backlog(db: Db, filter: Filter, k: number): Promise<Backlog> {
  const rows = await scopedQuery<Row>(
    db,
    filter,
    sql`select c.dim as status, sum(c.n)::int as n, ${cohort('c', k)} as cohort
      from scoped_cells c
      where c.measure = 'backlog'
      group by c.dim`,
  );
  return backlogStatuses.map((status) => {
    const row = rows.find((r) => r.status === status);
    return { status, conversations: figure(row?.n ?? 0, row?.cohort ?? 0, k) };
  });
}
