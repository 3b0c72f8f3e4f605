/**
 * Classifier heads over embeddings of the knowledge base's example questions.
 *
 * - SoftmaxClassifier: multinomial logistic regression trained in-process (mini-batch lazy Adam, L2), whose
 *   probabilities are calibrated by temperature scaling on held-out examples. It measured best (see
 *   bot/README.md): it learns which dimensions matter for this KB instead of trusting raw similarity.
 * - NearestNeighbourClassifier: the baseline: a class's score is its best cosine similarity to the query.
 * The bot's default head (heads.ts) adds the logits of one SoftmaxClassifier per part of a hybrid vector.
 *
 * Both take sparse vectors (a dense embedding is a sparse vector with every index present), so a hybrid
 * of a sentence encoder and hashed lexical features trains in the same code.
 */
import type { SparseVector } from './embedders/types.ts';
import { seededRandom, shuffleInPlace } from './random.ts';

export interface RankedClass {
  label: number;
  score: number;
}

export interface IntentClassifier {
  readonly kind: 'softmax' | 'nearest-neighbour';
  readonly numClasses: number;
  /**
   * One score per class; for the softmax head they are probabilities summing to 1. Float64, so that
   * confidences near 1 stay distinct and a threshold can still separate them.
   */
  scores(vector: SparseVector): Float64Array;
}

export function rank(scores: ArrayLike<number>, k: number): RankedClass[] {
  const out: RankedClass[] = [];
  for (let label = 0; label < scores.length; label++) {
    const score = scores[label]!;
    if (out.length < k || score > out[out.length - 1]!.score) {
      let i = out.length < k ? out.length : out.length - 1;
      if (out.length < k) out.push({ label, score });
      while (i > 0 && out[i - 1]!.score < score) {
        out[i] = out[i - 1]!;
        i--;
      }
      out[i] = { label, score };
    }
  }
  return out;
}

export interface SoftmaxOptions {
  epochs?: number;
  learningRate?: number;
  /** L2 penalty on the weights a mini-batch touches (lazy, so sparse updates stay cheap). 1e-6 measured best
   * of 1e-4..1e-7 on a dev split of Banking77's training part (bot/README.md). */
  l2?: number;
  batchSize?: number;
  /** At least this many optimizer steps, whatever `epochs` says (small training sets). */
  minSteps?: number;
  seed?: number;
}

/** A head whose scores are a softmax of its logits at a temperature fitted on held-out examples. */
export abstract class TemperatureScaled implements IntentClassifier {
  readonly kind = 'softmax' as const;
  abstract readonly numClasses: number;
  /** Softmax temperature; 1 until calibrate() fits it on held-out examples. */
  temperature = 1;

  abstract logits(vector: SparseVector): Float64Array;

  scores(vector: SparseVector): Float64Array {
    const l = this.logits(vector);
    softmaxInPlace(l, this.temperature);
    return l;
  }

  /**
   * Temperature scaling (Guo et al. 2017): one scalar that minimizes the negative log-likelihood of
   * held-out examples, so a confidence of 0.9 means right about 90 % of the time. It does not change
   * the ranking. Returns the fitted temperature.
   */
  calibrate(vectors: SparseVector[], labels: number[]): number {
    if (vectors.length > 0)
      this.temperature = fitTemperature(
        vectors.map((v) => this.logits(v)),
        labels,
      );
    return this.temperature;
  }
}

export class SoftmaxClassifier extends TemperatureScaled {
  private constructor(
    readonly numClasses: number,
    /** Input index -> row of `weights`; inputs never seen in training carry no weight and are skipped. */
    private readonly rows: Map<number, number>,
    private readonly weights: Float32Array,
    private readonly bias: Float32Array,
  ) {
    super();
  }

  static train(
    vectors: SparseVector[],
    labels: number[],
    numClasses: number,
    options: SoftmaxOptions = {},
  ): SoftmaxClassifier {
    return runSteps(SoftmaxClassifier.trainSteps(vectors, labels, numClasses, options));
  }

