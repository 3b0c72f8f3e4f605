/**
 * npm run bench:botlang: the bot in five languages and agent assist (issue 16 items 5 and 7), on the path the
 * server runs (bot/language.ts detection -> bot/language-bots.ts -> the policy), printing figures only.
 *
 * 1. Language detection (ELD, the detector the server uses) on short support messages: our 500 evaluation
 *    questions (test/fixtures/bot-languages.ts), the demo KB's 360 example questions and 20 one-word
 *    greetings; accuracy and p50/p95 per call.
 * 2. Per language, the demo KB (server/demo/kb.ts, all five languages loaded as the demo seeds them) against
 *    our 50 in-scope and 50 off-topic questions per language: answer precision (right answers / answers, over
 *    both sets), in-scope coverage and off-topic recall (share handed off), at the server's threshold; and
 *    the same with one index over all languages (what the server did before) for comparison.
 * 3. Agent assist: top-1 and top-3 hit rate of the KB suggestions on a held-out part of the training data
 *    (Banking77 train.csv from ../shared/data, stratified 80/20, seed 77 as in bench:bot: the 80 % are the
 *    KB's example questions, one article per intent; the 20 % are the customers' last messages).
 *
 * Options: --embedder hybrid|lexical|use-lite (default: BOT_EMBEDDER or hybrid, the server's default),
 * --head served|nearest-neighbour|softmax (default served: bot/served-bots.ts, exactly what the server builds),
 * --threshold auto|N (default auto: each index's recommended threshold, as the server), --near-share auto|S
 * (default auto: bot/kb.ts nearShare by KB size), --skip-assist,
 * --csv-train FILE (assist data).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { flags } from './lib.ts';
import { createEmbedder, embedderConfigFromEnv, type EmbedderKind } from '../../bot/embedders/index.ts';
import { createLanguageBots, ENGLISH_ONLY_EMBEDDERS } from '../../bot/language-bots.ts';
import { createBot } from '../../bot/bot.ts';
import { conversationLanguage, detectLanguage } from '../../bot/language.ts';
import { readLabeledCsv, stratifiedSplit } from '../../bot/eval/datasets.ts';
import { DEMO_LANGUAGES, demoKb } from '../../server/demo/kb.ts';
import { buildServedBots } from '../../bot/served-bots.ts';
import type { KbArticle } from '../../bot/kb.ts';
import { LANGUAGE_EVAL } from '../fixtures/bot-languages.ts';

const SHARED = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/data');
const args = flags(
  {
    embedder: process.env.BOT_EMBEDDER ?? 'hybrid',
    head: 'served',
    threshold: 'auto',
    'near-share': 'auto',
    'skip-assist': false,
    'csv-train': join(SHARED, 'banking77/train.csv'),
  },
  'usage: npm run bench:botlang -- [--embedder hybrid|lexical|use-lite] [--head served|nearest-neighbour|softmax] ' +
    '[--threshold auto|0.9] [--near-share auto|0.5] [--skip-assist] [--csv-train FILE]',
);
/** One table row: cells padded to the widths of the header's cells. */
const row = (widths: number[], ...cells: Array<string | number>) =>
  console.log(cells.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join(' | '));
const header = (...cells: string[]) => {
  console.log(cells.join(' | '));
  return cells.map((c) => c.length);
};
const pct = (a: number, b: number) => (b === 0 ? '  n/a' : ((100 * a) / b).toFixed(1).padStart(5));
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

