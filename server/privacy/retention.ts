import { and, eq, inArray, isNotNull, isNull, lt, notInArray, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.ts';
import {
  attachments,
  botDecisions,
  contacts,
  conversations,
  messages,
  recordings,
  retentionPolicies,
} from '../../drizzle/schema/index.ts';
import { retentionClasses, type RetentionClass } from '../../drizzle/schema/enums.ts';
import type {
  RetentionPolicyView as RetentionPolicy,
  RetentionPreview,
  RetentionPreviewClass as PreviewRow,
  RetentionPreviewTrash as PreviewTrash,
  RetentionProposal,
  SweepResult,
} from '../http/views/privacy.ts';
import { DomainError, conflict } from '../domain/errors.ts';
import { appendAudit } from './audit.ts';
import { releaseLease, tryAcquireLease } from '../db/leases.ts';
import { deleteAtProvider } from './recording-providers.ts';
import { eraseContact, type EraseDeps } from './erase.ts';
import { LegalHoldError, assertNotHeld, contactHeld, conversationHeld, held } from './legal-holds.ts';
import {
  catalogOf,
  columnOf,
  conversationOf,
  fileSources,
  underCondition,
  type FileSource,
  type PrivacyCatalog,
} from './subject.ts';

export type { PreviewRow, RetentionPolicy, RetentionProposal, SweepResult };

/**
 * What the sweep needs: erasure's dependencies (an inactive contact is erased as on request; files go from
 * the blob store, recordings at their provider too), with the catalog saying which columns hold files.
 */
export type RetentionDeps = EraseDeps;

/**
 * One retention engine for every data class. Deadlines are data (policy days + the records' own
 * timestamps, or a recording's delete_after), never timers: a restart loses nothing. One server at a
 * time sweeps, under a lease in the database; a dead holder's lease expires and another takes over.
 */
export const retentionInfo: Record<
  RetentionClass,
  { label: string; description: string; defaultDays: number; defaultEnabled: boolean }
> = {
  messages: {
    label: 'Conversations',
    description:
      'Conversations whose last message is older than this are deleted with all their messages and attachments.',
    defaultDays: 730,
    defaultEnabled: false,
  },
  attachments: {
    label: 'Attachments',
    description: 'Files older than this are deleted; the message that carried them stays.',
    defaultDays: 365,
    defaultEnabled: false,
  },
  recordings: {
    label: 'Call recordings',
    description: 'Each recording is deleted this many days after it was made, locally and at the provider.',
    defaultDays: 30,
    defaultEnabled: true,
  },
  inactive_contacts: {
    label: 'Inactive contacts',
    description: 'Contacts with no activity for this long are erased completely, as on an erasure request.',
    defaultDays: 1095,
    defaultEnabled: false,
  },
  bot_logs: {
    label: 'Bot decision logs',
    description: 'Records of what the bot answered and why are deleted after this long.',
    defaultDays: 90,
    defaultEnabled: true,
  },
};

/** A policy's value: whether the sweep deletes this class at all, and after how many days. */
export type PolicyValue = { enabled: boolean; retainDays: number };
type PolicyRow = typeof retentionPolicies.$inferSelect;

const HOUR = 3_600_000;

function savedValue(row: PolicyRow | undefined, dataClass: RetentionClass): PolicyValue {
  const info = retentionInfo[dataClass];
  return { enabled: row?.enabled ?? info.defaultEnabled, retainDays: row?.retainDays ?? info.defaultDays };
}

/** The saved value waits until `takes_effect_at`; before that the previous value is in force. */
const pending = (row: PolicyRow | undefined, now: Date) =>
  !!row?.takesEffectAt && row.takesEffectAt.getTime() > now.getTime();

function inForceValue(row: PolicyRow | undefined, dataClass: RetentionClass, now: Date): PolicyValue {
  if (pending(row, now)) return { enabled: row!.previousEnabled!, retainDays: row!.previousRetainDays! };
  return savedValue(row, dataClass);
}

/**
 * Whether `to` deletes something `from` keeps: turning a policy on, or shortening it while it is on. Such a
 * change needs the admin's confirmation and waits out the grace period; anything else is in force at once.
 */
export function isTightening(from: PolicyValue, to: PolicyValue): boolean {
  return to.enabled && (!from.enabled || to.retainDays < from.retainDays);
}

/** The saved policies, with what is in force now (the previous value while a tightening waits). */
export async function getPolicies(db: Db, now = new Date()): Promise<RetentionPolicy[]> {
  const rows = await db.select().from(retentionPolicies);
  return retentionClasses.map((dataClass) => {
    const row = rows.find((r) => r.dataClass === dataClass);
    const info = retentionInfo[dataClass];
    return {
      dataClass,
      label: info.label,
      description: info.description,
      ...savedValue(row, dataClass),
      updatedAt: row?.updatedAt.toISOString() ?? null,
      takesEffectAt: pending(row, now) ? row!.takesEffectAt!.toISOString() : null,
      inForce: inForceValue(row, dataClass, now),
    };
  });
}

/** What the sweep applies at `now`, class by class. */
async function policiesInForce(db: Db, now: Date) {
  return (await getPolicies(db, now)).map((p) => ({ dataClass: p.dataClass, label: p.label, ...p.inForce }));
}

/**
 * Writes a policy that is in force at once, with no confirmation and no grace period: for seeding, tests and
 * benchmarks. Admins go through savePolicy.
 */
export async function setPolicy(db: Db, dataClass: RetentionClass, input: PolicyValue, actorId: string) {
  await db.transaction(async (tx) => {
    await writePolicy(tx, dataClass, input, actorId, null);
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId,
      action: 'retention.policy_set',
      targetType: 'retention_policy',
      targetId: dataClass,
      details: { ...input },
    });
  });
  return (await getPolicies(db)).find((p) => p.dataClass === dataClass)!;
}

