import { sql } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import type { ChannelKind } from '../../drizzle/schema/enums.ts';
import { rangeOf, scopedQuery, type Filter } from '../scope.ts';
import { figure, type Figure } from '../cohort.ts';

export type VolumeDay = { day: string; channel: ChannelKind; conversations: Figure; messages: Figure };
export type Volume = { conversations: Figure; messages: Figure; days: VolumeDay[] };

type Row = { measure: 'conversations' | 'messages'; day: string | null; channel: ChannelKind | null; n: number; cohort: number };

/**
 * Conversations started and customer-visible messages (both directions, bot included; notes and timeline
 * events are not messages) per channel per day in the viewer's time zone, with totals for the range.
 * A conversation's last_message_at is never older than its messages (kind 'message'), so only conversations
 * active since `from` need their consent checked: the planner reads them through their own index.
 */
export async function volume(db: Db, filter: Filter, k: number): Promise<Volume> {
  const { from, to, tz } = rangeOf(filter);
  const rows = await scopedQuery<Row>(
    db,
    filter,
    sql`select 'conversations' as measure, x.day, x.channel, count(*)::int as n, count(distinct x.contact_id)::int as cohort
      from (select to_char(timezone(${tz}, sc.created_at), 'YYYY-MM-DD') as day, sc.channel::text as channel, sc.contact_id
        from scoped_conversations sc
        where sc.created_at >= ${from} and sc.created_at < ${to}) x
      group by grouping sets ((x.day, x.channel), ())
    union all
    select 'messages', y.day, y.channel, count(*)::int, count(distinct y.contact_id)::int
      from (select to_char(timezone(${tz}, sm.created_at), 'YYYY-MM-DD') as day, sm.channel::text as channel, sm.contact_id
        from scoped_messages sm
        where sm.kind = 'message' and sm.created_at >= ${from} and sm.created_at < ${to}
          and sm.conversation_last_message_at >= ${from}) y
      group by grouping sets ((y.day, y.channel), ())`,
  );
  const total = (measure: Row['measure']) => rows.find((r) => r.measure === measure && r.day === null);
  const cells = new Map<string, VolumeDay>();
  for (const r of rows) {
    if (r.day === null || r.channel === null) continue;
    const key = `${r.day}|${r.channel}`;
    const cell = cells.get(key) ?? { day: r.day, channel: r.channel, conversations: figure(0, 0, k), messages: figure(0, 0, k) };
    cell[r.measure === 'conversations' ? 'conversations' : 'messages'] = figure(r.n, r.cohort, k);
    cells.set(key, cell);
  }
  const conversations = total('conversations');
  const messages = total('messages');
  return {
    conversations: figure(conversations?.n ?? 0, conversations?.cohort ?? 0, k),
    messages: figure(messages?.n ?? 0, messages?.cohort ?? 0, k),
    days: [...cells.values()].sort((a, b) => a.day.localeCompare(b.day) || a.channel.localeCompare(b.channel)),
  };
}
