import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Db } from '../server/db/client.ts';
import type { ChannelKind } from '../drizzle/schema/enums.ts';
import { BUCKET_MS, paddedCellsOf, type Window } from './scope/cells.ts';

export { refreshAnalytics, rebuildAnalytics } from './scope/refresh.ts';

/**
 * THE consent scope of analytics: contacts whose current consent (the latest `consent_events` row for the
 * purpose 'analytics', as of now) is granted, and who are under no restriction (Art. 18) or objection to analytics
 * (Art. 21). The scope layer is this module and analytics/scope/: it keeps
 * `analytics_scope` (the contacts in the scope, as of the last refresh) and the rollup cells, which are
 * computed from raw rows of those contacts only (scope/cells.ts), and it is the only part of analytics/
 * that names a table. Every metric is a query over the scoped relations below, run through `scopedQuery`,
 * so a metric cannot read a row of anyone outside the scope. test/unit/analytics-scope.test.ts fails for a
 * metric that names anything else; the property test (test/integration/analytics-property.test.ts) checks
 * the result.
 *
 * The scoped relations a metric may read, already restricted to the filter's range and channel:
 * - scoped_cells(measure, bucket, channel, dim, n, total, vals, distinct_contacts, contacts): rollup cells
 *   (scope/cells.ts lists the measures); stored 15-minute buckets inside the range, the range's partial
 *   edges computed on the fly by the same builder, and for `backlog` every bucket (a backlog is now).
 * - scoped_values(measure, bucket, channel, value): the durations of the cells, one row each.
 * Contacts appear only as counts and pseudonymous keys (`contacts`, for the minimum cohort: `cohort()`).
 */
export const scopedRelations = ['scoped_cells', 'scoped_values'] as const;

/**
 * What the dashboard is filtered by: a half-open time range [from, to), one channel or all, and the viewer's
 * time zone.
 */
export type Filter = { from: Date; to: Date; channel: ChannelKind | null; timeZone: string };

/**
 * Before this, some zones' offsets were not whole quarter hours (local mean time), so a bucket might not
 * lie inside one local hour: a range reaching back so far is computed from raw rows only.
 */
const QUARTER_HOUR_OFFSETS_SINCE = Date.parse('1980-01-01T00:00:00Z');

/** The stored part of the range [from, to) (whole buckets) and the edges to compute on the fly. */
export function splitRange(filter: Pick<Filter, 'from' | 'to'>): {
  stored: { from: Date; to: Date } | null;
  live: Window[];
} {
  const from = filter.from.getTime();
  const to = filter.to.getTime();
  const fullFrom = Math.ceil(from / BUCKET_MS) * BUCKET_MS;
  const fullTo = Math.floor(to / BUCKET_MS) * BUCKET_MS;
  const iso = (t: number) => new Date(t).toISOString();
  if (from < QUARTER_HOUR_OFFSETS_SINCE || fullFrom >= fullTo)
    return { stored: null, live: [{ lo: iso(from), hi: iso(to) }] };
  const live: Window[] = [];
  if (from < fullFrom) live.push({ lo: iso(from), hi: iso(fullFrom) });
  if (fullTo < to) live.push({ lo: iso(fullTo), hi: iso(to) });
  return { stored: { from: new Date(fullFrom), to: new Date(fullTo) }, live };
}

/** The K of the stored bottom-K arrays: live edge cells are padded alike, so all aggregate together. */
const storedK = sql`(select st.k from analytics_state st where st.id = 1)`;

function scopeCtes(filter: Filter): SQL {
  const channel = (alias: string) =>
    filter.channel ? sql`and ${sql.raw(alias)}.channel = ${filter.channel}::channel` : sql``;
  const { stored, live } = splitRange(filter);
  const columns = (alias: string) =>
    sql.raw(
      ['measure', 'bucket', 'channel', 'dim', 'n', 'total', 'vals', 'distinct_contacts', 'contacts']
        .map((c) => `${alias}.${c}`)
        .join(', '),
    );
  const parts: SQL[] = [sql`select ${columns('c')} from analytics_cells c where c.measure = 'backlog' ${channel('c')}`];
  if (stored) {
    parts.push(sql`select ${columns('c')} from analytics_cells c
      where c.measure <> 'backlog'
        and c.bucket >= ${stored.from.toISOString()}::timestamptz
        and c.bucket < ${stored.to.toISOString()}::timestamptz ${channel('c')}`);
  }
  if (live.length > 0) {
    parts.push(sql`select ${columns('l')} from (${paddedCellsOf(live, storedK, false)}) l where true ${channel('l')}`);
  }
  return sql`with scoped_cells as not materialized (${sql.join(parts, sql` union all `)}),
    scoped_values as not materialized (
      select sc.measure, sc.bucket, sc.channel, v.value
      from scoped_cells sc cross join lateral unnest(sc.vals) as v(value)
    )
  `;
}

/** Runs one metric's SELECT over the scoped relations; the only way analytics/ reads the database. */
export async function scopedQuery<T>(db: Db, filter: Filter, select: SQL): Promise<T[]> {
  // The plans are index probes and small aggregates: JIT compilation, triggered by the planner's guesses
  // about the on-the-fly edges (parameters it cannot see into), would cost more than the query.
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local jit = off`);
    return rowsOf<T>(await tx.execute(sql`${scopeCtes(filter)} ${select}`));
  });
}

/**
 * The number of distinct contacts behind a group of cells (`alias` names the metric's cell rows), exact
 * below k and at least k otherwise, which is all the minimum cohort asks. Each cell keeps the K >= k
 * smallest keys of its contacts: the union of those has >= k members iff the true union has (the k
 * smallest of the union are each among the k smallest of their own cell); and when no single cell reaches
 * k, every cell's array is complete.
 */
export function cohort(alias: string, k: number): SQL {
  const a = sql.raw(alias);
  return sql`(case when coalesce(max(${a}.distinct_contacts), 0) >= ${k}::int then max(${a}.distinct_contacts)
    else (select count(distinct u)::int
      from unnest(array_agg(${a}.contacts) filter (where ${a}.distinct_contacts < ${k}::int)) as u) end)`;
}

export type Coverage = { consenting: number; contacts: number };

/**
 * How many contacts the figures are based on, of how many there are. The total is the one number that
 * counts contacts outside the scope: a bare count, so the dashboard can say what share agreed.
 */
export async function coverage(db: Db): Promise<Coverage> {
  const [row] = rowsOf<{ consenting: number; contacts: number }>(
    await db.execute(
      sql`select (select count(*)::int from analytics_scope) as consenting,
        (select count(*)::int from contacts) as contacts`,
    ),
  );
  return { consenting: Number(row?.consenting ?? 0), contacts: Number(row?.contacts ?? 0) };
}

/** Parameters of a metric's time range, cast once so every metric compares alike. */
export const rangeOf = (filter: Filter) => ({
  from: sql`${filter.from.toISOString()}::timestamptz`,
  to: sql`${filter.to.toISOString()}::timestamptz`,
  tz: sql`${filter.timeZone}::text`,
});
