import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, type Database } from '../../server/db/client.ts';
import { searchConversations, type SearchHit } from '../../server/domain/search.ts';
import { searchBlinding } from '../../server/domain/search-blind.ts';
import { withPhrasePairs } from '../../server/domain/search-phrases.ts';
import { textTokens, websearchQuery } from '../../server/domain/search-tokens.ts';
import { blindIndexFromKey } from '../../server/security/blind-index.ts';
import { messageMentionCondition } from '../../server/privacy/mention-index.ts';
import { mentionMatcher } from '../../server/privacy/mentions.ts';
import { findMentions } from '../../server/privacy/person-mentions.ts';
import { messages } from '../../drizzle/schema/index.ts';
import { blindMessageIndex } from '../helpers/blinded-search.ts';
import { dbMode, testDatabase } from '../helpers/db.ts';
import { emailInbox, seedConversation } from '../helpers/search-seed.ts';
import { testDataKeys } from '../helpers/data-keys.ts';

/**
 * The blinded message index (migration 0040, server/domain/search-blind.ts) finds exactly what the plain one finds:
 * the same words, stems, phrases and phone numbers give the same hits, while the stored vector holds no word.
 */
const TEXTS: Array<{ locale: string; texts: string[]; html?: string }> = [
  { locale: 'en', texts: ['My zanzibarite gadget broke after a week.', 'Refunds were promised twice'] },
  {
    locale: 'de',
    texts: ['Die Rückerstattungen für meine Bestellung fehlen noch', 'Bitte rufen Sie +49 154 9131 5660 an'],
  },
  { locale: 'fi', texts: ['Tilaukseni on myöhässä, soita 0154-9131-5660 tai (040) 1234567'] },
  {
    locale: 'fr',
    texts: ["L'écran est cassé, merci de m'aider"],
    html: '<p>Le <b>colis</b>&nbsp;quinoxal est arrivé <i>abîmé</i></p>',
  },
  { locale: 'sv', texts: ['Order 88231 från förra veckan: batteriet är trasigt', "a back\\slash and it's quoted"] },
];

const QUERIES = [
  'zanzibarite',
  'refund',
  'rückerstattung',
  'Bestellung',
  '"gadget broke"',
  '"broke gadget"',
  'écran',
  'quinoxal',
  'colis abîmé',
  'tilaus',
  '88231',
  '0154 91315660',
  '+4915491315660',
  '040 1234567',
  'backslash',
  "it's",
  'nothing-here',
];

/** Whole words and phone numbers (a prefix such as "zanzib" is found by the plain index only). */
const MENTIONS = ['zanzibarite', 'Rückerstattungen', 'quinoxal', '+49 154 9131 5660', '0154 9131 5660', 'person'];

const shape = (hits: SearchHit[]) =>
  hits.map((h) => ({ id: h.conversation.id, matchedIn: h.matchedIn, messageId: h.messageId, snippet: h.snippet }));