  /** The same training, one mini-batch per step: a caller can yield to the event loop between steps. */
  static *trainSteps(
    vectors: SparseVector[],
    labels: number[],
    numClasses: number,
    options: SoftmaxOptions = {},
  ): Generator<void, SoftmaxClassifier, void> {
    if (vectors.length !== labels.length) throw new Error('softmax: vectors and labels differ in length');
    const { learningRate = 0.01, l2 = 1e-6, batchSize = 32, seed = 1, minSteps = 300 } = options;
    // A small knowledge base has one or two batches per epoch: give it enough steps to converge.
    const epochs = Math.max(options.epochs ?? 10, Math.ceil(minSteps / Math.ceil(vectors.length / batchSize)));
    const C = numClasses;
    const rows = new Map<number, number>();
    const local: Int32Array[] = vectors.map((v) => {
      const out = new Int32Array(v.indices.length);
      for (let k = 0; k < v.indices.length; k++) {
        const j = v.indices[k]!;
        let r = rows.get(j);
        if (r === undefined) rows.set(j, (r = rows.size));
        out[k] = r;
      }
      return out;
    });
    const F = rows.size;
    // Lazy Adam over mini-batches: only the rows of the weight matrix that a batch touches are updated,
    // so a hashed lexical space of 2^18 features costs what its non-zeros cost. Training is bound by
    // memory traffic, so each row keeps its weights, first and second moments side by side
    // ([w x C | m x C | v x C]) and the batch gradient lives in a small buffer of touched rows only.
    const stride = 3 * C;
    const P = new Float32Array(F * stride);
    const b = new Float32Array(C);
    const Mb = new Float32Array(C);
    const Vb = new Float32Array(C);
    const gradB = new Float64Array(C);
    const slotOf = new Int32Array(F).fill(-1);
    const maxNnz = local.reduce((m, idx) => Math.max(m, idx.length), 0);
    const slotRow = new Int32Array(batchSize * maxNnz);
    const grad = new Float32Array(batchSize * maxNnz * C);
    const p = new Float64Array(C);
    const order = vectors.map((_, i) => i);
    const random = seededRandom(seed);
    const beta1 = 0.9;
    const beta2 = 0.999;
    const eps = 1e-8;
    let step = 0;
    const totalSteps = epochs * Math.ceil(vectors.length / batchSize);
    for (let epoch = 0; epoch < epochs; epoch++) {
      shuffleInPlace(order, random);
      for (let start = 0; start < order.length; start += batchSize) {
        const end = Math.min(order.length, start + batchSize);
        let slots = 0;
        for (let o = start; o < end; o++) {
          const i = order[o]!;
          const idx = local[i]!;
          const val = vectors[i]!.values;
          for (let c = 0; c < C; c++) p[c] = b[c]!;
          for (let k = 0; k < idx.length; k++) {
            const base = idx[k]! * stride;
            const x = val[k]!;
            for (let c = 0; c < C; c++) p[c]! += x * P[base + c]!;
          }
          softmaxInPlace(p, 1);
          p[labels[i]!]! -= 1; // the gradient of the cross-entropy w.r.t. the logits
          for (let c = 0; c < C; c++) gradB[c]! += p[c]!;
          for (let k = 0; k < idx.length; k++) {
            const r = idx[k]!;
            let slot = slotOf[r]!;
            if (slot < 0) {
              slot = slotOf[r] = slots++;
              slotRow[slot] = r;
              grad.fill(0, slot * C, slot * C + C);
            }
            const base = slot * C;
            const x = val[k]!;
            for (let c = 0; c < C; c++) grad[base + c]! += p[c]! * x;
          }
        }
        step++;
        const inv = 1 / (end - start);
        // Linear decay to 10 % of the rate over the run: steadier final weights than a constant rate.
        const rate = learningRate * (1 - (0.9 * step) / totalSteps);
        const lr = (rate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
        for (let c = 0; c < C; c++) {
          const g = gradB[c]! * inv;
          Mb[c] = beta1 * Mb[c]! + (1 - beta1) * g;
          Vb[c] = beta2 * Vb[c]! + (1 - beta2) * g * g;
          b[c]! -= (lr * Mb[c]!) / (Math.sqrt(Vb[c]!) + eps);
          gradB[c] = 0;
        }
        for (let slot = 0; slot < slots; slot++) {
          const r = slotRow[slot]!;
          slotOf[r] = -1;
          const w0 = r * stride;
          const m0 = w0 + C;
          const v0 = m0 + C;
          const g0 = slot * C;
          for (let c = 0; c < C; c++) {
            const w = P[w0 + c]!;
            const g = grad[g0 + c]! * inv + l2 * w;
            const m = (P[m0 + c] = beta1 * P[m0 + c]! + (1 - beta1) * g);
            const v = (P[v0 + c] = beta2 * P[v0 + c]! + (1 - beta2) * g * g);
            P[w0 + c] = w - (lr * m) / (Math.sqrt(v) + eps);
          }
        }
        yield;
      }
    }
    const W = new Float32Array(F * C);
    for (let r = 0; r < F; r++) W.set(P.subarray(r * stride, r * stride + C), r * C);
    return new SoftmaxClassifier(C, rows, W, b);
  }

  logits(vector: SparseVector): Float64Array {
    const C = this.numClasses;
    const out = new Float64Array(C);
    out.set(this.bias);
    for (let k = 0; k < vector.indices.length; k++) {
      const r = this.rows.get(vector.indices[k]!);
      if (r === undefined) continue;
      const x = vector.values[k]!;
      const base = r * C;
      for (let c = 0; c < C; c++) out[c]! += x * this.weights[base + c]!;
    }
    return out;
  }
}

/** Runs a stepwise computation to its end at once. */
export function runSteps<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * Runs a stepwise computation without holding the event loop: after each slice of about `sliceMs` of work it
 * waits for one turn of the loop (I/O, timers, other requests), so a server stays responsive while a head
 * trains in the background.
 */
export async function runStepsAsync<T>(steps: Generator<void, T, void>, sliceMs = 15): Promise<T> {
  let slice = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - slice >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
  }
}

