import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, type Database } from '../../server/db/client.ts';
import { searchBlinding } from '../../server/domain/search-blind.ts';
import { withPhrasePairs } from '../../server/domain/search-phrases.ts';
import { textTokens, websearchQuery } from '../../server/domain/search-tokens.ts';
import { blindIndexFromKey } from '../../server/security/blind-index.ts';
import { dbMode, testDatabase } from '../helpers/db.ts';
import { emailInbox, seedConversation } from '../helpers/search-seed.ts';

/**
 * The blinded document computed in the server (search-tokens.ts) against the one PostgreSQL computes
 * (blind_search_document(), migration 0040): for support texts in the five languages, every query the search box
 * builds today (websearch_to_tsquery per configuration, word pairs, tokens) matches the same messages, and the
 * phone-number mention tokens are the same set. Where the two tokenizers split differently (an email address, a
 * decimal number, a hyphenated word: PostgreSQL keeps them whole, the server splits them into words) the query side
 * must split the same way: the last test pins what differs today.
 */
const TEXTS: Array<{ locale: string; texts: string[]; html?: string }> = [
  {
    locale: 'en',
    texts: ['My zanzibarite gadget broke after a week.', 'Refunds were promised twice, where is my order?'],
  },
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
  'where is my order',
  'rückerstattung',
  'Bestellung',
  '"gadget broke"',
  '"broke gadget"',
  'écran',
  'quinoxal',
  'colis abîmé',
  'tilaus',
  'tilaukseni -myöhässä',
  'batteriet or zanzibarite',
  '88231',
  'backslash',
  "it's",
  'nothing-here',
];

describe(`the blinded document computed in the server on ${dbMode}`, () => {
  let database: Database;
  const index = blindIndexFromKey(randomBytes(32));
  const blinding = searchBlinding(index);
  const tokens = textTokens(index);

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

  /** The seeded messages; `words` leaves out those with a signed number (last test), which PostgreSQL keeps signed. */
  const messagesWithText = async (which: 'all' | 'words' = 'words') =>
    rowsOf<{ id: string; language: string | null; body: string; html: string | null }>(
      await database.db.execute(sql`select id, language, body, html from messages where kind <> 'event' order by id`),
    ).filter((m) => which === 'all' || !SIGNED.test(m.body));

  /** Today's query side: websearch_to_tsquery in every configuration, OR'd, with word pairs, as tokens. */
  async function blindedQuery(text: string): Promise<string | null> {
    const [q] = rowsOf<{ q: string | null }>(
      await database.db.execute(
        sql`select string_agg('(' || websearch_to_tsquery(cfg::regconfig, ${text})::text || ')', ' | ') as q
          from unnest(array['simple', 'english', 'german', 'french', 'finnish', 'swedish']) as cfg
          where websearch_to_tsquery(cfg::regconfig, ${text})::text <> ''`,
      ),
    );
    return q?.q ? blinding.query(withPhrasePairs(q.q)) : null;
  }

  it('holds every lexeme, as a token, that PostgreSQL computes for the same text', async () => {
    for (const m of await messagesWithText()) {
      const [row] = rowsOf<{ sql: string[]; js: string[] }>(
        await database.db.execute(sql`select
          tsvector_to_array(blind_search_document(${m.language}, ${m.body}, ${m.html},
            ${blinding.ipad}, ${blinding.opad})) as sql,
          tsvector_to_array(${tokens.document(m.language, m.body, m.html)}::tsvector) as js`),
      );
      // Every lexeme PostgreSQL indexes is there; the server adds the stems of stop words (German "meine" → "mein"),
      // which a stemming configuration leaves out and no query it builds asks for.
      const js = new Set(row!.js);
      expect(
        row!.sql.filter((t) => !js.has(t)),
        m.body,
      ).toEqual([]);
      expect(js.size - row!.sql.length, m.body).toBeLessThanOrEqual(3);
    }
  });

  it("matches the same messages as PostgreSQL's blinded document for today's queries", async () => {
    const rows = await messagesWithText();
    for (const text of QUERIES) {
      const query = await blindedQuery(text);
      if (!query) continue;
      const matched = async (document: (m: (typeof rows)[number]) => string) => {
        const ids: string[] = [];
        for (const m of rows) {
          const [r] = rowsOf<{ hit: boolean }>(
            await database.db.execute(sql`select ${document(m)}::tsvector @@ ${query}::tsquery as hit`),
          );
          if (r!.hit) ids.push(m.id);
        }
        return ids;
      };
      const bySql = rowsOf<{ id: string }>(
        await database.db.execute(sql`select id from messages where kind <> 'event' and body !~ ${SIGNED.source}
          and blind_search_document(language, body, html, ${blinding.ipad}, ${blinding.opad}) @@ ${query}::tsquery
          order by id`),
      ).map((r) => r.id);
      expect(await matched((m) => tokens.document(m.language, m.body, m.html)), text).toEqual(bySql);
      if (['zanzibarite', 'refund', '"gadget broke"', 'colis abîmé', 'batteriet or zanzibarite'].includes(text))
        expect(bySql.length, text).toBeGreaterThan(0);
    }
  });

  it('gives the same phone-number mention tokens', async () => {
    for (const m of await messagesWithText('all')) {
      const [row] = rowsOf<{ t: string[] }>(
        await database.db.execute(
          sql`select blind_mention_tokens(${m.body}, ${m.html}, ${blinding.ipad}, ${blinding.opad}) as t`,
        ),
      );
      expect(new Set(tokens.mentionTokens(m.body, m.html)), m.body).toEqual(new Set(row!.t));
    }
  });

  it('splits what PostgreSQL keeps whole: the query side must then split the same way', async () => {
    const [row] = rowsOf<{ sql: string[] }>(
      await database.db.execute(sql`select
        tsvector_to_array(blind_search_document('en', ${TRICKY}, null,
          ${blinding.ipad}, ${blinding.opad})) as sql`),
    );
    const js = new Set(tsvectorTokens(tokens.document('en', TRICKY, null)));
    for (const whole of ['john.doe@example.com', 'e-mail', '12.50', '+49', '-9131']) {
      expect(row!.sql).toContain(blinding.token(whole));
      expect(js.has(blinding.token(whole))).toBe(false);
    }
    for (const part of ['john', 'doe', 'example', 'com', 'e', '12', '50', '49', '9131'])
      expect(js.has(blinding.token(part))).toBe(true);
  });

  it('finds by the server-split query what PostgreSQL keeps whole (address, hyphenated word, price, +49)', async () => {
    const literal = tokens.document('en', TRICKY, null);
    const hits = async (typed: string) => {
      const own = websearchQuery(typed);
      if (!own) return false;
      const [r] = rowsOf<{ hit: boolean }>(
        await database.db.execute(
          sql`select ${literal}::tsvector @@ ${blinding.query(withPhrasePairs(own))}::tsquery as hit`,
        ),
      );
      return r!.hit;
    };
    for (const typed of ['john.doe@example.com', 'e-mail', '"the e-mail"', '12.50', '+49', '0154-9131', 'mails'])
      expect(await hits(typed), typed).toBe(true);
    for (const typed of ['jane.doe@example.com', '12.51', '"mail about e"', 'mail -e-mail'])
      expect(await hits(typed), typed).toBe(false);
  });
});

/** A number after + or - (a country code, the second group of 0154-9131): PostgreSQL's parser keeps the sign. */
const SIGNED = /[+-][0-9]/;
const TRICKY = 'mail john.doe@example.com about the e-mail, 12.50 EUR, call +49 or 0154-9131';
const tsvectorTokens = (literal: string) => [...literal.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
