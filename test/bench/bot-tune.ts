/**
 * Head tuning on dev splits of TRAINING data only (never the held-out Banking77 part, never CLINC val):
 *   banking77-dev: the bench's --dev split (80/20 of our 80 % training part, seed 77 + 1000);
 *   clinc-dev:     80/20 of CLINC150 train (seed 77 + 1000) with oos_train halved: one half calibrates,
 *                  the other is scored as the dev out-of-scope set.
 * USE lite vectors come from the bench's disk cache (--cache-dir), so only heads are trained here.
 *   npx tsx test/bench/bot-tune.ts --cache-dir DIR --datasets banking77-dev,clinc-dev --variants base,ens [--off-topic]
 * (DIR: the one given to npm run bench:bot -- --cache-dir DIR, or any; variants also as JSON in BOT_TUNE_VARIANTS)
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type IntentClassifier, holdOut, rank } from '../../bot/classifier.ts';
import { HybridEmbedder } from '../../bot/embedders/hybrid.ts';
import { LexicalEmbedder } from '../../bot/embedders/lexical.ts';
import { embedAsSparse } from '../../bot/embedders/types.ts';
import { UseLiteEmbedder } from '../../bot/embedders/use-lite.ts';
import { CachedEmbedder } from '../../bot/eval/embedding-cache.ts';
import { type Example, readClincJson, readLabeledCsv, stratifiedSplit } from '../../bot/eval/datasets.ts';
import { type Outcome, figuresAt, thresholdForPrecision } from '../../bot/eval/metrics.ts';
import { trainHead, type HeadConfig } from '../../bot/heads.ts';

const SHARED = resolve(import.meta.dirname, '../../../shared/data');
const { values: args } = parseArgs({
  options: {
    'cache-dir': { type: 'string', default: join(tmpdir(), 'bench-bot-cache') },
    variants: { type: 'string', default: 'base' },
    datasets: { type: 'string', default: 'banking77-dev' },
    seed: { type: 'string', default: '77' },
    quick: { type: 'boolean', default: false },
    'off-topic': { type: 'boolean', default: false },
    'cross-fit': { type: 'boolean', default: false },
  },
});
const seed = Number(args.seed);

interface Dev {
  name: string;
  train: Example[];
  test: Example[];
  oosCal: Example[];
  oosTest: Example[];
}

function datasets(): Dev[] {
  const out: Dev[] = [];
  const names = args.datasets!.split(',');
  if (names.includes('banking77-dev')) {
    const all = readLabeledCsv(resolve(SHARED, 'banking77/train.csv'));
    const dev = stratifiedSplit(stratifiedSplit(all, 0.2, seed).train, 0.2, seed + 1000);
    out.push({ name: 'banking77-dev', train: dev.train, test: dev.heldOut, oosCal: [], oosTest: [] });
  }
  if (names.includes('clinc-dev')) {
    const clinc = readClincJson(resolve(SHARED, 'clinc150/train_val.json'));
    const dev = stratifiedSplit(clinc.train, 0.2, seed + 1000);
    const oos = clinc.oos_train;
    out.push({
      name: 'clinc-dev',
      train: dev.train,
      test: dev.heldOut,
      oosCal: oos.filter((_, i) => i % 2 === 0),
      oosTest: oos.filter((_, i) => i % 2 === 1),
    });
  }
  return out;
}

// Named variants: each a head configuration (bot/heads.ts).
const VARIANTS: Record<string, HeadConfig> = JSON.parse(process.env.BOT_TUNE_VARIANTS ?? '{}');
const BUILTIN: Record<string, HeadConfig> = {
  base: { kind: 'concat' },
  ens: { kind: 'ensemble', members: [{ part: 'encoder' }, { part: 'lexical' }] },
  ens3: { kind: 'ensemble', members: [{ part: 'encoder' }, { part: 'lexical' }, { part: 'all' }] },
};

const use = new CachedEmbedder(new UseLiteEmbedder(), args['cache-dir']!);
let loaded = false;
const hybrid = new HybridEmbedder([
  { embedder: use, weight: 0.5 },
  { embedder: new LexicalEmbedder(JSON.parse(process.env.BOT_TUNE_LEXICAL ?? '{}')), weight: 0.5 },
]);

const pct = (x: number | null) => (x === null ? '–' : (x * 100).toFixed(2));

for (const d of datasets()) {
  if (!loaded) {
    await new UseLiteEmbedder().load();
    loaded = true;
  }
  const classes = [...new Set(d.train.map((e) => e.label))].sort();
  const labelOf = new Map(classes.map((c, i) => [c, i]));
  const trainLabels = d.train.map((e) => labelOf.get(e.label)!);
  const testLabels = d.test.map((e) => labelOf.get(e.label) ?? -1);
  const adapted = hybrid.adapt(d.train.map((e) => e.text));
  const embed = (ex: Example[]) =>
    embedAsSparse(
      adapted,
      ex.map((e) => e.text),
    );
  const [trainV, testV, oosCalV, oosTestV] = [
    await embed(d.train),
    await embed(d.test),
    await embed(d.oosCal),
    await embed(d.oosTest),
  ];
  const heldOut = holdOut(trainLabels, 0.1, seed);
  for (const name of args.variants!.split(',')) {
    const config = VARIANTS[name] ?? BUILTIN[name];
    if (!config) throw new Error(`unknown variant ${name}`);
    const t = performance.now();
    const { classifier, probes } = trainHead(trainV, trainLabels, classes.length, adapted, config, {
      heldOut: args.quick ? [] : heldOut,
      softmax: { seed },
      ...(args['off-topic'] ? { offTopic: oosCalV, crossFit: args['cross-fit'] } : {}),
    });
    const outcome = (clf: IntentClassifier, v: (typeof trainV)[number], label: number | null): Outcome => {
      const [top] = rank(clf.scores(v), 1);
      return { confidence: top!.score, correct: label !== null && top!.label === label, inScope: label !== null };
    };
    const cal = (probes.length ? probes : [{ probe: classifier, offTopicHeldOut: [] }]).flatMap(
      ({ probe, offTopicHeldOut }) => [
        ...heldOut.map((i) => outcome(probe, trainV[i]!, trainLabels[i]!)),
        ...(args['off-topic'] ? offTopicHeldOut : oosCalV).map((v) => outcome(probe, v, null)),
      ],
    );
    const threshold = thresholdForPrecision(cal, 0.97);
    const test = [
      ...testV.map((v, i) => outcome(classifier, v, testLabels[i]!)),
      ...oosTestV.map((v) => outcome(classifier, v, null)),
    ];
    const f = figuresAt(test, threshold);
    console.log(
      `${d.name} ${name}: acc ${pct(f.accuracy)} | at thr ${f.threshold.toFixed(3)}: ` +
        `in-scope ${pct(f.inScopeAccuracy)} oos-recall ${pct(f.oosRecall)} ` +
        `prec ${pct(f.precision)} cov ${pct(f.coverage)} | ` +
        `${((performance.now() - t) / 1000).toFixed(0)} s  ${JSON.stringify(config)}`,
    );
  }
}
process.exit(0);