async function writePolicy(
  tx: Db,
  dataClass: RetentionClass,
  input: PolicyValue,
  actorId: string,
  wait: { previous: PolicyValue; takesEffectAt: Date } | null,
) {
  const values = {
    enabled: input.enabled,
    retainDays: input.retainDays,
    previousEnabled: wait?.previous.enabled ?? null,
    previousRetainDays: wait?.previous.retainDays ?? null,
    takesEffectAt: wait?.takesEffectAt ?? null,
    updatedByAgentId: actorId,
    updatedAt: new Date(),
  };
  await tx
    .insert(retentionPolicies)
    .values({ dataClass, ...values })
    .onConflictDoUpdate({ target: retentionPolicies.dataClass, set: values });
}

/** The answer to a tightening saved without `confirm: true`: 400, with the dry run of the proposed value. */
export class RetentionConfirmationRequired extends DomainError {
  constructor(readonly proposal: RetentionProposal) {
    const change = proposal.changes[0]!;
    super(
      400,
      'confirmation_required',
      `This value deletes more than the one in force: ${change.count} ${change.count === 1 ? 'item' : 'items'} ` +
        `of ${change.dataClass} would be deleted now. Send confirm: true to save it; deletion starts at ` +
        `${change.takesEffectAt}, and the change can be cancelled until then.`,
    );
  }
}

/**
 * A dry run of proposed values, nothing saved: what a sweep would delete now if they were in force, and per
 * proposed class whether it tightens the value in force and when it would take effect if saved now.
 */
export async function proposeRetention(
  deps: { db: Db; catalog?: PrivacyCatalog },
  proposals: Array<PolicyValue & { dataClass: RetentionClass }>,
  graceHours: number,
  now = new Date(),
): Promise<RetentionProposal> {
  const inForce = await policiesInForce(deps.db, now);
  const overrides: Partial<Record<RetentionClass, PolicyValue>> = {};
  for (const p of proposals) overrides[p.dataClass] = { enabled: p.enabled, retainDays: p.retainDays };
  const preview = await previewRetention(deps, now, overrides);
  return {
    asOf: preview.asOf,
    graceHours,
    classes: preview.classes,
    changes: Object.entries(overrides).map(([dataClass, value]) => {
      const current = inForce.find((p) => p.dataClass === dataClass)!;
      const tightening = isTightening(current, value);
      const row = preview.classes.find((c) => c.dataClass === dataClass)!;
      return {
        dataClass: dataClass as RetentionClass,
        tightening,
        count: row.count,
        held: row.held,
        takesEffectAt: new Date(now.getTime() + (tightening ? graceHours * HOUR : 0)).toISOString(),
      };
    }),
  };
}

/**
 * Saves an admin's value. One that deletes no more than the value in force is in force at once (saving the
 * previous value of a waiting change cancels it). A tightening is refused without `confirm` (400 with the dry
 * run); confirmed, it waits `graceHours`, during which the sweep keeps using the value in force before it.
 */
