/**
 * npm run bench:demokb: does the demo bot answer what its knowledge base covers? The served bots built exactly
 * as the server builds them (bot/served-bots.ts: one index per language, English on the hybrid embedder and
 * the other languages on the lexical one, each with its own recommended threshold) from the demo KB
 * (server/demo/kb.ts), asked the held-out questions of test/fixtures/demo-kb-heldout.ts: per language 72
 * questions the KB covers (8 per article, none of them a KB example) and 15 it does not.
 *
 * Per language it prints the threshold, coverage (held-out covered questions answered), answer precision
 * (answered with the right article, of those answered), how many of the 15 uncovered questions got an answer
 * (each a wrong one), the precision of all answers counting those (the uncovered questions are 17 % of the
 * set, near the 18 % off-topic mix the threshold is calibrated for), and how many messages the language
 * detector would route to another language's bot.
 * Questions go to their own language's bot, so the figures are of the knowledge base, not of the detector.
 *
 * Options: --embedder hybrid|lexical|use-lite (the server's BOT_EMBEDDER; default hybrid), --threshold auto|N
 * (auto: each index's recommended threshold, as the server), --sweep (coverage and precision per language at
 * thresholds 0.5-0.95 as well, to see what the threshold rule costs), --list (every miss and wrong answer).
 */
import { loadavg } from 'node:os';
import { flags } from './lib.ts';
import { createEmbedder, embedderConfigFromEnv, type EmbedderKind } from '../../bot/embedders/index.ts';
import { ENGLISH_ONLY_EMBEDDERS } from '../../bot/language-bots.ts';
import { buildServedBots } from '../../bot/served-bots.ts';
import { conversationLanguage } from '../../bot/language.ts';
import { DEMO_LANGUAGES, demoKb } from '../../server/demo/kb.ts';
import { DEMO_ARTICLE_KEYS, DEMO_KB_HELDOUT } from '../fixtures/demo-kb-heldout.ts';

const args = flags(
  { embedder: process.env.BOT_EMBEDDER ?? 'hybrid', threshold: 'auto', sweep: false, list: false },
  'usage: npm run bench:demokb -- [--embedder hybrid|lexical|use-lite] [--threshold auto|0.9] [--sweep] [--list]',
);
const pct = (a: number, b: number) => (b === 0 ? '  n/a' : ((100 * a) / b).toFixed(1).padStart(5));
const normalize = (q: string) =>
  q
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

// Held-out means held out: a held-out question that is also a KB example would measure recall, not answers.
const kbExamples = new Set(demoKb.flatMap((a) => a.questions.map(normalize)));
const copied = DEMO_LANGUAGES.flatMap((l) =>
  Object.values(DEMO_KB_HELDOUT[l].inKb)
    .flat()
    .concat(DEMO_KB_HELDOUT[l].offTopic)
    .filter((q) => kbExamples.has(normalize(q))),
);
if (copied.length > 0) {
  console.error(`held-out questions that are KB examples: ${copied.join(' | ')}`);
  process.exit(1);
}

