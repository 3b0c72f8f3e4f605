import { sql } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import type { SearchBlinding } from '../../server/domain/search-blind.ts';

/**
 * Turns a database's message index into the blinded form (migration 0040's functions, server/domain/search-blind.ts)
 * for the tests and the benchmarks that compare it with the plain one, with the rows' text left in plaintext:
 * search_vector (a stored column since migration 0042) and mention_tokens are rewritten from the rows' current text,
 * as the writers of sealed text compute them. The trigger that keeps plaintext rows' plain words is dropped, so a
 * plaintext write keeps what the helper below computes.
 */
export async function blindMessageIndex(db: Db, blinding: SearchBlinding): Promise<void> {
  const { ipad, opad } = blinding;
  // The digits index of the plain text (migration 0015) would keep every digit of every message: the tokens replace it.
  await db.execute(sql`drop index if exists messages_mention_digits`);
  await db.execute(sql`drop trigger if exists messages_plain_search_vector on messages`);
  await db.execute(sql`update messages set
    search_vector = blind_search_document(language, body, html, ${ipad}, ${opad}),
    mention_tokens = blind_mention_tokens(body, html, ${ipad}, ${opad})`);
}