export async function savePolicy(
  deps: { db: Db; catalog?: PrivacyCatalog },
  dataClass: RetentionClass,
  input: PolicyValue & { confirm?: boolean },
  actorId: string,
  graceHours: number,
  now = new Date(),
): Promise<RetentionPolicy> {
  const value = { enabled: input.enabled, retainDays: input.retainDays };
  const current = (await getPolicies(deps.db, now)).find((p) => p.dataClass === dataClass)!;
  const from = current.inForce;
  let details: Record<string, unknown> = { ...value, from };
  if (!isTightening(from, value)) {
    await deps.db.transaction(async (tx) => {
      await writePolicy(tx, dataClass, value, actorId, null);
      await appendAudit(tx, auditEntry(actorId, 'retention.policy_set', dataClass, details));
    });
  } else {
    const proposal = await proposeRetention(deps, [{ dataClass, ...value }], graceHours, now);
    if (input.confirm !== true) throw new RetentionConfirmationRequired(proposal);
    const change = proposal.changes[0]!;
    details = { ...details, takesEffectAt: change.takesEffectAt, wouldDeleteNow: change.count, held: change.held };
    await deps.db.transaction(async (tx) => {
      await writePolicy(tx, dataClass, value, actorId, {
        previous: from,
        takesEffectAt: new Date(change.takesEffectAt),
      });
      await appendAudit(tx, auditEntry(actorId, 'retention.policy_set', dataClass, details));
    });
  }
  return (await getPolicies(deps.db, now)).find((p) => p.dataClass === dataClass)!;
}

/** Cancels a waiting change: the value in force before it is saved again. 409 when nothing waits. */
export async function cancelPendingPolicy(db: Db, dataClass: RetentionClass, actorId: string, now = new Date()) {
  const current = (await getPolicies(db, now)).find((p) => p.dataClass === dataClass)!;
  if (!current.takesEffectAt) throw conflict('nothing_pending', 'No change of this policy is waiting to take effect');
  await db.transaction(async (tx) => {
    await writePolicy(tx, dataClass, current.inForce, actorId, null);
    await appendAudit(
      tx,
      auditEntry(actorId, 'retention.policy_cancelled', dataClass, {
        cancelled: { enabled: current.enabled, retainDays: current.retainDays },
        restored: current.inForce,
      }),
    );
  });
  return (await getPolicies(db, now)).find((p) => p.dataClass === dataClass)!;
}

/** Puts a waiting change in force now ("apply now"): the next sweep deletes under it. 409 when nothing waits. */
export async function applyPolicyNow(db: Db, dataClass: RetentionClass, actorId: string, now = new Date()) {
  const current = (await getPolicies(db, now)).find((p) => p.dataClass === dataClass)!;
  if (!current.takesEffectAt) throw conflict('nothing_pending', 'No change of this policy is waiting to take effect');
  await db.transaction(async (tx) => {
    await writePolicy(tx, dataClass, current, actorId, null);
    await appendAudit(
      tx,
      auditEntry(actorId, 'retention.policy_applied_now', dataClass, {
        enabled: current.enabled,
        retainDays: current.retainDays,
        from: current.inForce,
        wasDueAt: current.takesEffectAt,
      }),
    );
  });
  return (await getPolicies(db, now)).find((p) => p.dataClass === dataClass)!;
}

const auditEntry = (actorId: string, action: string, dataClass: RetentionClass, details: Record<string, unknown>) => ({
  actorKind: 'agent' as const,
  actorId,
  action,
  targetType: 'retention_policy',
  targetId: dataClass,
  details,
});

/**
 * The deadline a new recording gets from the policy in force at `now` (Twilio voice sets it on creation). `now` is
 * the server's clock, as for the sweep: a tightening still in its grace period does not shorten it yet.
 */
export async function recordingDeleteAfter(db: Db, recordedAt: Date, now: Date): Promise<Date> {
  const policy = (await policiesInForce(db, now)).find((p) => p.dataClass === 'recordings')!;
  const days = policy.enabled ? policy.retainDays : 36_500;
  return new Date(recordedAt.getTime() + days * 86_400_000);
}

// Raw sql templates bind Dates as ISO strings: postgres.js cannot serialize an untyped Date parameter.
const lastActivity = sql`coalesce(
  (select max(${conversations.lastMessageAt}) from ${conversations} where ${conversations.contactId} = ${contacts.id}),
  ${contacts.createdAt})`;