console.log(
  `bench:demokb  embedder=${args.embedder} threshold=${args.threshold}  load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const config = { ...embedderConfigFromEnv(process.env), kind: args.embedder as EmbedderKind };
const embedder = await createEmbedder(config);
const lexical = ENGLISH_ONLY_EMBEDDERS.includes(args.embedder)
  ? await createEmbedder({ ...config, kind: 'lexical' })
  : embedder;
const started = performance.now();
const bots = await buildServedBots({
  embedder,
  otherLanguages: lexical,
  articles: demoKb.map((a) => ({ ...a, id: a.key })),
  policy: args.threshold === 'auto' ? {} : { threshold: Number(args.threshold) },
});
const perArticle = DEMO_KB_HELDOUT.en.inKb.shipping.length;
const questionCounts = DEMO_LANGUAGES.map((l) => demoKb.filter((a) => a.language === l))
  .map((as) => as.reduce((n, a) => n + a.questions.length, 0) / as.length)
  .map((n) => n.toFixed(1));
console.log(
  `demo KB: ${DEMO_ARTICLE_KEYS.length} articles x ${DEMO_LANGUAGES.length} languages, example questions per ` +
    `article ${DEMO_LANGUAGES.map((l, i) => `${l} ${questionCounts[i]}`).join(', ')}; ` +
    `built in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
console.log(
  `held-out: ${perArticle} covered questions per article and language (${perArticle * DEMO_ARTICLE_KEYS.length} ` +
    `per language), ${DEMO_KB_HELDOUT.en.offTopic.length} uncovered per language\n`,
);

type Scored = { key: string | null; text: string; best: string | null; score: number; similarity: number };
const fresh = { status: 'bot' as const, assigneeId: null, turns: [] };
const columns = [
  'language',
  'threshold',
  'coverage %     ',
  'precision %    ',
  'uncovered answered',
  'precision, all answers %',
  'routed elsewhere',
];
const line = (cells: string[]) => console.log(cells.map((c, i) => c.padEnd(columns[i]!.length)).join(' | '));
line(columns);
line(columns.map((c) => '-'.repeat(c.length)));
const totals = { answered: 0, right: 0, covered: 0, offAnswered: 0, offTotal: 0, elsewhere: 0 };
const scoredBy: Record<string, Scored[]> = {};
for (const language of DEMO_LANGUAGES) {
  const bot = bots.bot(language)!;
  const { inKb, offTopic } = DEMO_KB_HELDOUT[language];
  const items = [
    ...DEMO_ARTICLE_KEYS.flatMap((key) => inKb[key].map((text) => ({ key: key as string | null, text }))),
    ...offTopic.map((text) => ({ key: null, text })),
  ];
  let answered = 0;
  let right = 0;
  let offAnswered = 0;
  let elsewhere = 0;
  const scored: Scored[] = [];
  for (const { key, text } of items) {
    if (conversationLanguage([text], null) !== language) elsewhere++;
    const d = await bots.decide(fresh, text, language);
    const match = await bot.index.match(text);
    const best = match.candidates[0];
    scored.push({
      key,
      text,
      best: best?.articleId ?? null,
      score: best && (match.similarity ?? 1) >= (match.floor ?? 0) ? best.score : -1,
      similarity: match.similarity ?? 1,
    });
    const answer = d.action === 'answer' ? d.articleId : null;
    if (key === null) {
      if (answer) offAnswered++;
      if (answer && args.list) console.log(`  ${language} uncovered answered ${answer}: ${text}`);
      continue;
    }
    if (answer) answered++;
    if (answer === key) right++;
    if (args.list && answer !== key)
      console.log(
        `  ${language} ${key} ${answer ? `answered ${answer}` : 'handed off'} (${best?.articleId} ` +
          `${best?.score.toFixed(2)} sim ${match.similarity?.toFixed(2)}): ${text}`,
      );
  }
  scoredBy[language] = scored;
  const covered = items.length - offTopic.length;
  totals.answered += answered;
  totals.right += right;
  totals.covered += covered;
  totals.offAnswered += offAnswered;
  totals.offTotal += offTopic.length;
  totals.elsewhere += elsewhere;
  line([
    language,
    bot.policy.threshold.toFixed(2),
    `${pct(answered, covered)} (${answered}/${covered})`,
    `${pct(right, answered)} (${right}/${answered})`,
    `${offAnswered} of ${offTopic.length}`,
    pct(right, answered + offAnswered),
    `${elsewhere} of ${items.length}`,
  ]);
}
const { answered, right, covered, offAnswered, offTotal, elsewhere } = totals;
line([
  'all',
  '',
  `${pct(answered, covered)} (${answered}/${covered})`,
  `${pct(right, answered)} (${right}/${answered})`,
  `${offAnswered} of ${offTotal}`,
  pct(right, answered + offAnswered),
  `${elsewhere} of ${covered + offTotal}`,
]);

if (args.sweep) {
  const thresholds = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95];
  console.log('\nAt a fixed threshold (coverage % / precision, all answers % / uncovered answered):');
  console.log(`language | ${thresholds.map((t) => t.toFixed(2).padEnd(16)).join(' | ')}`);
  for (const language of DEMO_LANGUAGES) {
    const cells = thresholds.map((t) => {
      const s = scoredBy[language]!;
      const inKb = s.filter((x) => x.key !== null);
      const ans = inKb.filter((x) => x.score >= t);
      const ok = ans.filter((x) => x.best === x.key).length;
      const off = s.filter((x) => x.key === null && x.score >= t).length;
      return `${pct(ans.length, inKb.length)}/${pct(ok, ans.length + off)}/${String(off).padStart(2)}`;
    });
    console.log(`${language.padEnd(8)} | ${cells.join(' | ')}`);
  }
}
await embedder.dispose?.();
