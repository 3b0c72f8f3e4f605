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
import { type HeadKind, KnowledgeBaseIndex } from '../kb.ts';
import type { Example } from './datasets.ts';
import {
  type OperatingFigures,
  type Outcome,
  figuresAt,
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
  temperature: number | null;
  calibration: OperatingFigures;
  counts: {
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