/** The rows of one table a data class removes: which are expired, which of those are held, and how old. */
type ClassQuery = { table: PgTable; id: PgColumn; where: SQL; isHeld: SQL; age: SQL; file?: FileSource };

/**
 * The tables a data class reaches. Files ('attachments') are every catalog column whose file tag names
 * that class, aged by their row's created_at; a row hanging off no conversation is held only through its
 * contact (not possible today, but a catalog entry may say so).
 */
function classQueries(catalog: PrivacyCatalog, dataClass: RetentionClass, cutoff: Date, now: Date): ClassQuery[] {
  switch (dataClass) {
    case 'messages':
      return [
        {
          table: conversations,
          id: conversations.id,
          // Conversations with a recording still kept wait for the recording's own deadline (it must go at the
          // provider too).
          where: and(
            lt(conversations.lastMessageAt, cutoff),
            sql`not exists (select 1 from ${recordings} r
              where r.conversation_id = ${conversations.id} and r.deleted_at is null)`,
          )!,
          isHeld: held(conversations.id, conversations.contactId),
          age: sql`${conversations.lastMessageAt}`,
        },
      ];
    case 'attachments':
      return fileSources(catalog)
        .filter((f) => f.file.retention === 'attachments')
        .map((f) => {
          const createdAt = columnOf(catalog, f.key, 'createdAt');
          const conversation = conversationOf(catalog, f.key);
          return {
            table: f.table,
            id: f.id,
            where: and(lt(createdAt, cutoff), isNotNull(f.column))!,
            isHeld: conversation ? conversationHeld(conversation) : sql`false`,
            age: sql`${createdAt}`,
            file: f,
          };
        });
    case 'recordings':
      return [
        {
          table: recordings,
          id: recordings.id,
          where: and(
            isNull(recordings.deletedAt),
            lt(recordings.deleteAfter, now),
            sql`(${recordings.nextDeletionAttemptAt} is null
              or ${recordings.nextDeletionAttemptAt} <= ${now.toISOString()}::timestamptz)`,
          )!,
          isHeld: conversationHeld(sql`${recordings.conversationId}`),
          age: sql`${recordings.deleteAfter}`,
        },
      ];
    case 'inactive_contacts':
      return [
        {
          table: contacts,
          id: contacts.id,
          where: sql`${lastActivity} < ${cutoff.toISOString()}::timestamptz`,
          isHeld: contactHeld(contacts.id),
          age: lastActivity,
        },
      ];
    case 'bot_logs':
      return [
        {
          table: botDecisions,
          id: botDecisions.id,
          where: lt(botDecisions.createdAt, cutoff),
          isHeld: conversationHeld(sql`${botDecisions.conversationId}`),
          age: sql`${botDecisions.createdAt}`,
        },
      ];
  }
}

/**
 * Dry run: what a sweep would remove now, class by class, under the policies in force (or, for the classes
 * in `overrides`, under proposed values). Nothing is changed.
 */
export async function previewRetention(
  deps: { db: Db; catalog?: PrivacyCatalog },
  now = new Date(),
  overrides: Partial<Record<RetentionClass, PolicyValue>> = {},
): Promise<RetentionPreview> {
  const { db } = deps;
  const catalog = catalogOf(deps);
  const classes: PreviewRow[] = [];
  for (const inForce of await policiesInForce(db, now)) {
    const policy = { ...inForce, ...overrides[inForce.dataClass] };
    const cutoff = new Date(now.getTime() - policy.retainDays * 86_400_000);
    let count = 0;
    let heldCount = 0;
    let oldest: string | null = null;
    for (const q of classQueries(catalog, policy.dataClass, cutoff, now)) {
      const [row] = await db
        .select({
          count: sql<number>`count(*) filter (where not ${q.isHeld})::int`,
          held: sql<number>`count(*) filter (where ${q.isHeld})::int`,
          oldest: sql<string | null>`min(${q.age})::text`,
        })
        .from(q.table)
        .where(q.where);
      count += Number(row!.count);
      heldCount += Number(row!.held);
      const first = row!.oldest ? new Date(row!.oldest).toISOString() : null;
      if (first && (!oldest || first < oldest)) oldest = first;
    }
    classes.push({
      dataClass: policy.dataClass,
      label: policy.label,
      enabled: policy.enabled,
      retainDays: policy.retainDays,
      count: policy.enabled ? count : 0,
      held: policy.enabled ? heldCount : 0,
      oldest: policy.enabled ? oldest : null,
    });
  }
  return { asOf: now.toISOString(), classes, trash: await previewTrash(db, now) };
}

