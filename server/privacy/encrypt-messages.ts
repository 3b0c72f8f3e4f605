import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { DataKeys } from '../security/data-keys.ts';
import { DATA_PREFIX } from '../security/data-keys.ts';
import { conversations, messages } from '../../drizzle/schema/index.ts';
import { mentionTokensOf, sealTexts, textTokensOf } from '../domain/message-store.ts';

/**
 * The `messages` stage of `npm run privacy:encrypt-existing` (issue 22): message text stored before the switch is
 * sealed with the data key of its conversation's contact, and its index entries rewritten as keyed tokens, in one
 * statement per batch. Resumable and safe while servers run: rows are taken by id, a row already sealed is skipped,
 * and a row whose text changed since it was read (a redaction meanwhile) is left for the next run.
 */
const BATCH = 200;

const PLAIN = sql`${messages.body} not like ${`${DATA_PREFIX}%`}`;

export async function plainMessageCount(db: Db): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(messages)
    .where(PLAIN);
  return Number(row?.n ?? 0);
}

export async function encryptMessages(
  { db, dataKeys }: { db: Db; dataKeys: DataKeys },
  onProgress: (done: number, total: number) => void,
): Promise<number> {
  const total = await plainMessageCount(db);
  const tokens = await textTokensOf(dataKeys);
  let encrypted = 0;
  onProgress(0, total);
  let after: string | null = null;
  for (;;) {
    const batch: Array<{ id: string; contactId: string; body: string; html: string | null; language: string | null }> =
      await db
        .select({
          id: messages.id,
          contactId: conversations.contactId,
          body: messages.body,
          html: messages.html,
          language: messages.language,
        })
        .from(messages)
        .innerJoin(conversations, eq(conversations.id, messages.conversationId))
        .where(and(PLAIN, after ? gt(messages.id, after) : undefined))
        .orderBy(asc(messages.id))
        .limit(BATCH);
    if (batch.length === 0) break;
    const sealed = await sealTexts(dataKeys, batch);
    const rows = batch.map((m, i) => {
      const document = tokens.document(m.language, m.body, m.html);
      const mentions = tokens.mentionTokens(m.body, m.html).join(' ');
      return sql`(${m.id}::uuid, ${sealed[i]!.body}::text, ${sealed[i]!.html}::text, ${m.body}::text, ${m.html}::text,
          ${document}::tsvector, ${mentions}::text)`;
    });
    // The plaintext is a parameter of this statement only to check that the row did not change since it was read;
    // the index entries are the tokens computed here.
    await db.execute(sql`update messages m set body = v.body, html = v.html,
        search_vector = v.search_vector, mention_tokens = ${mentionTokensOf(sql.raw('v.mention_tokens'))}
      from (values ${sql.join(rows, sql`, `)})
        as v(id, body, html, plain_body, plain_html, search_vector, mention_tokens)
      where m.id = v.id and m.body = v.plain_body and m.html is not distinct from v.plain_html`);
    encrypted += batch.length;
    onProgress(encrypted, total);
    after = batch.at(-1)!.id;
  }
  return encrypted;
}
