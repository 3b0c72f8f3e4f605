import type { SQL } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import { messages } from '../../drizzle/schema/index.ts';
import { openMessageTexts, type TextKeys } from '../../server/domain/message-text.ts';

/**
 * Messages as stored, with their text opened: the writers store body and HTML sealed (issue 22), so a test that
 * checks what was stored reads the rows and opens them as every reader does (server/domain/message-text.ts) before
 * it looks at the words. `where` narrows the rows in SQL; text conditions are for the caller, in JS.
 */
export async function openedMessages(db: Db, keys: TextKeys, where?: SQL) {
  const rows = await db.select().from(messages).where(where);
  return openMessageTexts(keys, rows);
}
