/**
 * Softmax heads over a hybrid (encoder + lexical) vector, as one configuration:
 * - "concat": one softmax over the concatenated vector (the head before the ensemble);
 * - "ensemble": a product of experts: one softmax per slice of the vector (the encoder's part, the lexical
 *   part, or all of it), each trained alone with its own penalty, their logits added with weights and the
 *   sum calibrated by one temperature. Separate heads let each part fit at its own scale instead of sharing
 *   one learning rate and penalty with the other.
 * Every head is trained twice: a probe without the held-out examples fits the temperature on them (its scores
 * on them are honest, so a threshold chosen on them carries over); the final head, trained on everything,
 * gets that temperature.
 */
import {
  type IntentClassifier,
  SoftmaxClassifier,
  type SoftmaxOptions,
  TemperatureScaled,
  fitTemperature,
  runSteps,
} from './classifier.ts';
import { HybridEmbedder } from './embedders/hybrid.ts';
import type { Embedder, SparseVector } from './embedders/types.ts';

/** Which features a member of the ensemble sees: the encoder's part, the lexical part, or the whole vector. */
export type FeaturePart = 'all' | 'encoder' | 'lexical';

export interface EnsembleMember {
  part: FeaturePart;
  /** Its logits are multiplied by this before they are added (1 by default). */
  weight?: number;
  /** Its (unit-length) features are multiplied by this: larger inputs let the optimizer reach the weights a
   * dense 512-d unit vector needs in fewer steps (1 by default). */
  scale?: number;
  softmax?: SoftmaxOptions;
}

export type HeadConfig = { kind: 'concat'; softmax?: SoftmaxOptions } | { kind: 'ensemble'; members: EnsembleMember[] };

interface Slice {
  lo: number;
  hi: number;
  /** Undoes the hybrid's weighting so each part is unit-length again. */
  scale: number;
}

const isLexical = (id: string) => id.startsWith('lexical');

/** The member's features in this embedder's vectors; null when the embedder has no such part. */
function sliceOf(embedder: Embedder, part: FeaturePart): Slice | null {
  const whole = { lo: 0, hi: embedder.dimension, scale: 1 };
  if (part === 'all') return whole;
  if (!(embedder instanceof HybridEmbedder)) return isLexical(embedder.id) === (part === 'lexical') ? whole : null;
  const r = embedder.ranges.find((x) => isLexical(x.id) === (part === 'lexical'));
  return r ? { lo: r.offset, hi: r.offset + r.dimension, scale: 1 / r.scale } : null;
}

/**
 * The bot's head: one softmax on the sentence encoder's part and one on the lexical part, their logits added.
 * Chosen on the dev split of Banking77's training part and a dev split of CLINC150's train (bot/README.md);
 * an embedder with only one of the parts gets that part's head alone.

 */
export const DEFAULT_HEAD: HeadConfig = {
  kind: 'ensemble',
  members: [
    { part: 'encoder', scale: 1 },
    { part: 'lexical', scale: 1 },
  ],
};

function cut(v: SparseVector, s: Slice): SparseVector {
  if (s.lo === 0 && s.scale === 1 && (v.indices.length === 0 || v.indices[v.indices.length - 1]! < s.hi)) return v;
  let n = 0;
  for (let k = 0; k < v.indices.length; k++) if (v.indices[k]! >= s.lo && v.indices[k]! < s.hi) n++;
  const indices = new Int32Array(n);
  const values = new Float32Array(n);
  for (let k = 0, j = 0; k < v.indices.length; k++) {
    const i = v.indices[k]!;
    if (i >= s.lo && i < s.hi) {
      indices[j] = i;
      values[j++] = v.values[k]! * s.scale;
    }
  }
  return { indices, values };
}

export class EnsembleClassifier extends TemperatureScaled {
  constructor(
    readonly numClasses: number,
    private readonly members: Array<{ slice: Slice; weight: number; head: SoftmaxClassifier }>,
  ) {
    super();
  }

  logits(vector: SparseVector): Float64Array {
    const out = new Float64Array(this.numClasses);
    for (const m of this.members) {
      const l = m.head.logits(cut(vector, m.slice));
      for (let c = 0; c < out.length; c++) out[c]! += m.weight * l[c]!;
    }
    return out;
  }
}

