import { sql } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import type { SearchBlinding } from '../../server/domain/search-blind.ts';

/**
 * Turns a database's message index into the blinded form (migration 0040's functions, server/domain/search-blind.ts)
 * for the tests and the benchmarks that compare it with the plain one: search_vector becomes a stored column of keyed
 * tokens and mention_tokens holds the digit runs' tokens, both GIN-indexed, computed from the rows' current text.
 * The live schema still computes the plain vector; this is the rewrite the switch to encrypted bodies will make.
 */
export async function blindMessageIndex(db: Db, blinding: SearchBlinding): Promise<void> {
  const { ipad, opad } = blinding;
  await db.execute(sql`alter table messages drop column search_vector`);
  await db.execute(sql`alter table messages add column search_vector tsvector,
    add column mention_tokens text[] not null default '{}'`);
  await db.execute(sql`update messages set
    search_vector = blind_search_document(language, body, html, ${ipad}, ${opad}),
    mention_tokens = blind_mention_tokens(body, html, ${ipad}, ${opad})`);
  await db.execute(sql`create index messages_search_vector on messages using gin (search_vector)`);
  await db.execute(sql`create index messages_mention_tokens on messages using gin (mention_tokens)`);
}
