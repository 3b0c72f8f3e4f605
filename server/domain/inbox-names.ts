import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import { piiPolicyOf, type PiiPolicy } from '../privacy/pii/policy.ts';

/**
 * Inbox names (and PII policies) change rarely and are read on every ingest, to build event payloads and to
 * redact on arrival; a short-lived cache keeps that read off the hot path while changes on another server still
 * take effect within a minute (at once on the server that made them: `forget`).
 */
export function createInboxNameCache(db: Db, ttlMs = 60_000) {
  const cache = new Map<string, { name: string; pii: PiiPolicy; at: number }>();
  async function load(id: string) {
    const hit = cache.get(id);
    if (hit && Date.now() - hit.at < ttlMs) return hit;
    const [row] = await db
      .select({ name: inboxes.name, pii: inboxes.settings })
      .from(inboxes)
      .where(eq(inboxes.id, id));
    if (!row) return undefined;
    const entry = { name: row.name, pii: piiPolicyOf(row.pii), at: Date.now() };
    cache.set(id, entry);
    return entry;
  }
  return {
    async get(id: string): Promise<string | undefined> {
      return (await load(id))?.name;
    },
    /** The inbox's PII policy (server/privacy/pii/policy.ts); undefined when there is no such inbox. */
    async piiPolicy(id: string): Promise<PiiPolicy | undefined> {
      return (await load(id))?.pii;
    },
    forget(id: string) {
      cache.delete(id);
    },
  };
}
export type InboxNameCache = ReturnType<typeof createInboxNameCache>;
