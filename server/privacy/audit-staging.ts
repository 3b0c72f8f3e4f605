import type { Db } from '../db/client.ts';
import { auditStaged } from '../../drizzle/schema/index.ts';
import { sealStagedEntries } from './audit.ts';

/** How often the server seals what ingest staged; every audit append and the contact audit view seal too. */
export const SEAL_INTERVAL_MS = 1_000;

/**
 * Moves the audit entries ingest staged (audit_staged, written inside its group-commit statement, where the
 * chain's lock would serialize every ingest statement) into the hash chain, oldest first, each with the time of
 * its change. They are removed in the transaction that chains them, under the chain's lock, so none is chained
 * twice and a crash loses none. Returns how many were sealed.
 */
export async function sealStagedAudit(db: Db): Promise<number> {
  // Cheap when nothing waits (the common case between messages): no transaction, no chain lock.
  if ((await db.select({ id: auditStaged.id }).from(auditStaged).limit(1)).length === 0) return 0;
  return db.transaction((tx) => sealStagedEntries(tx));
}