console.log(
  `bench:botlang  embedder=${args.embedder} head=${args.head} threshold=${args.threshold} ` +
    `near-share=${args['near-share']}  load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
);

// 1. Language detection.
{
  const GREETINGS: Array<[string, string]> = [
    ['en', 'hi'],
    ['en', 'hello'],
    ['en', 'thanks'],
    ['en', 'refund please'],
    ['de', 'hallo'],
    ['de', 'danke'],
    ['de', 'rücksendung'],
    ['de', 'wo ist mein paket'],
    ['fr', 'bonjour'],
    ['fr', 'merci'],
    ['fr', 'remboursement'],
    ['fr', 'où est mon colis'],
    ['fi', 'hei'],
    ['fi', 'kiitos'],
    ['fi', 'palautus'],
    ['fi', 'missä pakettini on'],
    ['sv', 'hej'],
    ['sv', 'tack'],
    ['sv', 'återbetalning'],
    ['sv', 'var är mitt paket'],
  ];
  const sets: Record<string, Array<[string, string]>> = {
    'evaluation questions': DEMO_LANGUAGES.flatMap((l) => [
      ...LANGUAGE_EVAL[l].inScope.map(([, q]) => [l, q] as [string, string]),
      ...LANGUAGE_EVAL[l].offTopic.map((q) => [l, q] as [string, string]),
    ]),
    'KB example questions': demoKb.flatMap((a) => a.questions.map((q) => [a.language, q] as [string, string])),
    'one-word greetings': GREETINGS,
  };
  console.log('\n1. Language detection (eld 2.1.0, large n-gram set, all 60 languages)');
  const widths = header(
    'set                   ',
    'n  ',
    'chars',
    'right %',
    'en / de / fr / fi / sv %          ',
    'reliable %',
    'p50 / p95 ms',
  );
  for (const [name, items] of Object.entries(sets)) {
    const times: number[] = [];
    let right = 0;
    let reliable = 0;
    const per: Record<string, [number, number]> = {};
    for (const [lang, text] of items) {
      const t0 = performance.now();
      const d = detectLanguage(text);
      times.push(performance.now() - t0);
      per[lang] ??= [0, 0];
      per[lang][1]++;
      if (d.language === lang) {
        right++;
        per[lang][0]++;
      }
      if (d.reliable) reliable++;
    }
    const chars = items.reduce((s, [, t]) => s + t.length, 0) / items.length;
    row(
      widths,
      name,
      items.length,
      chars.toFixed(1),
      pct(right, items.length),
      DEMO_LANGUAGES.map((l) => pct(...(per[l] ?? [0, 0]))).join(' /'),
      pct(reliable, items.length),
      `${percentile(times, 0.5).toFixed(3)} / ${percentile(times, 0.95).toFixed(3)}`,
    );
  }
  console.log("(an unreliable detection falls back to the conversation's earlier language, then the KB's first)");
}

// 2. Precision and off-topic recall per language.
const embedder = await createEmbedder({ ...embedderConfigFromEnv(process.env), kind: args.embedder as EmbedderKind });
// As the server (server/bot/runner.ts): other languages than English on the lexical features alone when the
// encoder is English-only.
const lexical = ENGLISH_ONLY_EMBEDDERS.includes(args.embedder)
  ? await createEmbedder({ ...embedderConfigFromEnv(process.env), kind: 'lexical' })
  : embedder;
const embedderFor = (language: string) => (language === 'en' ? embedder : lexical);
const served = args.head === 'served';
const index = served ? {} : { head: args.head as 'nearest-neighbour' | 'softmax' };
const policy = args.threshold === 'auto' ? {} : { threshold: Number(args.threshold) };
/** The bots under measurement: the server's own build, or an older head for comparison. */
const languageBots = (kb: KbArticle[]) =>
  served
    ? buildServedBots({
        embedder,
        otherLanguages: lexical,
        articles: kb,
        policy,
        ...(args['near-share'] === 'auto' ? {} : { nearShare: Number(args['near-share']) }),
      })
    : createLanguageBots({ embedder, embedderFor, articles: kb, policy, index });
const articles = demoKb.map((a) => ({ ...a, id: `${a.key}/${a.language}` }));
const fresh = { status: 'bot' as const, assigneeId: null, turns: [] };
{
  const started = performance.now();
  const routed = await languageBots(articles);
  const mixed = await createBot({ embedder, articles, policy, index });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`\n2. Demo KB (${articles.length} articles, 5 languages), our 50 in-scope + 50 off-topic questions`);
  const thresholds = routed.languages.map((l) => `${l} ${routed.bot(l)!.policy.threshold.toFixed(2)}`).join(', ');
  console.log(`   per language, threshold ${policy.threshold ?? thresholds} (built in ${seconds} s)`);
  const widths = header(
    'language',
    'path                     ',
    'precision %',
    'in-scope answered right %',
    'in-scope coverage %',
    'off-topic recall %',
    'p95 ms',
  );
  const pathName = (path: 'routed' | 'mixed') =>
    path === 'routed' ? 'by language (server)' : 'one index, one embedder';
  const totals = { routed: [0, 0, 0, 0, 0, 0], mixed: [0, 0, 0, 0, 0, 0] };
  for (const language of DEMO_LANGUAGES) {
    for (const path of ['routed', 'mixed'] as const) {
      let answers = 0;
      let right = 0;
      let inScopeAnswered = 0;
      let offHanded = 0;
      const times: number[] = [];
      const { inScope, offTopic } = LANGUAGE_EVAL[language];
      const run = async (text: string) => {
        const t0 = performance.now();
        const d =
          path === 'routed'
            ? await routed.decide(fresh, text, conversationLanguage([text], routed.languages[0] ?? null))
            : await mixed.decide(fresh, text);
        times.push(performance.now() - t0);
        return d;
      };
      for (const [key, q] of inScope) {
        const d = await run(q);
        if (d.action !== 'answer') continue;
        answers++;
        inScopeAnswered++;
        if (d.articleId === `${key}/${language}`) right++;
      }
      for (const q of offTopic) {
        const d = await run(q);
        if (d.action === 'answer') answers++;
        else offHanded++;
      }
      const t = totals[path];
      [t[0], t[1], t[2], t[3], t[4], t[5]] = [
        t[0]! + answers,
        t[1]! + right,
        t[2]! + inScopeAnswered,
        t[3]! + offHanded,
        t[4]! + inScope.length,
        t[5]! + offTopic.length,
      ];
      row(
        widths,
        language,
        pathName(path),
        pct(right, answers),
        pct(right, inScope.length),
        pct(inScopeAnswered, inScope.length),
        pct(offHanded, offTopic.length),
        percentile(times, 0.95).toFixed(1),
      );
    }
  }
  for (const path of ['routed', 'mixed'] as const) {
    const t = totals[path];
    row(widths, 'all', pathName(path), pct(t[1]!, t[0]!), pct(t[1]!, t[4]!), pct(t[2]!, t[4]!), pct(t[3]!, t[5]!), '');
  }
}

// 3. Agent assist: top-3 hit rate on held-out training data.
if (!args['skip-assist']) {
  if (!existsSync(args['csv-train'])) console.log(`\n3. Agent assist: ${args['csv-train']} not found, skipped`);
  else {
    const { train, heldOut } = stratifiedSplit(readLabeledCsv(args['csv-train']), 0.2, 77);
    const byIntent = new Map<string, string[]>();
    for (const e of train) byIntent.set(e.label, [...(byIntent.get(e.label) ?? []), e.text]);
    const kb = [...byIntent].map(([label, questions]) => ({
      id: label,
      title: label.replace(/_/g, ' '),
      language: 'en',
      questions,
    }));
    const t0 = performance.now();
    const bots = await languageBots(kb);
    const built = (performance.now() - t0) / 1000;
    const bot = bots.bot('en')!;
    let top1 = 0;
    let top3 = 0;
    const times: number[] = [];
    for (const e of heldOut) {
      const s = performance.now();
      const { candidates } = await bot.index.match(e.text);
      times.push(performance.now() - s);
      if (candidates[0]?.articleId === e.label) top1++;
      if (candidates.slice(0, 3).some((c) => c.articleId === e.label)) top3++;
    }
    console.log('\n3. Agent assist suggestions (Banking77 train.csv, stratified 80/20, seed 77):');
    console.log(`   ${kb.length} articles from ${train.length} questions, ${heldOut.length} held-out last messages`);
    console.log(`   (index built in ${built.toFixed(1)} s)`);
    const [p50, p95] = [percentile(times, 0.5).toFixed(1), percentile(times, 0.95).toFixed(1)];
    console.log(`top-1 hit ${pct(top1, heldOut.length)} %   top-3 hit ${pct(top3, heldOut.length)} %`);
    console.log(`match p50 / p95 ${p50} / ${p95} ms`);
  }
}
console.log(`\nRSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
await embedder.dispose?.();