/** The conversations whose time in the trash is over (the sweep purges them whatever the policies say). */
function trashQuery(now: Date): ClassQuery {
  return {
    table: conversations,
    id: conversations.id,
    where: and(
      isNotNull(conversations.deletedAt),
      sql`${conversations.purgeAfter} <= ${now.toISOString()}::timestamptz`,
    )!,
    isHeld: held(conversations.id, conversations.contactId),
    age: sql`${conversations.purgeAfter}`,
  };
}

/** The trash's part of the dry run: conversations due to leave it now, those a hold keeps, the first deleted. */
async function previewTrash(db: Db, now: Date): Promise<PreviewTrash> {
  const q = trashQuery(now);
  const [row] = await db
    .select({
      count: sql<number>`count(*) filter (where not ${q.isHeld})::int`,
      held: sql<number>`count(*) filter (where ${q.isHeld})::int`,
      oldest: sql<string | null>`min(${conversations.deletedAt})::text`,
    })
    .from(conversations)
    .where(q.where);
  return {
    count: Number(row!.count),
    held: Number(row!.held),
    oldest: row!.oldest ? new Date(row!.oldest).toISOString() : null,
  };
}

const SWEEP_LEASE = 'retention-sweep';
const BATCH = 500;

/** Removes everything past its deadline. Returns `skipped` when another server holds the sweep lease. */
export async function sweepRetention(deps: RetentionDeps, now = new Date()): Promise<SweepResult> {
  const zero = () => Object.fromEntries(retentionClasses.map((c) => [c, 0])) as Record<RetentionClass, number>;
  const result = {
    sweptAt: now.toISOString(),
    skipped: false,
    removed: zero(),
    failed: zero(),
    trash: { removed: 0, failed: 0 },
  };
  if (!(await tryAcquireLease(deps.db, SWEEP_LEASE, 5 * 60_000))) return { ...result, skipped: true };
  try {
    // The policies in force: a tightened value waiting out its grace period is not applied yet.
    const policies = (await policiesInForce(deps.db, now)).filter((p) => p.enabled);
    // The trash has no policy to turn off: what agents deleted goes at its purge date (TRASH_RETAIN_DAYS).
    result.trash = await purgeTrash(deps, now);
    for (const policy of policies) {
      const cutoff = new Date(now.getTime() - policy.retainDays * 86_400_000);
      for (const q of classQueries(catalogOf(deps), policy.dataClass, cutoff, now)) {
        const outcome = await sweepQuery(deps, policy.dataClass, q, cutoff);
        result.removed[policy.dataClass] += outcome.removed;
        result.failed[policy.dataClass] += outcome.failed;
      }
    }
    // One entry per sweep that removed or failed anything: counts and the days in force, nothing about anyone.
    // (A sweep with nothing to do writes nothing: one entry a minute would bury the log.)
    const any = (counts: Record<string, number>) => Object.values(counts).some((n) => n > 0);
    const trashed = any(result.trash);
    if (any(result.removed) || any(result.failed) || trashed) {
      await deps.db.transaction((tx) =>
        appendAudit(tx, {
          actorKind: 'system',
          actorId: null,
          action: 'retention.sweep',
          targetType: 'retention',
          targetId: null,
          details: {
            sweptAt: result.sweptAt,
            removed: result.removed,
            failed: result.failed,
            retainDays: Object.fromEntries(policies.map((p) => [p.dataClass, p.retainDays])),
            ...(trashed ? { trash: result.trash } : {}),
          },
        }),
      );
    }
  } finally {
    await releaseLease(deps.db, SWEEP_LEASE);
  }
  return result;
}

async function expiredIds(db: Db, q: ClassQuery, exclude: string[]): Promise<string[]> {
  const rows = await db
    .select({ id: q.id })
    .from(q.table)
    .where(and(q.where, sql`not ${q.isHeld}`, exclude.length ? notInArray(q.id, exclude) : undefined))
    .limit(BATCH);
  return rows.map((r) => String(r.id));
}

