import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Db } from '../../server/db/client.ts';
import { BUCKET_MS, paddedCellsOf, type Window } from './cells.ts';

/**
 * Brings the rollups up to date; every dashboard request (and CSV) runs this first. Serialized across
 * servers and connections by a transaction-scoped advisory lock; cheap when little changed:
 *
 * 1. Consent: contacts queued by the consent_events triggers (or by a restriction's change) whose change is due
 *    are rechecked by the scope rule; where membership changed, analytics_scope is updated and every bucket
 *    holding their data is dirty.
 * 2. New rows: created_at is now() on every live write path, so the buckets since the last refresh (less a
 *    margin for transactions in flight) are dirty, and so are the creation buckets of conversations that got
 *    a message or a bot decision since then (first response and deflection depend on later rows).
 *    Backdated rows, deletions and changes were marked by triggers (migration 0006).
 * 3. The dirty buckets are recomputed from raw data by the bucket builder (cells.ts).
 *
 * With no refresh yet (a new database) or a larger minimum cohort than the stored bottom-K arrays hold,
 * everything is rebuilt.
 */
const REFRESH_LOCK = 7_243_017;
/** Transactions in flight longer than this when a refresh runs could be missed (created_at is their start). */
const MARGIN = "interval '2 minutes'";
/** Stored bottom-K: at least this many, so a smaller k never needs a rebuild. */
const MIN_STORED_K = 5;

/**
 * The second half of the scope rule: a contact under a restriction (Art. 18) or an objection to analytics (Art. 21)
 * in force is out, whatever their consent (server/privacy/restriction.ts queues them for a recheck on a change).
 */
const restricted = (contactId: SQL) => sql`select 1 from processing_restrictions pr
  where pr.contact_id = ${contactId} and pr.lifted_at is null and 'analytics' = any(pr.purposes)`;

export type RefreshReport = { rebuilt: boolean; buckets: number; contacts: number };

export async function refreshAnalytics(db: Db, minCohort: number): Promise<RefreshReport> {
  return db.transaction(async (tx) => {
    // Its plans are small index probes: compiling them (JIT, on misjudged costs) would take longer than
    // running them. The rollups are derived data: a refresh lost in a crash is lost whole (a transaction)
    // and redone by the next one, so its commit need not wait for the disk.
    await tx.execute(
      sql`select pg_advisory_xact_lock(${REFRESH_LOCK}), set_config('jit', 'off', true),
        set_config('synchronous_commit', 'off', true)`,
    );
    const [state] = rowsOf<{ refreshed_at: string | null; k: number }>(
      await tx.execute(sql`select refreshed_at::text, k from analytics_state where id = 1 for update`),
    );
    if (!state || state.refreshed_at === null || state.k < minCohort) {
      await rebuild(tx, Math.max(minCohort, MIN_STORED_K));
      return { rebuilt: true, buckets: 0, contacts: 0 };
    }
    const k = state.k;
    const since = sql`${state.refreshed_at}::timestamptz - ${sql.raw(MARGIN)}`;
    // Rows dated later than this were marked by the insert triggers (they are not live rows).
    const until = sql`now() + ${sql.raw(MARGIN)}`;

    // 1. Consent changes that are due.
    const [consent] = rowsOf<{ changed: number }>(
      await tx.execute(sql`with due as (
          delete from analytics_consent_queue q where q.due_at <= now() returning q.contact_id
        ),
        want as (
          select d.contact_id, coalesce((
            select e.granted from consent_events e
            where e.contact_id = d.contact_id and e.purpose = 'analytics' and e.occurred_at <= now()
            order by e.occurred_at desc nulls last, e.id desc nulls last
            limit 1), false)
            and not exists (${restricted(sql`d.contact_id`)}) as granted
          from (select distinct contact_id from due) d
          where exists (select 1 from contacts c where c.id = d.contact_id)
        ),
        added as (
          insert into analytics_scope (contact_id) select contact_id from want where granted
          on conflict (contact_id) do nothing returning contact_id
        ),
        removed as (
          delete from analytics_scope s using want where s.contact_id = want.contact_id and not want.granted
          returning s.contact_id
        ),
        changed as (select contact_id from added union all select contact_id from removed),
        conv as (select c.id, c.created_at from conversations c where c.contact_id in (select contact_id from changed)),
        marked as (
          select analytics_mark_dirty(array(
            select created_at from conv
            union select m.created_at from messages m where m.conversation_id in (select id from conv)
            union select d.created_at from bot_decisions d where d.conversation_id in (select id from conv)
            union select r.rated_at from satisfaction_ratings r where r.conversation_id in (select id from conv)))
        )
        select (select count(*) from changed)::int as changed, (select count(*) from marked)::int as marked`),
    );

    // 2. and 3. The buckets to recompute: those marked (claimed by deleting the marks: a transaction that
    // marks one meanwhile waits for this one, the row lock, and marks it again afterwards), and those of
    // rows written since the last refresh.
    const buckets = rowsOf<{ bucket: string }>(
      await tx.execute(sql`with claimed as (delete from analytics_dirty returning bucket)
        select b::text as bucket from (
          select bucket as b from claimed
          union select generate_series(analytics_bucket(${since}), ${until}, interval '15 minutes')
          union select analytics_bucket(c.created_at) from messages m join conversations c on c.id = m.conversation_id
            where m.created_at >= ${since} and m.created_at < ${until}
          union select analytics_bucket(c.created_at)
            from bot_decisions d join conversations c on c.id = d.conversation_id
            where d.created_at >= ${since} and d.created_at < ${until}
        ) x`),
    )
      .map((r) => Date.parse(r.bucket))
      .sort((a, b) => a - b);
    if (buckets.length > 0) {
      // Recomputed from raw data; only cells that differ are written (in the steady state, none): an upsert
      // that leaves equal cells alone, and the deletion of cells no longer there (disjoint keys, so the two
      // parts of the statement cannot collide).
      const list = `{${buckets.map((b) => `"${new Date(b).toISOString()}"`).join(',')}}`;
      await tx.execute(sql`with fresh as materialized (${paddedCellsOf(windowsOf(buckets), k, true)}),
        upserted as (
          insert into analytics_cells (measure, bucket, channel, dim, n, total, vals, distinct_contacts, contacts)
          select f.measure, f.bucket, f.channel, f.dim, f.n, f.total, f.vals, f.distinct_contacts, f.contacts
          from fresh f
          on conflict (measure, bucket, channel, dim) do update
          set n = excluded.n, total = excluded.total, vals = excluded.vals,
            distinct_contacts = excluded.distinct_contacts, contacts = excluded.contacts
          where (analytics_cells.n, analytics_cells.total, analytics_cells.vals,
              analytics_cells.distinct_contacts, analytics_cells.contacts)
            is distinct from (excluded.n, excluded.total, excluded.vals, excluded.distinct_contacts, excluded.contacts)
          returning 1
        )
        delete from analytics_cells c
        where c.bucket = any(${list}::timestamptz[])
          and not exists (select 1 from fresh f
            where f.measure = c.measure and f.bucket = c.bucket and f.channel = c.channel and f.dim = c.dim)

          and (select count(*) from upserted) >= 0`);
    }
    await tx.execute(sql`update analytics_state set refreshed_at = now() where id = 1`);
    return { rebuilt: false, buckets: buckets.length, contacts: Number(consent?.changed ?? 0) };
  });
}

