/**
 * Evaluates one embedder + classifier head on one dataset, exactly as the bot would run on a knowledge
 * base whose articles are the dataset's intents and whose example questions are its training texts:
 *   1. hold out a stratified share of the training examples (calibration split, seeded);
 *   2. train a probe head on the rest; on the calibration split (plus the dataset's out-of-scope
 *      calibration queries, e.g. CLINC150 oos_train) fit the softmax temperature and choose the operating
 *      threshold: the lowest one whose answers reach the target precision;
 *   3. train the final head on all training examples, with that temperature;
 *   4. score the test queries (and out-of-scope test queries) once, and report the figures at that
 *      threshold, and also at the threshold that hands off a given share of the out-of-scope
 *      calibration queries (the operating point of the published CLINC150 figures). The test data is
 *      never used to choose anything.
 */
import {
  type IntentClassifier,
  NearestNeighbourClassifier,
  type SoftmaxOptions,
  holdOut,
  rank,
} from '../classifier.ts';
import { DEFAULT_HEAD, type HeadConfig, trainHead } from '../heads.ts';
import { type Embedder, type SparseVector, adaptTo, embedAsSparse } from '../embedders/types.ts';
import { type HeadKind, type KbArticle, type KbIndexOptions, KnowledgeBaseIndex } from '../kb.ts';
import { type Bot, botOnIndex } from '../bot.ts';
import { choose } from '../policy.ts';
import type { Example } from './datasets.ts';
import {
  type MixFigures,
  OFF_TOPIC_MIXES,
  type OperatingFigures,
  type Outcome,
  figuresAt,
  figuresAtMix,
  thresholdForOosRecall,
  thresholdForPrecision,
} from './metrics.ts';

export interface DatasetSpec {
  name: string;
  train: Example[];
  test: Example[];
  /** Out-of-scope queries used only for choosing the threshold. */
  oosCalibration: Example[];
  /** Out-of-scope queries scored with the test set. */
  oosTest: Example[];
}

export interface EvaluationOptions {
  head: HeadKind;
  /** The softmax head's configuration (DEFAULT_HEAD unless given). */
  softmaxHead?: HeadConfig;
  softmax?: SoftmaxOptions;
  /**
   * Train the out-of-scope calibration queries (CLINC150 oos_train) as the KB's off-topic examples: the probe
   * learns every other one and the threshold is chosen on the rest; the final head learns them all.
   */
  offTopic?: boolean;
  /** With offTopic: two probes, each learning one half of the off-topic queries and calibrated on the other. */
  crossFit?: boolean;
  targetPrecision: number;
  /** Also report the figures at the threshold that hands off this share of out-of-scope calibration queries. */
  targetOosRecall: number;
  calibrationShare: number;
  seed: number;
}

export interface DatasetResult {
  dataset: string;
  figures: OperatingFigures;
  /** At the threshold chosen for `targetOosRecall` on the calibration data (null without OOS data). */
  atOosRecall: OperatingFigures | null;
  /** At the same threshold, off-topic test queries reweighted to 3 %, 18 % and 50 % of the traffic. */
  mixes?: MixFigures[];
  /** The same on the cross-validation outcomes the threshold was chosen on. */
  calibrationMixes?: MixFigures[];
  /** Served heads: every scored outcome, for exploring threshold rules offline (bench:bot --outcomes). */
  outcomes?: { calibration: Outcome[]; test: Outcome[] };
  temperature: number | null;
  calibration: OperatingFigures;
  counts: {
    offTopicUsed?: number;
    offTopicPruned?: number;
    folds?: number;
    train: number;
    calibration: number;
    test: number;
    oosCalibration: number;
    oosTest: number;
    classes: number;
  };
  seconds: { embed: number; train: number; score: number };
}