/** The blob ids of every file the catalog hangs off these conversations (they go with them). */
async function filesUnderConversations(tx: Db, catalog: PrivacyCatalog, ids: string[]): Promise<string[]> {
  const list = sql`(${sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  )})`;
  const blobIds: string[] = [];
  for (const f of fileSources(catalog)) {
    const under = underCondition(catalog, f.key, 'conversations', list);
    if (!under) continue;
    const rows = await tx
      .select({ blobId: f.column })
      .from(f.table)
      .where(and(under, isNotNull(f.column)));
    for (const r of rows) blobIds.push(String(r.blobId));
  }
  return blobIds;
}

async function sweepQuery(
  deps: RetentionDeps,
  dataClass: RetentionClass,
  q: ClassQuery,
  cutoff: Date,
): Promise<{ removed: number; failed: number }> {
  const { db } = deps;
  const catalog = catalogOf(deps);
  let removed = 0;
  let failed = 0;
  // Ids this sweep leaves behind (failed, or held since they were read): not read again.
  const keptIds: string[] = [];
  for (;;) {
    const ids = await expiredIds(db, q, keptIds);
    if (!ids.length) break;
    if (dataClass === 'recordings') {
      for (const id of ids) {
        try {
          if (await deleteRecording(deps, id, { kind: 'system', id: null }, 'retention')) removed++;
          else {
            failed++;
            keptIds.push(id);
          }
        } catch (err) {
          // Held since the batch was read: kept, and not a failure.
          if (!(err instanceof LegalHoldError)) throw err;
          keptIds.push(id);
        }
      }
      continue;
    }
    if (dataClass === 'inactive_contacts') {
      for (const id of ids) {
        try {
          await eraseContact(deps, id, { kind: 'system', id: null });
          removed++;
        } catch (err) {
          keptIds.push(id);
          if (!(err instanceof LegalHoldError)) failed++;
        }
      }
      continue;
    }
    const blobIds = await db.transaction(async (tx) => {
      // Files deleted here are audited by the database as retention (0035_audit_files_participants.sql).
      await tx.execute(sql`select set_config('audit.process', 'retention', true)`);
      let blobs: string[] = [];
      // Whose data went (ids only), so each person's audit view shows the deletion (issue 21).
      let contactIds: string[] = [];
      if (dataClass === 'messages') {
        // Messages, files and everything else under the conversations go with them (foreign keys cascade).
        blobs = await filesUnderConversations(tx, catalog, ids);
        const gone = await tx
          .delete(conversations)
          .where(inArray(conversations.id, ids))
          .returning({ contactId: conversations.contactId });
        contactIds = gone.map((c) => c.contactId);
      } else if (q.file) {
        const { file } = q;
        if (file.table === attachments)
          contactIds = (
            await tx
              .selectDistinct({ contactId: conversations.contactId })
              .from(attachments)
              .innerJoin(messages, eq(messages.id, attachments.messageId))
              .innerJoin(conversations, eq(conversations.id, messages.conversationId))
              .where(inArray(attachments.id, ids))
          ).map((c) => c.contactId);
        blobs = (await tx.delete(file.table).where(inArray(file.id, ids)).returning({ blobId: file.column })).map((r) =>
          String(r.blobId),
        );
      } else {
        await tx.delete(botDecisions).where(inArray(botDecisions.id, ids));
      }
      await appendAudit(tx, {
        actorKind: 'system',
        actorId: null,
        action: 'retention.swept',
        targetType: dataClass,
        targetId: null,
        details: {
          count: ids.length,
          cutoff: cutoff.toISOString(),
          contactIds: [...new Set(contactIds)],
          fields: [dataClass],
        },
      });
      return blobs;
    });
    for (const blobId of blobIds) await deps.blobs.delete(blobId);
    removed += ids.length;
  }
  return { removed, failed };
}

/**
 * Purges the conversations whose time in the trash is over, as thoroughly as the 'messages' class: their recordings
 * at the provider first (one the provider keeps keeps its conversation in the trash, retried at the next sweep),
 * then the rows (messages, attachments, participants... by cascade, and with them the search words and mention
 * digits, which are columns of the messages) and their files. Held conversations wait for their hold.
 */
