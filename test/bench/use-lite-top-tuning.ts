/**
 * Fine-tuning USE lite's top (the final dense 512 -> 512 + tanh layer) on a KB's example questions, on cached
 * inputs to that layer (the mean-pooled Transformer output), in plain Float32Array math: the experiment of
 * issue 16's lever "fine-tuning the USE-lite encoder on the KB's own examples" (test/bench/bot-finetune.ts).
 *
 * Objectives:
 * - "contrastive": SetFit's CosineSimilarityLoss on every pair of a batch of P intents x K questions: the
 *   cosine of two normalized outputs is pushed to 1 for the same intent and to 0 for different ones
 *   (positive and negative pairs weighed equally, as SetFit samples them equally);
 * - "supervised": a cosine-softmax over the intents (scale 16) on the normalized output, trained with the
 *   layer; the intent weights are thrown away afterwards, only the layer is kept.
 * Adam, starting from the pretrained weights, with an L2 pull back towards them (the KB is small, the
 * pretrained layer generalizes to questions the KB does not hold).
 */
import { seededRandom, shuffleInPlace } from '../../bot/random.ts';

export const TOP_DIMENSION = 512;
const D = TOP_DIMENSION;

export interface TopLayer {
  /** [512 in, 512 out], row-major. */
  kernel: Float32Array;
  bias: Float32Array;
}

export interface TopTuningOptions {
  objective: 'contrastive' | 'supervised';
  epochs: number;
  learningRate: number;
  /** Intents per batch (P) and questions per intent (K). */
  intentsPerBatch: number;
  perIntent: number;
  /** Pull towards the pretrained weights (L2 on the difference). */
  anchor: number;
  seed: number;
  onEpoch?: (epoch: number, loss: number) => void;
}

export const DEFAULT_TOP_TUNING: TopTuningOptions = {
  objective: 'contrastive',
  epochs: 4,
  learningRate: 1e-4,
  intentsPerBatch: 16,
  perIntent: 4,
  anchor: 0,
  seed: 77,
};

/** tanh(pooled . kernel + bias), L2-normalized: what the model outputs for this pooled vector. */
export function applyTop(top: TopLayer, pooled: Float32Array, out = new Float32Array(D)): Float32Array {
  out.set(top.bias);
  for (let k = 0; k < D; k++) {
    const p = pooled[k]!;
    if (p === 0) continue;
    const row = k * D;
    for (let n = 0; n < D; n++) out[n]! += p * top.kernel[row + n]!;
  }
  let sum = 0;
  for (let n = 0; n < D; n++) {
    out[n] = Math.tanh(out[n]!);
    sum += out[n]! * out[n]!;
  }
  const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  for (let n = 0; n < D; n++) out[n]! *= inv;
  return out;
}

class Adam {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;
  constructor(size: number) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }
  step(param: Float32Array, grad: Float32Array, lr: number, anchor: number, origin: Float32Array) {
    this.t++;
    const b1 = 0.9;
    const b2 = 0.999;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    for (let i = 0; i < param.length; i++) {
      const g = grad[i]! + anchor * (param[i]! - origin[i]!);
      this.m[i] = b1 * this.m[i]! + (1 - b1) * g;
      this.v[i] = b2 * this.v[i]! + (1 - b2) * g * g;
      param[i]! -= (lr * (this.m[i]! / c1)) / (Math.sqrt(this.v[i]! / c2) + 1e-8);
    }
  }
}

/** Batches of `P` intents x `K` questions each (drawn without replacement per epoch, repeated when short). */
function* batches(labels: number[], P: number, K: number, random: () => number): Generator<number[]> {
  const byLabel = new Map<number, number[]>();
  labels.forEach((l, i) => byLabel.set(l, [...(byLabel.get(l) ?? []), i]));
  const queues = new Map([...byLabel].map(([l, list]) => [l, shuffleInPlace([...list], random)]));
  const steps = Math.ceil(labels.length / (P * K));
  const intents = [...byLabel.keys()];
  for (let s = 0; s < steps; s++) {
    const chosen = shuffleInPlace([...intents], random).slice(0, P);
    const batch: number[] = [];
    for (const l of chosen) {
      const q = queues.get(l)!;
      for (let k = 0; k < K; k++) {
        if (q.length === 0) q.push(...shuffleInPlace([...byLabel.get(l)!], random));
        batch.push(q.pop()!);
      }
    }
    yield batch;
  }
}

/**
 * The layer tuned on `pooled` inputs with intent `labels` (0..C-1). Returns a new layer; `start` is untouched.
 * One step at a time as a generator, so a caller can yield to the event loop between steps.
 */
