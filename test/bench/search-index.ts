/**
 * What a message's search index entries cost PostgreSQL to compute, plain and blinded (issue 22,
 * server/domain/search-blind.ts, migration 0040): CPU per message of search_document() beside
 * blind_search_document(), and of mention_digits() beside blind_mention_tokens(), over the same texts (chat lines of
 * 3-60 support words, a fifth with a phone number, a third with an HTML copy). Each expression is computed over all
 * texts in one statement, --repeat times; the fastest counts (the least disturbed by other jobs). The index
 * maintenance (GIN) is not in these figures: bench:ingest --blinded measures the whole write. Prints; asserts nothing.
 *
 *   npm run bench:searchindex -- [--texts 20000] [--repeat 5]
 */
import postgres from 'postgres';
import { openDatabase } from '../../server/db/client.ts';
import { searchBlinding } from '../../server/domain/search-blind.ts';
import { blindIndexFromKey } from '../../server/security/blind-index.ts';
import { textTokens } from '../../server/domain/search-tokens.ts';
import { flags, freshDatabase, machineLine, prng, table } from './lib.ts';

const USAGE = `usage: npm run bench:searchindex -- [options]
  --texts N    texts computed per repetition (default 20000)
  --repeat N   repetitions of each expression; the fastest counts (default 5)`;

const opts = flags({ texts: 20_000, repeat: 5 }, USAGE);

const WORDS = (
  'hello thanks order delivery invoice account password reset login error page payment refund subscription plan ' +
  'upgrade cancel help please when where how why status tracking number issue problem works again still cannot ' +
  'find the a to of and for with my your is it not today yesterday parcel arrived broken screen battery warranty'
).split(' ');
const LANGUAGES = ['en', 'de', 'fi', 'sv', 'fr', null];

async function main() {
  console.log(`bench:searchindex: ${opts.texts} texts, fastest of ${opts.repeat}`);
  console.log(machineLine());
  const fresh = await freshDatabase('bench_search_index');
  const database = await openDatabase({ databaseUrl: fresh.url, poolSize: 1 });
  const sql = postgres(fresh.url, { max: 1, onnotice: () => {} });
  try {
    const random = prng(22);
    const pick = () => WORDS[Math.floor(random() * WORDS.length)]!;
    const rows = Array.from({ length: opts.texts }, () => {
      const words = Array.from({ length: 3 + Math.floor(random() ** 2 * 57) }, pick);
      if (random() < 0.2) words.splice(Math.floor(random() * words.length), 0, 'call', '+49 154 9131 5660');
      const body = words.join(' ');
      return {
        language: LANGUAGES[Math.floor(random() * LANGUAGES.length)] ?? null,
        body,
        html: random() < 0.33 ? `<p>${body}</p>` : null,
      };
    });
    await sql`create table texts (language text, body text not null, html text)`;
    for (let i = 0; i < rows.length; i += 5_000) await sql`insert into texts ${sql(rows.slice(i, i + 5_000))}`;
    await sql`analyze texts`;
    const { ipad, opad } = searchBlinding(blindIndexFromKey(Buffer.alloc(32, 7)));
    const [lexemes] = await sql`select avg(length(search_document(language, body, html)))::float as n from texts`;

    const expressions: Array<[string, string]> = [
      ['search_document (plain words, stems, pairs)', `search_document(language, body, html)::text`],
      ['blind_search_document (the same, as tokens)', `blind_search_document(language, body, html, $1, $2)::text`],
      ['mention_digits (plain digits)', `mention_digits(body, html)`],
      ['blind_mention_tokens (digit suffixes as tokens)', `blind_mention_tokens(body, html, $1, $2)::text`],
    ];
    const results: Array<Array<string | number>> = [];
    for (const [name, expression] of expressions) {
      let best = Infinity;
      for (let r = 0; r < opts.repeat; r++) {
        const t = performance.now();
        await sql.unsafe(
          `select sum(octet_length(${expression})) from texts`,
          expression.includes('$1') ? [ipad, opad] : [],
        );
        best = Math.min(best, (performance.now() - t) * 1000);
      }
      results.push([name, (best / opts.texts).toFixed(1)]);
    }
    // The same document computed in the server (search-tokens.ts): its CPU here, then PostgreSQL's parse of the
    // literal it sends (the only part left to the database).
    const tokens = textTokens(blindIndexFromKey(Buffer.alloc(32, 7)));
    let jsBest = Infinity;
    let literals: string[] = [];
    for (let r = 0; r < opts.repeat; r++) {
      const t = process.cpuUsage();
      literals = rows.map((row) => tokens.document(row.language, row.body, row.html));
      const used = process.cpuUsage(t);
      jsBest = Math.min(jsBest, used.user + used.system);
    }
    await sql`drop table if exists texts_js`;
    await sql`create table texts_js (literal text not null)`;
    for (let i = 0; i < literals.length; i += 5_000)
      await sql`insert into texts_js ${sql(literals.slice(i, i + 5_000).map((literal) => ({ literal })))}`;
    let parseBest = Infinity;
    for (let r = 0; r < opts.repeat; r++) {
      const t = performance.now();
      await sql.unsafe(`select sum(length(literal::tsvector)) from texts_js`);
      parseBest = Math.min(parseBest, (performance.now() - t) * 1000);
    }
    const [jsLexemes] = await sql`select avg(length(literal::tsvector))::float as n from texts_js`;
    results.push(['textTokens.document() in the server (CPU)', (jsBest / opts.texts).toFixed(1)]);
    results.push(['its literal::tsvector in PostgreSQL', (parseBest / opts.texts).toFixed(1)]);
    console.log(
      `lexemes per text (plain vector): ${Number(lexemes!.n).toFixed(1)}; ` +
        `server-computed: ${Number(jsLexemes!.n).toFixed(1)}`,
    );
    console.log(table(['expression', 'µs per text'], results));
  } finally {
    await sql.end();
    await database.close();
    await fresh.drop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
