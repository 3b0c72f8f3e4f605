import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../../server/db/client.ts';
import { mentionTokensOf } from '../../server/domain/message-store.ts';
import type { TextTokens } from '../../server/domain/search-tokens.ts';

/**
 * Turns a database's message index into the blinded form (server/domain/search-tokens.ts, as the writers of sealed
 * text compute it) for the tests and the benchmarks that compare it with the plain one, with the rows' text left in
 * plaintext: search_vector (a stored column since migration 0042) and mention_tokens are rewritten from the rows'
 * current text. The trigger that keeps plaintext rows' plain words is dropped, so a plaintext write keeps what the
 * helper below computes. Rows are rewritten in batches of 2,000 (the benchmark's database holds a million).
 */
export async function blindMessageIndex(db: Db, tokens: TextTokens): Promise<void> {
  // The digits index of the plain text (migration 0015) would keep every digit of every message: the tokens replace it.
  await db.execute(sql`drop index if exists messages_mention_digits`);
  await db.execute(sql`drop trigger if exists messages_plain_search_vector on messages`);
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = rowsOf<{ id: string; language: string | null; body: string; html: string | null }>(
      await db.execute(sql`select id, language, body, html from messages where id > ${after}::uuid
        order by id limit 2000`),
    );
    if (!rows.length) return;
    const values = rows.map(
      (r) =>
        sql`(${r.id}::uuid, ${tokens.document(r.language, r.body, r.html)}::tsvector,
          ${tokens.mentionTokens(r.body, r.html).join(' ')}::text)`,
    );
    await db.execute(sql`update messages m set search_vector = v.search_vector,
        mention_tokens = ${mentionTokensOf(sql.raw('v.mention_tokens'))}
      from (values ${sql.join(values, sql`, `)}) as v(id, search_vector, mention_tokens) where m.id = v.id`);
    after = rows.at(-1)!.id;
  }
}
