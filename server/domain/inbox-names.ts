import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { inboxes } from '../../drizzle/schema/index.ts';

/**
 * Inbox names change rarely and are read on every ingest to build event payloads; a short-lived
 * cache keeps that read off the hot path while renames on another server still show within a minute.
 */
export function createInboxNameCache(db: Db, ttlMs = 60_000) {
  const cache = new Map<string, { name: string; at: number }>();
  return {
    async get(id: string): Promise<string | undefined> {
      const hit = cache.get(id);
      if (hit && Date.now() - hit.at < ttlMs) return hit.name;
      const [row] = await db.select({ name: inboxes.name }).from(inboxes).where(eq(inboxes.id, id));
      if (row) cache.set(id, { name: row.name, at: Date.now() });
      return row?.name;
    },
    forget(id: string) {
      cache.delete(id);
    },
  };
}
export type InboxNameCache = ReturnType<typeof createInboxNameCache>;
