import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Db } from '../server/db/client.ts';
import { botDecisions, consentEvents, contacts, conversations, messages, satisfactionRatings } from '../drizzle/schema/index.ts';
import type { ChannelKind } from '../drizzle/schema/enums.ts';

/**
 * THE consent scope of analytics: contacts whose current consent (the latest `consent_events` row for the
 * purpose 'analytics', as of now) is granted. This is the only module of analytics/ that names a table;
 * every metric is a query over the scoped relations below, run through `scopedQuery`, so a metric cannot
 * read a row of anyone outside the scope. test/unit/analytics-scope.test.ts fails for a metric that names
 * anything else; the property test (test/integration/analytics-property.test.ts) checks the result.
 *
 * The scoped relations a metric may read:
 * - scoped_contacts(contact_id)
 * - scoped_conversations(id, contact_id, channel, status, created_at, resolved_at, last_message_at)
 * - scoped_messages(conversation_id, contact_id, channel, direction, kind, author_kind, created_at,
 *   conversation_created_at, conversation_last_message_at)
 * - scoped_bot_decisions(conversation_id, contact_id, action, reason, created_at, conversation_created_at)
 * - scoped_ratings(conversation_id, contact_id, score, rated_at)
 * Message bodies, names and addresses are not among their columns: no metric needs them.
 */
export const scopedRelations = ['scoped_contacts', 'scoped_conversations', 'scoped_messages', 'scoped_bot_decisions', 'scoped_ratings'] as const;

/** What the dashboard is filtered by: a half-open time range [from, to), one channel or all, and the viewer's time zone. */
export type Filter = { from: Date; to: Date; channel: ChannelKind | null; timeZone: string };

/**
 * Whether the contact of `contactColumn` is in the scope now: their latest analytics event (as of now; ties
 * by id, as currentConsent orders them) is a grant. One descent of consent_events_analytics_latest per row,
 * so a metric pays for the rows it touches, not for every contact.
 */
const consentsNow = (contactColumn: SQL) => sql`(
        select e.granted from ${consentEvents} e
        where e.contact_id = ${contactColumn} and e.purpose = 'analytics' and e.occurred_at <= now()
        order by e.occurred_at desc nulls last, e.id desc nulls last
        limit 1
      ) is true`;

function scopeCtes(filter: Pick<Filter, 'channel'>): SQL {
  const channel = filter.channel ? sql`and c.channel = ${filter.channel}::channel` : sql``;
  // scoped_contacts lists the scope (the same rule, read in one ordered pass: only the coverage line needs
  // the whole list). The others are inlined into each metric (not materialized), so the planner pushes the
  // metric's time range down to the tables' indexes before the consent check runs on each remaining row.
  return sql`with scoped_contacts as materialized (
      select latest.contact_id from (
        select distinct on (e.contact_id) e.contact_id, e.granted
        from ${consentEvents} e
        where e.purpose = 'analytics' and e.occurred_at <= now()
        order by e.contact_id, e.occurred_at desc nulls last, e.id desc nulls last
      ) latest
      where latest.granted
    ),
    scoped_conversations as not materialized (
      select c.id, c.contact_id, c.channel, c.status, c.created_at, c.resolved_at, c.last_message_at
      from ${conversations} c
      where ${consentsNow(sql`c.contact_id`)} ${channel}
    ),
    scoped_messages as not materialized (
      select m.conversation_id, sc.contact_id, m.channel, m.direction, m.kind, m.author_kind, m.created_at,
        sc.created_at as conversation_created_at, sc.last_message_at as conversation_last_message_at
      from ${messages} m join scoped_conversations sc on sc.id = m.conversation_id
    ),
    scoped_bot_decisions as not materialized (
      select d.conversation_id, sc.contact_id, d.action, d.reason, d.created_at, sc.created_at as conversation_created_at
      from ${botDecisions} d join scoped_conversations sc on sc.id = d.conversation_id
    ),
    scoped_ratings as not materialized (
      select r.conversation_id, sc.contact_id, r.score, r.rated_at
      from ${satisfactionRatings} r join scoped_conversations sc on sc.id = r.conversation_id
    )
  `;
}

/** Runs one metric's SELECT over the scoped relations; the only way analytics/ reads the database. */
export async function scopedQuery<T>(db: Db, filter: Pick<Filter, 'channel'>, select: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(sql`${scopeCtes(filter)} ${select}`));
}

export type Coverage = { consenting: number; contacts: number };

/**
 * How many contacts the figures are based on, of how many there are. The total is the one number that
 * counts contacts outside the scope: a bare count, so the dashboard can say what share agreed.
 */
export async function coverage(db: Db): Promise<Coverage> {
  const [row] = await scopedQuery<{ consenting: number; contacts: number }>(
    db,
    { channel: null },
    sql`select (select count(*)::int from scoped_contacts) as consenting, (select count(*)::int from ${contacts}) as contacts`,
  );
  return { consenting: Number(row?.consenting ?? 0), contacts: Number(row?.contacts ?? 0) };
}

/** Parameters of a metric's time range, cast once so every metric compares alike. */
export const rangeOf = (filter: Filter) => ({
  from: sql`${filter.from.toISOString()}::timestamptz`,
  to: sql`${filter.to.toISOString()}::timestamptz`,
  tz: sql`${filter.timeZone}::text`,
});
