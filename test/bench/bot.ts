/**
 * npm run bench:bot — the bot's quality and cost on public data, per embedder and classifier head.
 *
 * Banking77: a stratified 80/20 split (seed 77) of ../shared/data/banking77/train.csv, or --csv-train /
 * --csv-test files (text,category). CLINC150: train on "train", score "val" (or --clinc-split test) plus
 * "oos_val"; the threshold is chosen on a held-out 10 % of train plus "oos_train" (--clinc FILE for
 * another CLINC-style JSON). Each configuration runs in its own process so its memory is its own.
 * Prints a markdown table (paste it into bot/README.md); --out FILE also writes the raw JSON.
 */
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { SoftmaxOptions } from '../../bot/classifier.ts';
import { HybridEmbedder } from '../../bot/embedders/hybrid.ts';
import { DEFAULT_ENCODER_WEIGHT } from '../../bot/embedders/index.ts';
import { LexicalEmbedder } from '../../bot/embedders/lexical.ts';
import { TransformersEmbedder } from '../../bot/embedders/transformers.ts';
import type { Embedder } from '../../bot/embedders/types.ts';
import { UseLiteTfjsEmbedder } from '../../bot/embedders/use-lite-tfjs.ts';
import { UseLiteEmbedder } from '../../bot/embedders/use-lite.ts';
import { CachedEmbedder } from '../../bot/eval/embedding-cache.ts';
import { clincNegatives } from './clinc-negatives.ts';
import { type Example, readClincJson, readLabeledCsv, stratifiedSplit } from '../../bot/eval/datasets.ts';
import { type DatasetResult, type DatasetSpec, evaluateDataset, evaluateServed } from '../../bot/eval/evaluate.ts';
import { offTopicExamples } from '../../bot/off-topic.ts';
import type { Bot } from '../../bot/bot.ts';
import { OFF_TOPIC_MIXES, type Outcome, figuresAt, figuresAtMix, percentile } from '../../bot/eval/metrics.ts';
import { DEFAULT_HEAD, type HeadConfig } from '../../bot/heads.ts';
import { type HeadKind, type KnowledgeBaseIndex, nearShare, recommendedThreshold } from '../../bot/kb.ts';
import { choose } from '../../bot/policy.ts';
import { seededRandom, shuffleInPlace } from '../../bot/random.ts';

const SHARED = resolve(import.meta.dirname, '../../../shared/data');
const BANKING77_TRAIN = join(SHARED, 'banking77/train.csv');
const CLINC150 = join(SHARED, 'clinc150/train_val.json');
const EMBEDDERS = [
  'lexical',
  'use-lite',
  'use-lite-int8',
  'hybrid',
  'hybrid-int8',
  'transformers',
  'transformers-hybrid',
];
const USAGE = `usage: npm run bench:bot -- [options]
  --configs LIST          comma-separated EMBEDDER/HEAD, EMBEDDER from ${EMBEDDERS.join(',')},
                          HEAD from served (what the server runs: KnowledgeBaseIndex.build with the shipped
                          off-topic examples, the similarity floor, the cross-validated threshold, the policy),
                          served-oos (the same plus CLINC150's oos_train as the KB's own off-topic examples),
                          softmax (the ensemble head alone), concat (one softmax over the concatenated vector),
                          softmax-offtopic / concat-offtopic (CLINC150 oos_train trained as off-topic examples),
                          softmax-offtopic-xfit (the same, two probes cross-fitted on its halves), nn
                          (-int8: USE lite with int8 weights)
                          (default: hybrid/served)
  --csv-train FILE        Banking77-style CSV (text,category) to train on   [${BANKING77_TRAIN}]
  --csv-test FILE         CSV to test on; without it, a stratified 80/20 split of --csv-train (seed --seed)
  --dev                   tuning run: split the training part 80/20 again (seed --seed + 1000) and score that
                          dev part; the held-out part is not read
  --clinc FILE            CLINC150-style JSON with train/val/test/oos_* keys [${CLINC150}]
  --clinc-split NAME      which split to score: val (default) or test (with oos_<NAME>)
  --clinc-test FILE       score this JSON's "test" and "oos_test" instead (training from --clinc)
  --kb-sizes LIST         served heads: also KBs of the first N intents (seeded), e.g. 10,30,all [all];
                          the other intents' test queries become off-topic test queries
  --scale N               served heads: latency and RSS with a KB of N example questions (Banking77 + CLINC150
                          training data, every intent an article) [0: off]
  --skip-csv / --skip-clinc
  --target-precision P    answer precision the operating threshold aims at on calibration data [0.97]
  --target-oos-recall R   second operating point: hand off this share of oos calibration queries [0.6]
  --calibration-share S   share of each class's training examples held out for calibration [0.1]
  --seed N                seed of splits and training [77]
  --max-per-class N       subsample training data to N examples per class (0 = all) [0]
  --latency-queries N     queries per dataset timed one at a time [200]
  --model-dir DIR         transformers.js model directory (config.json, tokenizer.json, onnx/...)
  --model-id ID --model-path DIR   or a hub-style id under a local models directory
  --model-dtype DTYPE     q8 (onnx/model_quantized.onnx, default) or fp32 (onnx/model.onnx)
  --epochs N --learning-rate R --l2 L   softmax head training (defaults: the bot's)
  --cache-dir DIR         keep sentence-encoder embeddings between runs (default: a temp dir for this run)
  --skip-runtimes         skip the USE lite runtime comparison (TensorFlow.js WebAssembly vs onnxruntime)
  --out FILE              also write the results as JSON
  --outcomes DIR          served heads: write every calibration and test outcome per dataset (JSON) there
  --replay DIR            no training: the served table again from the outcomes in DIR, at the threshold
                          the current rule (bot/kb.ts recommendedThreshold) picks from their calibration
  --off-topic-sets S      served heads: the shipped off-topic sets, all (general + service requests) or
                          general (the set before the service requests) [all]
  --margin-z Z            with --replay: judge the precision Z standard errors below its estimate
                          [bot/kb.ts PRECISION_MARGIN_Z]`;