export async function evaluateDataset(
  embedder: Embedder,
  data: DatasetSpec,
  options: EvaluationOptions,
): Promise<{ result: DatasetResult; index: KnowledgeBaseIndex }> {
  const classes = [...new Set(data.train.map((e) => e.label))].sort();
  const labelOf = new Map(classes.map((c, i) => [c, i]));
  const trainLabels = data.train.map((e) => labelOf.get(e.label)!);
  // Test queries whose intent has no training example can never be right; they still count as in scope.
  const testLabels = data.test.map((e) => labelOf.get(e.label) ?? -1);

  let t = performance.now();
  // IDF and any other corpus statistics come from the training texts only.
  const adapted = adaptTo(
    embedder,
    data.train.map((e) => e.text),
  );
  const embed = (examples: Example[]) =>
    embedAsSparse(
      adapted,
      examples.map((e) => e.text),
    );
  const trainVectors = await embed(data.train);
  const testVectors = await embed(data.test);
  const oosCalVectors = await embed(data.oosCalibration);
  const oosTestVectors = await embed(data.oosTest);
  const embedSeconds = (performance.now() - t) / 1000;

  t = performance.now();
  const heldOut = holdOut(trainLabels, options.calibrationShare, options.seed);
  let final: IntentClassifier;
  // Each probe scores the held-out examples and the out-of-scope calibration queries it never learned from.
  let probes: Array<{ probe: IntentClassifier; oos: SparseVector[] }>;
  let temperature: number | null = null;
  const offTopic = Boolean(options.offTopic) && oosCalVectors.length > 0;
  if (options.head === 'softmax') {
    const trained = trainHead(trainVectors, trainLabels, classes.length, adapted, options.softmaxHead ?? DEFAULT_HEAD, {
      softmax: options.softmax,
      heldOut,
      ...(offTopic ? { offTopic: oosCalVectors, crossFit: options.crossFit ?? false } : {}),
    });
    final = trained.classifier;
    probes = trained.probes.map((p) => ({ probe: p.probe, oos: offTopic ? p.offTopicHeldOut : oosCalVectors }));
    if (probes.length === 0) probes = [{ probe: final, oos: oosCalVectors }];
    temperature = trained.classifier.temperature;
  } else {
    const held = new Set(heldOut);
    const fit = trainLabels.map((_, i) => i).filter((i) => !held.has(i));
    const probe = new NearestNeighbourClassifier(
      classes.length,
      fit.map((i) => trainVectors[i]!),
      fit.map((i) => trainLabels[i]!),
      adapted.dimension,
    );
    probes = [{ probe, oos: oosCalVectors }];
    final = new NearestNeighbourClassifier(classes.length, trainVectors, trainLabels, adapted.dimension);
  }
  const trainSeconds = (performance.now() - t) / 1000;

  t = performance.now();
  const outcome = (clf: IntentClassifier, v: SparseVector, label: number | null): Outcome => {
    const [top] = rank(clf.scores(v), 1);
    return { confidence: top!.score, correct: label !== null && top!.label === label, inScope: label !== null };
  };
  const calibrationOutcomes = probes.flatMap(({ probe, oos }) => [
    ...heldOut.map((i) => outcome(probe, trainVectors[i]!, trainLabels[i]!)),
    ...oos.map((v) => outcome(probe, v, null)),
  ]);
  const oosCalibrationCount = probes.reduce((n, p) => n + p.oos.length, 0);
  const threshold = thresholdForPrecision(calibrationOutcomes, options.targetPrecision);
  const oosThreshold = thresholdForOosRecall(calibrationOutcomes, options.targetOosRecall);
  const testOutcomes = [
    ...testVectors.map((v, i) => outcome(final, v, testLabels[i]!)),
    ...oosTestVectors.map((v) => outcome(final, v, null)),
  ];
  const scoreSeconds = (performance.now() - t) / 1000;

  const index = new KnowledgeBaseIndex(adapted, classes, final, 3);
  return {
    index,
    result: {
      dataset: data.name,
      figures: figuresAt(testOutcomes, threshold),
      atOosRecall: oosThreshold === null ? null : figuresAt(testOutcomes, oosThreshold),
      temperature,
      calibration: figuresAt(calibrationOutcomes, threshold),
      counts: {
        train: data.train.length,
        calibration: heldOut.length,
        test: data.test.length,
        oosCalibration: oosCalibrationCount,
        oosTest: data.oosTest.length,
        classes: classes.length,
      },
      seconds: { embed: embedSeconds, train: trainSeconds, score: scoreSeconds },
    },
  };
}