async function purgeTrash(deps: RetentionDeps, now: Date): Promise<{ removed: number; failed: number }> {
  const { db } = deps;
  const query = trashQuery(now);
  const due = query.where;
  let removed = 0;
  let failed = 0;
  const keptIds: string[] = [];
  for (;;) {
    const ids = await expiredIds(db, query, keptIds);
    if (!ids.length) break;
    const ready: string[] = [];
    for (const id of ids) {
      if (await recordingsDeleted(deps, id)) ready.push(id);
      else {
        failed++;
        keptIds.push(id);
      }
    }
    if (!ready.length) continue;
    const blobIds = await db.transaction(async (tx) => {
      // Rows the database audits itself (files, participants) name retention as what removed them.
      await tx.execute(sql`select set_config('audit.process', 'retention', true)`);
      // Still due, and locked: an admin's restore since the batch was read wins, or waits for this purge.
      const locked = (
        await tx
          .select({ id: conversations.id })
          .from(conversations)
          .where(and(inArray(conversations.id, ready), due))
          .for('update')
      ).map((r) => r.id);
      keptIds.push(...ready.filter((id) => !locked.includes(id)));
      if (!locked.length) return [];
      const blobs = await filesUnderConversations(tx, catalogOf(deps), locked);
      const gone = await tx
        .delete(conversations)
        .where(inArray(conversations.id, locked))
        .returning({ id: conversations.id, contactId: conversations.contactId });
      removed += gone.length;
      if (gone.length)
        await appendAudit(tx, {
          actorKind: 'system',
          actorId: null,
          action: 'retention.swept',
          targetType: 'trash',
          targetId: null,
          details: {
            count: gone.length,
            purgedAt: now.toISOString(),
            contactIds: [...new Set(gone.map((g) => g.contactId))],
            fields: ['trash'],
          },
        });
      return blobs;
    });
    for (const blobId of blobIds) await deps.blobs.delete(blobId);
  }
  return { removed, failed };
}

/** Deletes every recording of a trashed conversation, at the provider too; false when one of them stays. */
async function recordingsDeleted(deps: RetentionDeps, conversationId: string): Promise<boolean> {
  const kept = await deps.db
    .select({ id: recordings.id })
    .from(recordings)
    .where(and(eq(recordings.conversationId, conversationId), isNull(recordings.deletedAt)));
  let all = true;
  for (const { id } of kept) {
    try {
      if (!(await deleteRecording(deps, id, { kind: 'system', id: null }, 'retention'))) all = false;
    } catch (err) {
      if (!(err instanceof LegalHoldError)) throw err;
      all = false;
    }
  }
  return all;
}

/**
 * Deletes one recording at the provider, then locally; one audit entry per deletion. A provider 404
 * counts as deleted; other failures are retried with backoff (1, 2, 4 ... hours) and stay visible to admins.
 * Throws LegalHoldError (409 legal_hold) while a legal hold binds the recording's conversation or contact.
 */
export async function deleteRecording(
  deps: Pick<RetentionDeps, 'db' | 'blobs' | 'recordingProviders'>,
  recordingId: string,
  actor: { kind: 'agent' | 'system'; id: string | null },
  reason: 'retention' | 'agent',
) {
  const { db } = deps;
  const [rec] = await db.select().from(recordings).where(eq(recordings.id, recordingId));
  if (!rec || rec.deletedAt) return true;
  // Before the provider is asked: a held recording is not deleted anywhere, by an agent or by a schedule.
  await assertNotHeld(db, { recordingId }, 'Deleting a recording');
  try {
    const outcome = await deleteAtProvider(deps.recordingProviders, rec.provider, rec.providerSid);
    await db.transaction(async (tx) => {
      await tx
        .update(recordings)
        .set({
          deletedAt: new Date(),
          blobId: null,
          lastDeletionError: null,
          nextDeletionAttemptAt: null,
          deletionAttempts: rec.deletionAttempts + 1,
        })
        .where(eq(recordings.id, recordingId));
      await appendAudit(tx, {
        actorKind: actor.kind,
        actorId: actor.id,
        action: 'recording.deleted',
        targetType: 'recording',
        targetId: recordingId,
        details: { reason, provider: rec.provider, atProvider: outcome },
      });
    });
    if (rec.blobId) await deps.blobs.delete(rec.blobId);
    return true;
  } catch (err) {
    const attempts = rec.deletionAttempts + 1;
    await db
      .update(recordings)
      .set({
        deletionAttempts: attempts,
        lastDeletionError: (err as Error).message.slice(0, 200),
        nextDeletionAttemptAt: new Date(Date.now() + 3_600_000 * 2 ** Math.min(attempts - 1, 6)),
      })
      .where(eq(recordings.id, recordingId));
    return false;
  }
}