/** One head trained on these examples (no temperature fitted yet), one mini-batch per step. */
export function* trainOnceSteps(
  vectors: SparseVector[],
  labels: number[],
  numClasses: number,
  embedder: Embedder,
  config: HeadConfig,
  base: SoftmaxOptions,
): Generator<void, SoftmaxClassifier | EnsembleClassifier, void> {
  if (config.kind === 'concat')
    return yield* SoftmaxClassifier.trainSteps(vectors, labels, numClasses, { ...base, ...config.softmax });
  const members = config.members.flatMap((m) => {
    const slice = sliceOf(embedder, m.part);
    return slice ? [{ m, slice: { ...slice, scale: slice.scale * (m.scale ?? 1) } }] : [];
  });
  if (members.length === 0) throw new Error(`head: no member of the ensemble fits the embedder ${embedder.id}`);
  const trained: Array<{ slice: Slice; weight: number; head: SoftmaxClassifier }> = [];
  for (const { m, slice } of members) {
    const head = yield* SoftmaxClassifier.trainSteps(
      vectors.map((v) => cut(v, slice)),
      labels,
      numClasses,
      { ...base, ...m.softmax },
    );
    trained.push({ slice, weight: m.weight ?? 1, head });
  }
  return new EnsembleClassifier(numClasses, trained);
}

function trainOnce(
  vectors: SparseVector[],
  labels: number[],
  numClasses: number,
  embedder: Embedder,
  config: HeadConfig,
  base: SoftmaxOptions,
) {
  return runSteps(trainOnceSteps(vectors, labels, numClasses, embedder, config, base));
}

/**
 * Scores of the articles only: the last class of the inner head is "off-topic" (example questions the bot
 * must not answer), trained like any article but never answered with; the probability it takes is simply
 * missing from the articles' scores, so an off-topic question's best article scores low and is handed off.
 */
export class OffTopicClassifier implements IntentClassifier {
  readonly kind = 'softmax' as const;
  constructor(
    readonly numClasses: number,
    readonly inner: SoftmaxClassifier | EnsembleClassifier,
  ) {}
  get temperature() {
    return this.inner.temperature;
  }
  scores(vector: SparseVector): Float64Array {
    return this.inner.scores(vector).subarray(0, this.numClasses);
  }
}

export type Head = SoftmaxClassifier | EnsembleClassifier | OffTopicClassifier;

export interface Probe {
  /** Trained without the held-out examples: its scores on them are honest. */
  probe: Head;
  /** The off-topic examples it did not learn from (held out with the articles' held-out examples). */
  offTopicHeldOut: SparseVector[];
}

/**
 * Final head (all examples) with the temperature its probe (without `heldOut`) fitted on the held-out ones.
 * With `offTopic` examples they form one more class that the final head learns from all of; a probe learns
 * from every other one of them and the rest are held out with the articles' held-out examples. With
 * `crossFit`, a second probe swaps the halves, so every off-topic example is held out once: the temperature
 * (and the caller's threshold) are fitted on both probes' held-out scores.
 */
export function trainHead(
  vectors: SparseVector[],
  labels: number[],
  numClasses: number,
  embedder: Embedder,
  config: HeadConfig,
  options: { heldOut: number[]; softmax?: SoftmaxOptions; offTopic?: SparseVector[]; crossFit?: boolean },
): { classifier: Head; probes: Probe[] } {
  const base = options.softmax ?? {};
  const off = options.offTopic ?? [];
  const C = off.length > 0 ? numClasses + 1 : numClasses;
  const wrap = (h: SoftmaxClassifier | EnsembleClassifier): Head =>
    off.length > 0 ? new OffTopicClassifier(numClasses, h) : h;
  const final = trainOnce([...vectors, ...off], [...labels, ...off.map(() => numClasses)], C, embedder, config, base);
  const held = new Set(options.heldOut);
  if (held.size < 2) return { classifier: wrap(final), probes: [] };
  const fit = labels.map((_, i) => i).filter((i) => !held.has(i));
  const folds = off.length > 1 && options.crossFit ? [0, 1] : [0];
  const logits: Float64Array[] = [];
  const targets: number[] = [];
  const probes = folds.map((fold) => {
    const offFit = off.length > 1 ? off.filter((_, i) => i % 2 === fold) : off;
    const offHeld = off.length > 1 ? off.filter((_, i) => i % 2 !== fold) : [];
    const probe = trainOnce(
      [...fit.map((i) => vectors[i]!), ...offFit],
      [...fit.map((i) => labels[i]!), ...offFit.map(() => numClasses)],
      C,
      embedder,
      config,
      base,
    );
    for (const i of options.heldOut) {
      logits.push(probe.logits(vectors[i]!));
      targets.push(labels[i]!);
    }
    for (const v of offHeld) {
      logits.push(probe.logits(v));
      targets.push(numClasses);
    }
    return { inner: probe, offTopicHeldOut: offHeld };
  });
  final.temperature = fitTemperature(logits, targets);
  return {
    classifier: wrap(final),
    probes: probes.map((p) => {
      p.inner.temperature = final.temperature;
      return { probe: wrap(p.inner), offTopicHeldOut: p.offTopicHeldOut };
    }),
  };
}