describe(`the blinded message index on ${dbMode}`, () => {
  let database: Database;
  const index = blindIndexFromKey(randomBytes(32));
  const blinding = searchBlinding(index);
  const viewer = randomUUID();
  const search = (text: string, blinded: boolean) =>
    searchConversations(database.db, testDataKeys(), {
      text,
      filters: {},
      inboxIds: null,
      viewerAgentId: viewer,
      limit: 20,
      ...(blinded ? { blinding } : {}),
    });

  beforeAll(async () => {
    database = await testDatabase();
    const db = database.db;
    const inbox = await emailInbox(db, 'Support');
    for (const [i, t] of TEXTS.entries()) {
      const seeded = await seedConversation(
        db,
        inbox,
        { name: `Person ${i}`, email: `person.${i}@example.test`, phone: `+3584000000${i}`, locale: t.locale },
        { at: new Date(Date.UTC(2026, 0, 1 + i)), texts: t.texts },
      );
      await db.execute(sql`update messages set language = ${t.locale}, html = ${t.html ?? null}
        where conversation_id = ${seeded.conversationId}::uuid`);
    }
  }, 120_000);

  afterAll(async () => {
    await database?.close();
  });

  it('computes in SQL the tokens computed in JS', async () => {
    const lexemes = ['refund', 'rückerstatt', "it's", 'back\\slash', 'gadget broke', ' long', '日本語'];
    for (const lexeme of lexemes) {
      const [row] = rowsOf<{ t: string }>(
        await database.db.execute(sql`select search_token(${lexeme}, ${blinding.ipad}, ${blinding.opad}) as t`),
      );
      expect(row!.t).toBe(blinding.token(lexeme));
    }
    const [digits] = rowsOf<{ t: string[] }>(
      await database.db.execute(
        sql`select blind_mention_tokens('call (0154) 9131-5660 today', null, ${blinding.ipad}, ${blinding.opad}) as t`,
      ),
    );
    expect(digits!.t).toContain(blinding.digitsToken('15491315660'));
    expect(digits!.t).toContain(blinding.digitsToken('015491315660'));
    expect(digits!.t).not.toContain(blinding.digitsToken('549131'));
  });

  it('matches the same messages as the plain vector, query by query', async () => {
    const tokens = textTokens(index);
    const rows = rowsOf<{ id: string; language: string | null; body: string; html: string | null }>(
      await database.db.execute(sql`select id, language, body, html from messages order by id`),
    );
    for (const text of QUERIES) {
      const [q] = rowsOf<{ q: string | null }>(
        await database.db.execute(
          sql`select string_agg('(' || websearch_to_tsquery(cfg::regconfig, ${text})::text || ')', ' | ') as q
            from unnest(array['simple', 'english', 'german', 'french', 'finnish', 'swedish']) as cfg
            where websearch_to_tsquery(cfg::regconfig, ${text})::text <> ''`,
        ),
      );
      const own = websearchQuery(text);
      expect(own === null, text).toBe(!q?.q);
      if (!q?.q || !own) continue;
      const plain = rowsOf<{ id: string }>(
        await database.db.execute(
          sql`select id from messages where search_vector @@ ${withPhrasePairs(q.q)}::tsquery order by id`,
        ),
      ).map((r) => r.id);
      // The served path: the document and the query both split in the server, as tokens.
      const query = blinding.query(withPhrasePairs(own));
      const blinded: string[] = [];
      for (const r of rows) {
        const [hit] = rowsOf<{ hit: boolean }>(
          await database.db.execute(
            sql`select ${tokens.document(r.language, r.body, r.html)}::tsvector @@ ${query}::tsquery as hit`,
          ),
        );
        if (hit!.hit) blinded.push(r.id);
      }
      expect(blinded, text).toEqual(plain);
    }
  });

  it('gives the search box and erasure the same hits once the index is blinded, and it holds no word', async () => {
    const before = new Map<string, ReturnType<typeof shape>>();
    for (const text of QUERIES) before.set(text, shape(await search(text, false)));
    const mentioned = async (blinded: boolean) => {
      const found: unknown[] = [];
      for (const q of MENTIONS)
        found.push(await findMentions(database.db, testDataKeys(), q, blinded ? blinding : undefined));
      const condition = messageMentionCondition(
        messages.searchVector,
        messages.body,
        messages.html,
        mentionMatcher({ name: 'Quinoxal Colis', email: null, phone: '+4915491315660' }, []),
        blinded ? blinding : undefined,
      );
      const candidates = await database.db.select({ id: messages.id }).from(messages).where(condition!);
      return { found, candidates: candidates.map((c) => c.id).sort() };
    };
    const mentionsBefore = await mentioned(false);
    expect(mentionsBefore.candidates).toHaveLength(3);
    expect((mentionsBefore.found[0] as { total: number }).total).toBe(1);
    expect(before.get('zanzibarite')).toHaveLength(1);
    expect(before.get('"broke gadget"')).toEqual([]);
    expect(before.get('0154 91315660')).toHaveLength(2);

    await blindMessageIndex(database.db, textTokens(index));
    for (const text of QUERIES) expect(shape(await search(text, true)), text).toEqual(before.get(text));
    expect(await mentioned(true)).toEqual(mentionsBefore);

    const stored = rowsOf<{ v: string; d: string[] }>(
      await database.db.execute(sql`select search_vector::text as v, mention_tokens as d from messages`),
    );
    const dump = JSON.stringify(stored);
    for (const word of ['zanzibarite', 'quinoxal', 'gadget', 'rückerstatt', '5660', '88231'])
      expect(dump).not.toContain(word);
    expect(stored.every((r) => r.v.length > 0)).toBe(true);
    expect(stored.filter((r) => r.d.length > 0)).toHaveLength(2);
  });

  it('asks for plain words only while a plaintext message remains (migration 0048)', async () => {
    // One row indexed by a plain word, as a row from before the switch is: found while plaintext rows remain.
    const [row] = rowsOf<{ id: string }>(
      await database.db.execute(sql`select id from messages where body not like '%zanzibarite%' limit 1`),
    );
    await database.db.execute(
      sql`update messages set search_vector = to_tsvector('simple', 'plainonlyword') where id = ${row!.id}::uuid`,
    );
    expect(await search('plainonlyword', true)).toHaveLength(1);
    // Every body stored sealed (the prefix is all the check reads): the plain half is left out of the query, so the
    // plain word no longer matches, and the tokens still find what they found.
    await database.db.execute(sql`update messages set body = 'pdk:v1:' || body`);
    expect(await search('plainonlyword', true)).toEqual([]);
    expect(await search('zanzibarite', true)).toHaveLength(1);
  });

  it("keeps a long message's word index in its row, where the search's walk reads it (migration 0050)", async () => {
    // The walk checks the newest conversations' vectors one by one; a vector moved to the TOAST table (over 2 kB,
    // as 28 % of blinded vectors were) cost a fetch each. The column's storage is what keeps them in the row.
    const [column] = rowsOf<{ storage: string }>(
      await database.db.execute(sql`select attstorage as storage from pg_attribute
        where attrelid = 'messages'::regclass and attname = 'search_vector'`),
    );
    expect(column!.storage).toBe('m');
  });
});