const { values: args } = (() => {
  try {
    return parseArgs({
      options: {
        configs: { type: 'string' },
        'csv-train': { type: 'string', default: BANKING77_TRAIN },
        'csv-test': { type: 'string' },
        clinc: { type: 'string', default: CLINC150 },
        'clinc-split': { type: 'string', default: 'val' },
        'clinc-test': { type: 'string' },
        'kb-sizes': { type: 'string', default: 'all' },
        scale: { type: 'string', default: '0' },
        'skip-csv': { type: 'boolean', default: false },
        dev: { type: 'boolean', default: false },
        'skip-clinc': { type: 'boolean', default: false },
        'target-precision': { type: 'string', default: '0.97' },
        'target-oos-recall': { type: 'string', default: '0.6' },
        'calibration-share': { type: 'string', default: '0.1' },
        seed: { type: 'string', default: '77' },
        'max-per-class': { type: 'string', default: '0' },
        'latency-queries': { type: 'string', default: '200' },
        'model-dir': { type: 'string' },
        'model-id': { type: 'string' },
        'model-path': { type: 'string' },
        'model-dtype': { type: 'string', default: 'q8' },
        epochs: { type: 'string' },
        'learning-rate': { type: 'string' },
        l2: { type: 'string' },
        'cache-dir': { type: 'string' },
        'skip-runtimes': { type: 'boolean', default: false },
        out: { type: 'string' },
        outcomes: { type: 'string' },
        replay: { type: 'string' },
        'margin-z': { type: 'string' },
        'off-topic-sets': { type: 'string', default: 'all' },
        worker: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
})();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const num = (name: keyof typeof args, min = 0, max = Infinity): number => {
  const n = Number(args[name]);
  if (!Number.isFinite(n) || n < min || n > max) {
    console.error(`--${name} must be a number in ${min}..${max}, got "${String(args[name])}"\n${USAGE}`);
    process.exit(2);
  }
  return n;
};

// softmax: the bot's head (DEFAULT_HEAD); concat: one softmax over the concatenated vector (the head before);
// -offtopic: CLINC150's oos_train also trained as the KB's off-topic examples (-xfit: two probes, each
// calibrated on the half the other learned); nn: nearest neighbour.
const HEADS = [
  'served',
  'served-oos',
  'softmax',
  'softmax-offtopic',
  'softmax-offtopic-xfit',
  'concat',
  'concat-offtopic',
  'nn',
];
const CONFIGS = EMBEDDERS.flatMap((e) => HEADS.map((h) => `${e}/${h}`));
// lexical/nn is left out by default: brute-force search over 15,000 sparse examples takes minutes on 2 cores.
const DEFAULT_CONFIGS = ['hybrid/served'];
const hasTransformers = Boolean(args['model-dir'] || args['model-path']);
const configs = args.configs
  ? args.configs.split(',')
  : [...DEFAULT_CONFIGS, ...(hasTransformers ? ['transformers-hybrid/served'] : [])];
for (const c of configs) {
  if (!CONFIGS.includes(c)) {
    console.error(`unknown config "${c}"\n${USAGE}`);
    process.exit(2);
  }
}

interface WorkerResult {
  config: string;
  embedderId: string;
  datasets: DatasetResult[];
  /** Wall time per query; cpuP50/cpuP95: the process's CPU time per query (what it costs without contention). */
  latencyMs: { p50: number; p95: number; n: number; cpuP50?: number; cpuP95?: number };
  /** --scale: the served path with a KB of that many example questions. */
  scale?: {
    questions: number;
    articles: number;
    p50: number;
    p95: number;
    cpuP50: number;
    cpuP95: number;
    n: number;
    buildSeconds: number;
    rssMb: number;
  };
  loadSeconds: number;
  rssMb: number;
  peakRssMb: number;
  seconds: number;
}

function softmaxOptions(): SoftmaxOptions {
  const o: SoftmaxOptions = { seed: num('seed') };
  if (args.epochs) o.epochs = num('epochs', 1);
  if (args['learning-rate']) o.learningRate = num('learning-rate');
  if (args.l2) o.l2 = num('l2');
  return o;
}

function capPerClass(examples: Example[], max: number, seed: number): Example[] {
  if (!max) return examples;
  const random = seededRandom(seed);
  const byLabel = new Map<string, Example[]>();
  for (const e of shuffleInPlace([...examples], random)) byLabel.set(e.label, [...(byLabel.get(e.label) ?? []), e]);
  return [...byLabel.values()].flatMap((list) => list.slice(0, max));
}

/** A JSON with "test" and "oos_test" ([text, intent] pairs), e.g. CLINC150's official test split. */
function readClincTest(path: string): { test: Example[]; oos_test: Example[] } {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const pairs = (key: string): Example[] => {
    const v = raw[key];
    if (!Array.isArray(v)) throw new Error(`${path}: "${key}" is missing or not an array`);
    return v.map((p: unknown, i) => {
      if (!Array.isArray(p) || typeof p[0] !== 'string' || typeof p[1] !== 'string')
        throw new Error(`${path}: ${key}[${i}] is not a [text, intent] pair`);
      return { text: p[0], label: p[1] };
    });
  };
  return { test: pairs('test'), oos_test: pairs('oos_test') };
}

/**
 * A KB of the first `size` intents (seeded order): the other intents' test queries join the off-topic test
 * queries (questions close to the KB that it does not cover).
 */
function subsetOf(data: DatasetSpec, size: number, seed: number): DatasetSpec {
  const classes = shuffleInPlace([...new Set(data.train.map((e) => e.label))].sort(), seededRandom(seed + size));
  if (size >= classes.length) return data;
  const keep = new Set(classes.slice(0, size));
  return {
    name: `${data.name}-kb${size}`,
    train: data.train.filter((e) => keep.has(e.label)),
    test: data.test.filter((e) => keep.has(e.label)),
    oosCalibration: data.oosCalibration,
    oosTest: [
      ...data.oosTest,
      ...data.test.filter((e) => !keep.has(e.label)).map((e) => ({ text: e.text, label: 'near' })),
    ],
  };
}

function loadDatasets(): DatasetSpec[] {
  const seed = num('seed');
  const max = num('max-per-class');
  const out: DatasetSpec[] = [];
  if (!args['skip-csv']) {
    const all = readLabeledCsv(args['csv-train']!);
    let split = args['csv-test']
      ? { train: all, heldOut: readLabeledCsv(args['csv-test']) }
      : stratifiedSplit(all, 0.2, seed);
    // Tuning never sees the held-out part: it scores a dev part of the training part instead.
    if (args.dev) split = stratifiedSplit(split.train, 0.2, seed + 1000);
    const name =
      (args['csv-train'] === BANKING77_TRAIN && !args['csv-test'] ? 'banking77' : 'csv') + (args.dev ? '-dev' : '');
    out.push({
      name,
      train: capPerClass(split.train, max, seed),
      test: split.heldOut,
      oosCalibration: [],
      // Off-topic traffic for a banking KB: CLINC150's oos_val and its val queries outside banking and cards.
      oosTest: existsSync(args.clinc!) ? clincNegatives(readClincJson(args.clinc!)) : [],
    });
  }
  if (!args['skip-clinc']) {
    const clinc = readClincJson(args.clinc!);
    const split = args['clinc-split']!;
    if (split !== 'val' && split !== 'test') {
      console.error(`--clinc-split must be val or test\n${USAGE}`);
      process.exit(2);
    }
    const external = args['clinc-test'] ? readClincTest(args['clinc-test']) : null;
    out.push({
      name: external ? 'clinc-test-file' : args.clinc === CLINC150 ? `clinc150-${split}` : `clinc-${split}`,
      train: capPerClass(clinc.train, max, seed),
      test: external ? external.test : clinc[split],
      oosCalibration: clinc.oos_train,
      oosTest: external ? external.oos_test : split === 'val' ? clinc.oos_val : clinc.oos_test,
    });
  }
  return out;
}

async function makeEmbedder(
  kind: string,
  cacheDir: string,
): Promise<{ embedder: Embedder; encoders: CachedEmbedder[] }> {
  const encoders: CachedEmbedder[] = [];
  const encoder = async (which: 'use-lite' | 'use-lite-int8' | 'transformers') => {
    const inner: Embedder =
      which !== 'transformers'
        ? await (async () => {
            const use = new UseLiteEmbedder({ int8: which === 'use-lite-int8' });
            await use.load();
            return use;
          })()
        : await TransformersEmbedder.create({
            ...(args['model-dir'] ? { modelDir: args['model-dir'] } : {}),
            ...(args['model-id'] ? { modelId: args['model-id'] } : {}),
            ...(args['model-path'] ? { localModelPath: args['model-path'] } : {}),
            dtype: args['model-dtype'] as 'q8',
          });
    const cached = new CachedEmbedder(inner, cacheDir);
    encoders.push(cached);
    return cached;
  };
  const hybrid = async (which: 'use-lite' | 'use-lite-int8' | 'transformers') =>
    new HybridEmbedder([
      { embedder: await encoder(which), weight: DEFAULT_ENCODER_WEIGHT },
      { embedder: new LexicalEmbedder(), weight: 1 - DEFAULT_ENCODER_WEIGHT },
    ]);
  switch (kind) {
    case 'lexical':
      return { embedder: new LexicalEmbedder(), encoders };
    case 'use-lite':
    case 'use-lite-int8':
      return { embedder: await encoder(kind), encoders };
    case 'hybrid':
      return { embedder: await hybrid('use-lite'), encoders };
    case 'hybrid-int8':
      return { embedder: await hybrid('use-lite-int8'), encoders };
    case 'transformers':
      return { embedder: await encoder('transformers'), encoders };
    case 'transformers-hybrid':
      return { embedder: await hybrid('transformers'), encoders };
  }
  throw new Error(`unknown embedder ${kind}`);
}

/** The off-topic examples the server ships for an English KB (--off-topic-sets general: the first set alone). */
function shippedOffTopic(): string[] {
  const sets = args['off-topic-sets'];
  if (sets !== 'all' && sets !== 'general') {
    console.error(`--off-topic-sets must be all or general\n${USAGE}`);
    process.exit(2);
  }
  return offTopicExamples(['en'], sets);
}

async function timeQueries(index: KnowledgeBaseIndex, texts: string[]): Promise<number[]> {
  const times: number[] = [];
  await index.match('warm up the model');
  for (const text of texts) {
    const t = performance.now();
    choose(await index.match(text));
    times.push(performance.now() - t);
  }
  return times;
}

const num2 = (x: string) => {
  const n = Number(x);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--kb-sizes: "${x}" is neither a positive integer nor "all"`);
    process.exit(2);
  }
  return n;
};

/**
 * The served path, one message at a time: gate, embedding, head, similarity floor, policy. Wall time, and the
 * process's CPU time (every thread, onnxruntime's included): on a shared machine the wall time's tail is the
 * time spent waiting for a core, the CPU time is what a query costs.
 */
async function timeDecisions(bot: Bot, texts: string[]): Promise<{ wall: number[]; cpu: number[] }> {
  const fresh = { status: 'bot' as const, assigneeId: null, turns: [] };
  for (const text of texts.slice(0, 20)) await bot.decide(fresh, text);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (const text of texts) {
    const c = process.cpuUsage();
    const t = performance.now();
    await bot.decide(fresh, text);
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return { wall, cpu };
}

/** Latency and memory of the served path with a KB of `questions` example questions. */
async function measureScale(
  embedder: Embedder,
  encoders: CachedEmbedder[],
  questions: number,
  log: (msg: string) => void,
): Promise<NonNullable<WorkerResult['scale']>> {
  const pool = [
    ...readLabeledCsv(BANKING77_TRAIN).map((e) => ({ text: e.text, label: `b77:${e.label}` })),
    ...readClincJson(args.clinc!).train.map((e) => ({ text: e.text, label: `clinc:${e.label}` })),
  ];
  const train = shuffleInPlace(pool, seededRandom(num('seed'))).slice(0, questions);
  const data: DatasetSpec = { name: `scale-${questions}`, train, test: [], oosCalibration: [], oosTest: [] };
  for (const e of encoders) e.enabled = true;
  const t = performance.now();
  const { bot } = await evaluateServed(embedder, data, { offTopic: shippedOffTopic(), softmax: softmaxOptions() });
  const buildSeconds = (performance.now() - t) / 1000;
  for (const e of encoders) e.enabled = false;
  log(
    `scale: ${train.length} questions, ${bot.index.articleIds.length} articles, built in ${buildSeconds.toFixed(0)} s`,
  );
  const queries = shuffleInPlace(
    readClincJson(args.clinc!).val.map((e) => e.text),
    seededRandom(num('seed') + 1),
  ).slice(0, Math.max(400, num('latency-queries')));
  const { wall: times, cpu } = await timeDecisions(bot, queries);
  (globalThis as { gc?: () => void }).gc?.();
  return {
    questions: train.length,
    articles: bot.index.articleIds.length,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    cpuP50: percentile(cpu, 50),
    cpuP95: percentile(cpu, 95),
    n: times.length,
    buildSeconds,
    rssMb: process.memoryUsage().rss / 2 ** 20,
  };
}

async function runWorker(config: string): Promise<WorkerResult> {
  const started = performance.now();
  const [kind, headName] = config.split('/') as [string, string];
  const head: HeadKind = headName === 'nn' ? 'nearest-neighbour' : 'softmax';
  const softmaxHead: HeadConfig = headName.startsWith('concat') ? { kind: 'concat' } : DEFAULT_HEAD;
  const offTopic = headName.includes('-offtopic');
  const crossFit = headName.endsWith('-xfit');
  const cacheDir = args['cache-dir']!;
  const log = (msg: string) => console.error(`[${config}] ${msg}`);
  const t = performance.now();
  const { embedder, encoders } = await makeEmbedder(kind, cacheDir);
  const loadSeconds = (performance.now() - t) / 1000;
  const results: DatasetResult[] = [];
  const latencies: number[] = [];
  const cpuTimes: number[] = [];
  const served = headName.startsWith('served');
  const sizes = served ? args['kb-sizes']!.split(',').map((x) => (x === 'all' ? Infinity : num2(x))) : [Infinity];
  const datasets = loadDatasets().flatMap((d) => sizes.map((size) => subsetOf(d, size, num('seed'))));
  let scale: WorkerResult['scale'];
  for (const data of datasets) {
    log(
      `${data.name}: ${data.train.length} training examples, ${data.test.length} + ${data.oosTest.length} test queries`,
    );
    for (const e of encoders) e.enabled = true;
    if (served) {
      const own = headName === 'served-oos' ? data.oosCalibration.map((e) => e.text) : [];
      const { result, bot } = await evaluateServed(embedder, data, {
        offTopic: [...shippedOffTopic(), ...own],
        softmax: softmaxOptions(),
      });
      log(
        `${data.name}: embed ${result.seconds.embed.toFixed(0)} s, build ${result.seconds.train.toFixed(0)} s, ` +
          `accuracy ${(result.figures.accuracy * 100).toFixed(2)} %, threshold ${result.figures.threshold.toFixed(3)}`,
      );
      if (args.outcomes) {
        mkdirSync(args.outcomes, { recursive: true });
        writeFileSync(
          join(args.outcomes, `${config.replace('/', '_')}-${data.name}.json`),
          JSON.stringify({ ...result, oosTestKinds: data.oosTest.map((e) => e.label) }),
        );
      }
      delete result.outcomes;
      results.push(result);
      // The row at once: a long run that is stopped keeps what it measured.
      log(servedTable([{ config, datasets: [result] } as WorkerResult]).split('\n')[2]!);
      for (const e of encoders) e.enabled = false;
      if (data.name.includes('-kb')) continue; // latency: the whole KBs only
      const sample = shuffleInPlace(
        [...data.test, ...data.oosTest].map((e) => e.text),
        seededRandom(num('seed')),
      ).slice(0, num('latency-queries'));
      const timed = await timeDecisions(bot, sample);
      latencies.push(...timed.wall);
      cpuTimes.push(...timed.cpu);
      continue;
    }
    const { result, index } = await evaluateDataset(embedder, data, {
      head,
      softmaxHead,
      offTopic,
      crossFit,
      softmax: softmaxOptions(),
      targetPrecision: num('target-precision', 0, 1),
      targetOosRecall: num('target-oos-recall', 0, 1),
      calibrationShare: num('calibration-share', 0.01, 0.5),
      seed: num('seed'),
    });
    log(
      `${data.name}: embed ${result.seconds.embed.toFixed(0)} s, train ${result.seconds.train.toFixed(0)} s, ` +
        `accuracy ${(result.figures.accuracy * 100).toFixed(2)} %`,
    );
    results.push(result);
    // Latency is always live: the cache is off and each query runs alone through embedder, head and policy.
    for (const e of encoders) e.enabled = false;
    const sample = shuffleInPlace(
      [...data.test, ...data.oosTest].map((e) => e.text),
      seededRandom(num('seed')),
    ).slice(0, num('latency-queries'));
    latencies.push(...(await timeQueries(index, sample)));
  }
  if (headName === 'served' && num('scale') > 0) scale = await measureScale(embedder, encoders, num('scale'), log);
  (globalThis as { gc?: () => void }).gc?.();
  return {
    ...(scale ? { scale } : {}),
    config,
    embedderId: embedder.id,
    datasets: results,
    latencyMs: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      n: latencies.length,
      ...(cpuTimes.length ? { cpuP50: percentile(cpuTimes, 50), cpuP95: percentile(cpuTimes, 95) } : {}),
    },
    loadSeconds,
    rssMb: process.memoryUsage().rss / 2 ** 20,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    seconds: (performance.now() - started) / 1000,
  };
}

interface RuntimeComparison {
  runtimes: Array<{ id: string; p50: number; p95: number; n: number }>;
  loadAverage: number;
}

/**
 * USE lite per query on its two runtimes, in one process, alternating query by query, so both see the
 * same machine load: the ratio is the reliable figure on a shared machine.
 */
async function compareRuntimes(): Promise<RuntimeComparison> {
  const texts = shuffleInPlace(
    loadDatasets().flatMap((d) => [...d.test, ...d.oosTest].map((e) => e.text)),
    seededRandom(num('seed')),
  ).slice(0, num('latency-queries'));
  const embedders: Embedder[] = [
    new UseLiteTfjsEmbedder({ batchSize: 1 }),
    new UseLiteEmbedder(),
    new UseLiteEmbedder({ int8: true }),
  ];
  const times = embedders.map(() => [] as number[]);
  for (const e of embedders) for (const text of texts.slice(0, 20)) await e.embed([text]); // warm up
  for (const text of texts) {
    for (let k = 0; k < embedders.length; k++) {
      const t = performance.now();
      await embedders[k]!.embed([text]);
      times[k]!.push(performance.now() - t);
    }
  }
  return {
    runtimes: embedders.map((e, k) => ({
      id: e.id,
      p50: percentile(times[k]!, 50),
      p95: percentile(times[k]!, 95),
      n: texts.length,
    })),
    loadAverage: loadavg()[0]!,
  };
}

function runInChild(config: string, cacheDir: string): Promise<WorkerResult> {
  const passOn = process.argv
    .slice(2)
    .filter((a, i, all) => a !== '--configs' && all[i - 1] !== '--configs' && !a.startsWith('--configs='));
  return new Promise((resolvePromise, reject) => {
    const child = fork(process.argv[1]!, [...passOn, '--cache-dir', cacheDir, '--worker', config], {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: WorkerResult | null = null;
    child.on('message', (m) => (result = m as WorkerResult));
    child.on('error', reject);
    child.on('exit', (code) =>
      result ? resolvePromise(result) : reject(new Error(`${config}: worker exited with code ${code}`)),
    );
  });
}

const ms = (x: number | null) => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(1));
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : (x * 100).toFixed(1));

function table(results: WorkerResult[]): string {
  const lines = [
    '| embedder / head | Banking77 acc | B77 prec / cov | CLINC in-scope acc | CLINC OOS recall | CLINC prec / cov | ' +
      'CLINC acc (no threshold) | p50 / p95 ms | RSS MB (peak) | run s |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const csv = r.datasets.find((d) => !d.dataset.startsWith('clinc'));
    const clinc = r.datasets.find((d) => d.dataset.startsWith('clinc'));
    const csvPrecision = csv ? `${pct(csv.figures.precision)} / ${pct(csv.figures.coverage)}` : '–';
    const clincPrecision = clinc ? `${pct(clinc.figures.precision)} / ${pct(clinc.figures.coverage)}` : '–';
    lines.push(
      `| ${r.config} | ${pct(csv?.figures.accuracy)} | ${csvPrecision} | ` +
        `${pct(clinc?.figures.inScopeAccuracy)} | ${pct(clinc?.figures.oosRecall)} | ` +
        `${clincPrecision} | ${pct(clinc?.figures.accuracy)} | ` +
        `${ms(r.latencyMs.p50)} / ${ms(r.latencyMs.p95)} | ` +
        `${r.rssMb.toFixed(0)} (${r.peakRssMb.toFixed(0)}) | ${r.seconds.toFixed(0)} |`,
    );
  }
  return lines.join('\n');
}

/** Served heads: every dataset and KB size at the index's own threshold, at 3 %, 18 % and 50 % off-topic. */
function servedTable(results: WorkerResult[]): string {
  const lines = [
    '| config | dataset (KB) | articles | threshold | top-1 acc | in-scope acc | off-topic recall | ' +
      'prec / cov @3 % | prec / cov @18 % | prec / cov @50 % | CV prec @18 % |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    for (const d of r.datasets) {
      if (!d.mixes) continue;
      const m = d.mixes.map((x) => `${pct(x.precision)} / ${pct(x.coverage)}`);
      lines.push(
        `| ${r.config} | ${d.dataset} | ${d.counts.classes} | ${d.figures.threshold.toFixed(3)} | ` +
          `${pct(d.figures.accuracy)} | ${pct(d.figures.inScopeAccuracy)} | ${pct(d.figures.oosRecall)} | ` +
          `${m.join(' | ')} | ${pct(d.calibrationMixes?.[1]?.precision)} |`,
      );
    }
  }
  return lines.join('\n');
}

/** CLINC150 at the published comparison's operating point: the threshold that hands off R of oos_train. */
function oosTable(results: WorkerResult[]): string {
  const lines = [
    `| embedder / head | threshold | CLINC in-scope acc | CLINC OOS recall | answer precision / coverage |`,
    '|---|---|---|---|---|',
  ];
  for (const r of results) {
    const f = r.datasets.find((d) => d.dataset.startsWith('clinc'))?.atOosRecall;
    if (!f) continue;
    lines.push(
      `| ${r.config} | ${f.threshold.toFixed(3)} | ${pct(f.inScopeAccuracy)} | ${pct(f.oosRecall)} | ` +
        `${pct(f.precision)} / ${pct(f.coverage)} |`,
    );
  }
  return lines.join('\n');
}

/** The served table from dumped outcomes, at today's threshold rule: the heads are unchanged by the rule. */
function replay(dir: string) {
  const rows: WorkerResult[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const saved = JSON.parse(readFileSync(join(dir, file), 'utf8')) as DatasetResult;
    const { calibration: cal, test } = saved.outcomes as { calibration: Outcome[]; test: Outcome[] };
    const articles = saved.counts.classes;
    const z = args['margin-z'] === undefined ? undefined : num('margin-z');
    const threshold = recommendedThreshold(cal, articles, nearShare(articles), z);
    const shares = { near: nearShare(articles) };
    const result: DatasetResult = {
      ...saved,
      figures: figuresAt(test, threshold),
      mixes: OFF_TOPIC_MIXES.map((mix) => figuresAtMix(test, threshold, mix)),
      calibrationMixes: OFF_TOPIC_MIXES.map((mix) => figuresAtMix(cal, threshold, mix, shares)),
    };
    // Files are named <embedder>_<head>-<dataset>.json (--outcomes).
    const config = file.slice(0, -`-${saved.dataset}.json`.length).replace('_', '/');
    rows.push({ config, datasets: [result] } as WorkerResult);
  }
  console.log(`Replayed from ${dir} at the current threshold rule:\n\n${servedTable(rows)}`);
}

if (args.replay) {
  replay(args.replay);
} else if (args.worker) {
  const result = args.worker === 'runtimes' ? await compareRuntimes() : await runWorker(args.worker);
  process.send!(result);
  process.exit(0);
} else {
  const started = Date.now();
  const ownCache = !args['cache-dir'];
  const cacheDir = args['cache-dir'] ?? mkdtempSync(join(tmpdir(), 'bench-bot-'));
  for (const path of [args['csv-train']!, args.clinc!])
    if (!existsSync(path)) console.error(`warning: ${path} not found`);
  console.log(
    `bench:bot — ${configs.length} configurations; target precision ${args['target-precision']}; seed ${args.seed}; ` +
      `${availableParallelism()} cores, load ${loadavg()[0]!.toFixed(1)}`,
  );
  const results: WorkerResult[] = [];
  let runtimes: RuntimeComparison | null = null;
  try {
    for (const config of configs) {
      const r = await runInChild(config, cacheDir);
      results.push(r);
      console.error(table([r]).split('\n')[2]);
    }
    if (!args['skip-runtimes']) runtimes = (await runInChild('runtimes', cacheDir)) as unknown as RuntimeComparison;
  } finally {
    if (ownCache) rmSync(cacheDir, { recursive: true, force: true });
  }
  console.log('\n' + table(results) + '\n');
  if (results.some((r) => r.datasets.some((d) => d.mixes))) {
    console.log('The served path (answers at the threshold the index chose by cross-validation):\n');
    console.log(servedTable(results) + '\n');
  }
  for (const r of results)
    if (r.latencyMs.cpuP50 !== undefined)
      console.log(
        `${r.config}: p50 / p95 ${ms(r.latencyMs.p50)} / ${ms(r.latencyMs.p95)} ms wall, ` +
          `${ms(r.latencyMs.cpuP50)} / ${ms(r.latencyMs.cpuP95 ?? null)} ms CPU per query (${r.latencyMs.n} queries)\n`,
      );
  for (const r of results)
    if (r.scale)
      console.log(
        `${r.config} at scale: ${r.scale.questions} example questions, ${r.scale.articles} articles: ` +
          `p50 ${r.scale.p50.toFixed(1)} ms, p95 ${r.scale.p95.toFixed(1)} ms over ${r.scale.n} queries ` +
          `(CPU time per query p50 ${r.scale.cpuP50.toFixed(1)}, p95 ${r.scale.cpuP95.toFixed(1)} ms); ` +
          `index built in ${r.scale.buildSeconds.toFixed(0)} s; RSS ${r.scale.rssMb.toFixed(0)} MB\n`,
      );
  console.log(
    `CLINC150 at the threshold that hands off ${pct(num('target-oos-recall'))} % of oos_train ` +
      `(the published comparison's operating point):\n`,
  );
  console.log(oosTable(results) + '\n');
  for (const r of results) {
    for (const d of r.datasets) {
      console.log(
        `${r.config} ${d.dataset}: threshold ${d.figures.threshold.toFixed(3)}, ` +
          `temperature ${d.temperature?.toFixed(2) ?? '–'}, ` +
          `train ${d.counts.train} (calibration ${d.counts.calibration} + ${d.counts.oosCalibration} oos), ` +
          `test ${d.counts.test} + ${d.counts.oosTest} oos, ` +
          `calibration precision ${pct(d.calibration.precision)} / coverage ${pct(d.calibration.coverage)}; ` +
          (d.counts.folds !== undefined
            ? `${d.counts.folds} fold(s), off-topic examples ${d.counts.offTopicUsed} ` +
              `(+${d.counts.offTopicPruned} pruned); `
            : '') +
          `embed ${d.seconds.embed.toFixed(0)} s, train ${d.seconds.train.toFixed(0)} s`,
      );
    }
  }
  if (runtimes) {
    const [tfjs, onnx, int8] = runtimes.runtimes;
    console.log(
      `\nUSE lite, one query at a time (embedding only), ${tfjs!.n} queries alternating between the runtimes, ` +
        `load average ${runtimes.loadAverage.toFixed(1)}:\n\n` +
        '| runtime | p50 ms | p95 ms |\n|---|---|---|\n' +
        runtimes.runtimes.map((r) => `| ${r.id} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} |`).join('\n') +
        `\n\nonnxruntime vs TensorFlow.js: ${(tfjs!.p50 / onnx!.p50).toFixed(1)}x faster at p50, ` +
        `${(tfjs!.p95 / onnx!.p95).toFixed(1)}x at p95; ` +
        `int8 weights: ${(tfjs!.p50 / int8!.p50).toFixed(1)}x / ${(tfjs!.p95 / int8!.p95).toFixed(1)}x\n`,
    );
  }
  console.log(
    `load average at the end ${loadavg()[0]!.toFixed(1)}; total ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  if (args.out) writeFileSync(args.out, JSON.stringify({ args, results, runtimes }, null, 2));
}
