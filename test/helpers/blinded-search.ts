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

/**
 * For the ingest benchmark: every message written from now on gets its blinded index entries computed by the
 * database in the statement that writes it (a trigger holding the bench's pads stands in for the parameters the
 * writers pass, the same functions at the same moment), so a run measures what the blinded index costs ingest.
 */
export async function blindMessageIndexOnWrite(db: Db, blinding: SearchBlinding): Promise<void> {
  await blindMessageIndex(db, blinding);
  const pad = (b: Buffer) => sql.raw(`'\\x${b.toString('hex')}'::bytea`);
  await db.execute(sql`create function bench_blind_message_index() returns trigger language plpgsql as $$
    begin
      new.search_vector := blind_search_document(new.language, new.body, new.html, ${pad(blinding.ipad)},
        ${pad(blinding.opad)});
      new.mention_tokens := blind_mention_tokens(new.body, new.html, ${pad(blinding.ipad)}, ${pad(blinding.opad)});
      return new;
    end $$`);
  await db.execute(sql`create trigger bench_blind_message_index before insert or update of body, html, language
    on messages for each row execute function bench_blind_message_index()`);
}