export function* tuneTopSteps(
  start: TopLayer,
  pooled: Float32Array[],
  labels: number[],
  options: TopTuningOptions,
): Generator<void, TopLayer, void> {
  const random = seededRandom(options.seed);
  const top: TopLayer = { kernel: Float32Array.from(start.kernel), bias: Float32Array.from(start.bias) };
  const C = Math.max(...labels) + 1;
  const scale = 16;
  // Supervised: intent weights (D x C), started at the intents' mean pretrained outputs.
  const classW = new Float32Array(options.objective === 'supervised' ? C * D : 0);
  if (classW.length) {
    const out = new Float32Array(D);
    pooled.forEach((p, i) => {
      applyTop(start, p, out);
      for (let n = 0; n < D; n++) classW[labels[i]! * D + n]! += out[n]!;
    });
  }
  const adamK = new Adam(D * D);
  const adamB = new Adam(D);
  const adamC = new Adam(classW.length);
  const gradK = new Float32Array(D * D);
  const gradB = new Float32Array(D);
  const gradC = new Float32Array(classW.length);
  const zeroC = new Float32Array(classW.length);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    let lossSum = 0;
    let lossN = 0;
    for (const batch of batches(labels, options.intentsPerBatch, options.perIntent, random)) {
      const B = batch.length;
      // Forward: h = tanh(z), u = h / |h|.
      const h = batch.map(() => new Float32Array(D));
      const u = batch.map(() => new Float32Array(D));
      const norms = new Float64Array(B);
      batch.forEach((idx, b) => {
        const x = pooled[idx]!;
        const hb = h[b]!;
        hb.set(top.bias);
        for (let k = 0; k < D; k++) {
          const p = x[k]!;
          const row = k * D;
          for (let n = 0; n < D; n++) hb[n]! += p * top.kernel[row + n]!;
        }
        let sum = 0;
        for (let n = 0; n < D; n++) {
          hb[n] = Math.tanh(hb[n]!);
          sum += hb[n]! * hb[n]!;
        }
        norms[b] = Math.sqrt(sum) || 1;
        for (let n = 0; n < D; n++) u[b]![n] = hb[n]! / norms[b]!;
      });
      const du = batch.map(() => new Float32Array(D));
      if (options.objective === 'contrastive') {
        let pos = 0;
        for (let i = 0; i < B; i++) for (let j = i + 1; j < B; j++) if (labels[batch[i]!] === labels[batch[j]!]) pos++;
        const neg = (B * (B - 1)) / 2 - pos;
        for (let i = 0; i < B; i++)
          for (let j = i + 1; j < B; j++) {
            const same = labels[batch[i]!] === labels[batch[j]!];
            const w = same ? 1 / Math.max(1, pos) : 1 / Math.max(1, neg);
            let c = 0;
            for (let n = 0; n < D; n++) c += u[i]![n]! * u[j]![n]!;
            const y = same ? 1 : 0;
            lossSum += w * (c - y) ** 2;
            const g = 2 * w * (c - y);
            for (let n = 0; n < D; n++) {
              du[i]![n]! += g * u[j]![n]!;
              du[j]![n]! += g * u[i]![n]!;
            }
          }
        lossN++;
      } else {
        gradC.fill(0);
        for (let b = 0; b < B; b++) {
          const logits = new Float64Array(C);
          let max = -Infinity;
          for (let c = 0; c < C; c++) {
            let norm = 0;
            let dot = 0;
            for (let n = 0; n < D; n++) {
              norm += classW[c * D + n]! ** 2;
              dot += classW[c * D + n]! * u[b]![n]!;
            }
            logits[c] = (scale * dot) / (Math.sqrt(norm) || 1);
            max = Math.max(max, logits[c]!);
          }
          let z = 0;
          for (let c = 0; c < C; c++) z += Math.exp(logits[c]! - max);
          const y = labels[batch[b]!]!;
          lossSum += -(logits[y]! - max - Math.log(z));
          lossN++;
          for (let c = 0; c < C; c++) {
            const g = (Math.exp(logits[c]! - max) / z - (c === y ? 1 : 0)) / B;
            if (Math.abs(g) < 1e-7) continue;
            // logit = s * u . w / |w|: gradients to u and (through the normalization) to w.
            let norm = 0;
            for (let n = 0; n < D; n++) norm += classW[c * D + n]! ** 2;
            norm = Math.sqrt(norm) || 1;
            let dot = 0;
            for (let n = 0; n < D; n++) dot += (classW[c * D + n]! / norm) * u[b]![n]!;
            for (let n = 0; n < D; n++) {
              const wn = classW[c * D + n]! / norm;
              du[b]![n]! += g * scale * wn;
              gradC[c * D + n]! += (g * scale * (u[b]![n]! - dot * wn)) / norm;
            }
          }
        }
      }
      // Backward through the normalization and tanh to the layer's weights.
      gradK.fill(0);
      gradB.fill(0);
      const dz = new Float32Array(D);
      batch.forEach((idx, b) => {
        let dot = 0;
        for (let n = 0; n < D; n++) dot += u[b]![n]! * du[b]![n]!;
        for (let n = 0; n < D; n++) {
          const dh = (du[b]![n]! - u[b]![n]! * dot) / norms[b]!;
          dz[n] = dh * (1 - h[b]![n]! * h[b]![n]!);
          gradB[n]! += dz[n]!;
        }
        const x = pooled[idx]!;
        for (let k = 0; k < D; k++) {
          const p = x[k]!;
          const row = k * D;
          for (let n = 0; n < D; n++) gradK[row + n]! += p * dz[n]!;
        }
      });
      adamK.step(top.kernel, gradK, options.learningRate, options.anchor, start.kernel);
      adamB.step(top.bias, gradB, options.learningRate, options.anchor, start.bias);
      if (classW.length) adamC.step(classW, gradC, options.learningRate * 10, 0, zeroC);
      yield;
    }
    options.onEpoch?.(epoch + 1, lossSum / Math.max(1, lossN));
  }
  return top;
}

export function tuneTop(start: TopLayer, pooled: Float32Array[], labels: number[], options: TopTuningOptions) {
  const steps = tuneTopSteps(start, pooled, labels, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