/** The temperature that minimizes the negative log-likelihood of held-out logits (temperature scaling). */
export function fitTemperature(all: Float64Array[], labels: number[]): number {
  if (all.length === 0) return 1;
  const nll = (t: number) => {
    let sum = 0;
    for (let i = 0; i < all.length; i++) {
      const l = all[i]!;
      let max = -Infinity;
      for (let c = 0; c < l.length; c++) max = Math.max(max, l[c]! / t);
      let z = 0;
      for (let c = 0; c < l.length; c++) z += Math.exp(l[c]! / t - max);
      sum -= l[labels[i]!]! / t - max - Math.log(z);
    }
    return sum;
  };
  // Golden-section search over log T in [1/100, 100]; NLL is unimodal in T.
  let lo = Math.log(0.01);
  let hi = Math.log(100);
  const phi = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - phi * (hi - lo);
  let x2 = lo + phi * (hi - lo);
  let f1 = nll(Math.exp(x1));
  let f2 = nll(Math.exp(x2));
  for (let iter = 0; iter < 40; iter++) {
    if (f1 < f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - phi * (hi - lo);
      f1 = nll(Math.exp(x1));
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + phi * (hi - lo);
      f2 = nll(Math.exp(x2));
    }
  }
  return Math.exp((lo + hi) / 2);
}

export function softmaxInPlace(l: Float64Array, temperature: number): void {
  let max = -Infinity;
  for (let c = 0; c < l.length; c++) max = Math.max(max, l[c]!);
  let z = 0;
  for (let c = 0; c < l.length; c++) {
    const e = Math.exp((l[c]! - max) / temperature);
    l[c] = e;
    z += e;
  }
  for (let c = 0; c < l.length; c++) l[c]! /= z;
}

/** Indices of a stratified share of each class's examples (classes with one example keep it). */
export function holdOut(labels: number[], share: number, seed: number): number[] {
  const byLabel = new Map<number, number[]>();
  labels.forEach((l, i) => {
    const list = byLabel.get(l);
    if (list) list.push(i);
    else byLabel.set(l, [i]);
  });
  const random = seededRandom(seed);
  const out: number[] = [];
  for (const label of [...byLabel.keys()].sort((a, b) => a - b)) {
    const list = byLabel.get(label)!;
    if (list.length < 2) continue;
    const n = Math.max(1, Math.round(list.length * share));
    out.push(...shuffleInPlace([...list], random).slice(0, n));
  }
  return out.sort((a, b) => a - b);
}

/** A class's score is the cosine similarity of its nearest example (vectors are L2-normalized). */
export class NearestNeighbourClassifier implements IntentClassifier {
  readonly kind = 'nearest-neighbour' as const;
  private readonly scratch: Float32Array;

  constructor(
    readonly numClasses: number,
    private readonly examples: SparseVector[],
    private readonly labels: number[],
    dimension: number,
  ) {
    this.scratch = new Float32Array(dimension);
  }

  scores(vector: SparseVector): Float64Array {
    const q = this.scratch;
    for (let k = 0; k < vector.indices.length; k++) q[vector.indices[k]!] = vector.values[k]!;
    const out = new Float64Array(this.numClasses).fill(-1);
    for (let i = 0; i < this.examples.length; i++) {
      const e = this.examples[i]!;
      let dot = 0;
      for (let k = 0; k < e.indices.length; k++) dot += e.values[k]! * q[e.indices[k]!]!;
      const label = this.labels[i]!;
      if (dot > out[label]!) out[label] = dot;
    }
    for (let k = 0; k < vector.indices.length; k++) q[vector.indices[k]!] = 0;
    return out;
  }
}