/** Contiguous buckets as one window each. */
function windowsOf(buckets: number[]): Window[] {
  const windows: Array<{ lo: number; hi: number }> = [];
  for (const b of buckets) {
    const last = windows.at(-1);
    if (last && last.hi === b) last.hi = b + BUCKET_MS;
    else windows.push({ lo: b, hi: b + BUCKET_MS });
  }
  return windows.map((w) => ({ lo: new Date(w.lo).toISOString(), hi: new Date(w.hi).toISOString() }));
}

/** Everything from raw data: the scope by its rule (as of now), then every cell. */
async function rebuild(tx: Db, k: number): Promise<void> {
  await tx.execute(sql`delete from analytics_dirty`);
  await tx.execute(sql`delete from analytics_consent_queue where due_at <= now()`);
  await tx.execute(sql`delete from analytics_scope`);
  // The scope rule: the latest analytics event of each contact as of now (ties by id, as currentConsent
  // orders them) is a grant.
  await tx.execute(sql`insert into analytics_scope (contact_id)
    select latest.contact_id from (
      select distinct on (e.contact_id) e.contact_id, e.granted
      from consent_events e
      where e.purpose = 'analytics' and e.occurred_at <= now()
      order by e.contact_id, e.occurred_at desc nulls last, e.id desc nulls last
    ) latest
    where latest.granted and not exists (${restricted(sql`latest.contact_id`)})`);
  await tx.execute(sql`delete from analytics_cells`);
  await tx.execute(
    sql`insert into analytics_cells ${paddedCellsOf([{ lo: '-infinity', hi: 'infinity' }], k, true, true)}`,
  );
  await tx.execute(sql`update analytics_state set refreshed_at = now(), k = ${k} where id = 1`);
}

/** A full rebuild on request (after a bulk load that bypassed the triggers, e.g. the benchmark's seed). */
export async function rebuildAnalytics(db: Db, minCohort: number): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${REFRESH_LOCK})`);
    await rebuild(tx, Math.max(minCohort, MIN_STORED_K));
  });
}