export interface ServedOptions {
  /** The shipped off-topic examples (bot/off-topic.ts) and any the KB adds (e.g. CLINC150's oos_train). */
  offTopic: string[];
  softmax?: SoftmaxOptions;
  calibrationShare?: number;
  onProgress?: KbIndexOptions['onProgress'];
}

/**
 * Evaluates what the server runs: the index built by KnowledgeBaseIndex.build (head, off-topic class,
 * similarity floor, cross-validated threshold: 97 % precision at 18 % off-topic traffic) and the policy's
 * choose(), on a KB whose articles are the dataset's intents. Every test query goes through matchVector and
 * choose exactly as a customer's message does; the figures are reported at the threshold the index chose
 * and at 3 %, 18 % and 50 % off-topic mixes (off-topic test queries reweighted).
 */
export async function evaluateServed(
  embedder: Embedder,
  data: DatasetSpec,
  options: ServedOptions,
): Promise<{ result: DatasetResult; bot: Bot }> {
  const classes = [...new Set(data.train.map((e) => e.label))].sort();
  const byClass = new Map(classes.map((c) => [c, [] as string[]]));
  for (const e of data.train) byClass.get(e.label)!.push(e.text);
  const articles: KbArticle[] = classes.map((c) => ({ id: c, title: '', questions: byClass.get(c)! }));
  let t = performance.now();
  const index = await KnowledgeBaseIndex.build(embedder, articles, {
    offTopic: options.offTopic,
    ...(options.softmax ? { softmax: options.softmax } : {}),
    ...(options.calibrationShare ? { calibrationShare: options.calibrationShare } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const buildSeconds = (performance.now() - t) / 1000;
  const bot = botOnIndex(index);
  const threshold = bot.policy.threshold;
  t = performance.now();
  const testVectors = await embedAsSparse(
    index.embedder,
    data.test.map((e) => e.text),
  );
  const oosVectors = await embedAsSparse(
    index.embedder,
    data.oosTest.map((e) => e.text),
  );
  const embedSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  let disagreements = 0;
  const outcome = (v: SparseVector, label: string | null): Outcome => {
    const m = index.matchVector(v);
    const best = m.candidates[0]!;
    const confidence = (m.similarity ?? 1) >= (m.floor ?? 0) ? best.score : -1;
    const o = { confidence, correct: label !== null && best.articleId === label, inScope: label !== null };
    // The figures below count an answer at confidence >= threshold: that must be what the policy does.
    if ((choose(m, bot.policy).action === 'answer') !== confidence >= threshold) disagreements++;
    return o;
  };
  const testOutcomes = [
    ...testVectors.map((v, i) => outcome(v, data.test[i]!.label)),
    ...oosVectors.map((v) => outcome(v, null)),
  ];
  if (disagreements > 0) throw new Error(`served evaluation: ${disagreements} outcomes disagree with the policy`);
  const scoreSeconds = (performance.now() - t) / 1000;
  const cal = index.calibration?.outcomes ?? [];
  return {
    bot,
    result: {
      dataset: data.name,
      figures: figuresAt(testOutcomes, threshold),
      atOosRecall: null,
      mixes: OFF_TOPIC_MIXES.map((mix) => figuresAtMix(testOutcomes, threshold, mix)),
      calibrationMixes: OFF_TOPIC_MIXES.map((mix) => figuresAtMix(cal, threshold, mix, index.calibration?.groupShares)),
      outcomes: { calibration: cal, test: testOutcomes },
      temperature: index.calibration?.temperature ?? null,
      calibration: figuresAt(cal, threshold),
      counts: {
        train: data.train.length,
        calibration: cal.filter((o) => o.inScope).length,
        test: data.test.length,
        oosCalibration: cal.filter((o) => !o.inScope).length,
        oosTest: data.oosTest.length,
        classes: classes.length,
        offTopicUsed: index.calibration?.offTopicUsed ?? 0,
        offTopicPruned: index.calibration?.offTopicPruned ?? 0,
        folds: index.calibration?.folds ?? 0,
      },
      seconds: { embed: embedSeconds, train: buildSeconds, score: scoreSeconds },
    },
  };
}
