import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { instanceSettings } from '../../drizzle/schema/index.ts';
import { appendAudit } from '../privacy/audit.ts';

/**
 * The trash's restore window: TRASH_RETAIN_DAYS is the default, an admin's choice on the Privacy page overrides it.
 * Stored in instance_settings (shared by every server process, read on each use, so a change is in force everywhere
 * at once). A new window applies to conversations deleted from then on: one already in the trash keeps the purge date
 * its deletion was confirmed with (the date its delete dialog, the trash list and the person's export show).
 */
const KEY = 'trash.retain_days';
export const TRASH_WINDOW_MIN = 1;
export const TRASH_WINDOW_MAX = 365;

export type TrashWindowValue = { retainDays: number; defaultDays: number; custom: boolean };

/** Days a conversation deleted now stays in the trash. */
export async function trashWindow(db: Db, defaultDays: number): Promise<TrashWindowValue> {
  const [row] = await db
    .select({ value: instanceSettings.value })
    .from(instanceSettings)
    .where(eq(instanceSettings.key, KEY));
  const stored = row ? Number(row.value) : NaN;
  const valid = Number.isInteger(stored) && stored >= TRASH_WINDOW_MIN && stored <= TRASH_WINDOW_MAX;
  return { retainDays: valid ? stored : defaultDays, defaultDays, custom: valid };
}

/** An admin sets the window (the route's schema holds it within 1–365 days); one audit entry with both values. */
export async function setTrashWindow(
  db: Db,
  retainDays: number,
  adminId: string,
  defaultDays: number,
): Promise<TrashWindowValue> {
  return db.transaction(async (tx) => {
    const before = await trashWindow(tx, defaultDays);
    await tx
      .insert(instanceSettings)
      .values({ key: KEY, value: String(retainDays) })
      .onConflictDoUpdate({ target: instanceSettings.key, set: { value: String(retainDays) } });
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId: adminId,
      action: 'trash.window_set',
      targetType: 'trash',
      targetId: null,
      details: { from: before.retainDays, to: retainDays },
    });
    return { retainDays, defaultDays, custom: true };
  });
}
