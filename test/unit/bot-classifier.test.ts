import { describe, expect, it } from 'vitest';
import { NearestNeighbourClassifier, SoftmaxClassifier, holdOut, rank, runStepsAsync } from '../../bot/classifier.ts';
import type { SparseVector } from '../../bot/embedders/types.ts';
import { parseCsv, stratifiedSplit } from '../../bot/eval/datasets.ts';
import {
  figuresAt,
  figuresAtMix,
  percentile,
  precisionCurve,
  thresholdForOosRecall,
  thresholdForPrecision,
  thresholdForPrecisionAtMix,
  wilsonLowerBound,
  type Outcome,
} from '../../bot/eval/metrics.ts';
import { seededRandom } from '../../bot/random.ts';

/** Noisy points around one centre per class in 16 dimensions, L2-normalized, as sparse vectors. */
function blobs(perClass: number, classes: number, noise: number, seed: number) {
  const random = seededRandom(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: 16 }, () => random() * 2 - 1));
  const vectors: SparseVector[] = [];
  const labels: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < perClass; i++) {
      const v = centres[c]!.map((x) => x + (random() * 2 - 1) * noise);
      const norm = Math.hypot(...v);
      vectors.push({ indices: Int32Array.from(v.keys()), values: Float32Array.from(v.map((x) => x / norm)) });
      labels.push(c);
    }
  }
  return { vectors, labels };
}

const accuracy = (
  scores: (v: SparseVector) => ArrayLike<number>,
  data: { vectors: SparseVector[]; labels: number[] },
) => data.vectors.filter((v, i) => rank(scores(v), 1)[0]!.label === data.labels[i]).length / data.vectors.length;

describe('softmax classifier head', () => {
  it('learns separable classes and gives probabilities that sum to one', () => {
    const train = blobs(30, 5, 0.3, 1);
    const test = blobs(20, 5, 0.3, 1);
    const clf = SoftmaxClassifier.train(train.vectors, train.labels, 5, { epochs: 30, learningRate: 0.05 });
    expect(accuracy((v) => clf.scores(v), test)).toBeGreaterThan(0.95);
    const p = clf.scores(test.vectors[0]!);
    expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
  });

  it('is reproducible with the same seed', () => {
    const train = blobs(10, 3, 0.5, 2);
    const a = SoftmaxClassifier.train(train.vectors, train.labels, 3, { epochs: 5, seed: 9 });
    const b = SoftmaxClassifier.train(train.vectors, train.labels, 3, { epochs: 5, seed: 9 });
    expect(Array.from(a.scores(train.vectors[0]!))).toEqual(Array.from(b.scores(train.vectors[0]!)));
  });

  it('ignores input dimensions it never saw in training', () => {
    const clf = SoftmaxClassifier.train(
      [
        { indices: Int32Array.of(1), values: Float32Array.of(1) },
        { indices: Int32Array.of(2), values: Float32Array.of(1) },
      ],
      [0, 1],
      2,
      { epochs: 50, learningRate: 0.1 },
    );
    const unseen = clf.scores({ indices: Int32Array.of(1, 999), values: Float32Array.of(0.7, 0.7) });
    expect(unseen[0]).toBeGreaterThan(0.9);
  });

  it('calibrates: temperature scaling makes confidence track accuracy on overlapping classes', () => {
    const train = blobs(60, 4, 1.6, 3);
    const held = blobs(60, 4, 1.6, 3);
    const clf = SoftmaxClassifier.train(train.vectors, train.labels, 4, { epochs: 40, learningRate: 0.05, l2: 0 });
    clf.calibrate(held.vectors, held.labels);
    const test = blobs(100, 4, 1.6, 3);
    let confidence = 0;
    let right = 0;
    for (let i = 0; i < test.vectors.length; i++) {
      const [top] = rank(clf.scores(test.vectors[i]!), 1);
      confidence += top!.score;
      if (top!.label === test.labels[i]) right++;
    }
    // Mean confidence within a few points of the accuracy it claims.
    expect(Math.abs(confidence / test.vectors.length - right / test.vectors.length)).toBeLessThan(0.06);
  });
});

describe('nearest-neighbour baseline', () => {
  it('scores each class by its closest example', () => {
    const nn = new NearestNeighbourClassifier(
      2,
      [
        { indices: Int32Array.of(0), values: Float32Array.of(1) },
        { indices: Int32Array.of(1), values: Float32Array.of(1) },
      ],
      [0, 1],
      4,
    );
    const s = nn.scores({ indices: Int32Array.of(0, 1), values: Float32Array.of(0.8, 0.6) });
    expect(s[0]).toBeCloseTo(0.8, 6);
    expect(s[1]).toBeCloseTo(0.6, 6);
  });
});

describe('evaluation helpers', () => {
  it('ranks the top k', () => {
    expect(rank(Float32Array.of(0.1, 0.5, 0.2, 0.2), 2).map((r) => r.label)).toEqual([1, 2]);
  });

  it('holds out a stratified, seeded share per class', () => {
    const labels = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2];
    const held = holdOut(labels, 0.2, 5);
    expect(held.filter((i) => labels[i] === 0)).toHaveLength(2);
    expect(held.filter((i) => labels[i] === 1)).toHaveLength(1);
    expect(held.filter((i) => labels[i] === 2)).toHaveLength(0);
    expect(holdOut(labels, 0.2, 5)).toEqual(held);
    const split = stratifiedSplit(
      labels.map((l, i) => ({ text: `t${i}`, label: String(l) })),
      0.2,
      5,
    );
    expect(split.heldOut).toHaveLength(3);
    expect(split.train).toHaveLength(13);
  });

  it('parses RFC 4180 CSV', () => {
    expect(parseCsv('text,category\n"Hi, there ""you""",greet\r\nplain,x\n')).toEqual([
      ['text', 'category'],
      ['Hi, there "you"', 'greet'],
      ['plain', 'x'],
    ]);
  });

  it('chooses the threshold that answers most while reaching the target precision', () => {
    const o = (confidence: number, correct: boolean, inScope = true) => ({ confidence, correct, inScope });
    const outcomes = [
      o(0.99, true),
      o(0.95, true),
      o(0.9, true),
      o(0.8, false),
      o(0.7, true),
      o(0.6, false),
      o(0.5, false, false),
    ];
    expect(thresholdForPrecision(outcomes, 1)).toBe(0.9);
    expect(thresholdForPrecision(outcomes, 0.8)).toBe(0.7);
    expect(thresholdForPrecision([o(0.9, false)], 0.97)).toBeGreaterThan(0.9);
    const f = figuresAt(outcomes, 0.7);
    expect(f.precision).toBeCloseTo(4 / 5);
    expect(f.coverage).toBeCloseTo(5 / 7);
    expect(f.inScopeAccuracy).toBeCloseTo(4 / 6);
    expect(f.accuracy).toBeCloseTo(4 / 6);
    expect(f.oosRecall).toBe(1);
    const oos = [0.2, 0.4, 0.6, 0.8, 0.9].map((c) => o(c, false, false));
    const t = thresholdForOosRecall([...outcomes, ...oos], 0.6)!;
    expect(figuresAt(oos, t).oosRecall).toBe(0.6);
    expect(thresholdForOosRecall(outcomes.slice(0, 3), 0.6)).toBeNull();
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 95)).toBe(5);
  });

  it('weighs off-topic questions to a given share of the traffic, and picks the threshold at that mix', () => {
    const o = (confidence: number, correct: boolean, inScope = true, group?: string) => ({
      confidence,
      correct,
      inScope,
      ...(group ? { group } : {}),
    });
    // 4 in-scope (3 right), 2 off-topic; everything above 0.5 is answered.
    const outcomes = [
      o(0.9, true),
      o(0.8, true),
      o(0.7, true),
      o(0.6, false),
      o(0.65, false, false),
      o(0.2, false, false),
    ];
    const at = (mix: number) => figuresAtMix(outcomes, 0.5, mix);
    // Answered: in-scope 3 right + 1 wrong (weight (1-m)/4 each), one off-topic (weight m/2).
    expect(at(0.18).precision).toBeCloseTo((3 * 0.82) / 4 / (0.82 + 0.18 / 2));
    expect(at(0.5).precision).toBeCloseTo((3 * 0.5) / 4 / (0.5 + 0.25));
    expect(at(0.03).precision).toBeGreaterThan(at(0.18).precision);
    expect(at(0.18).precision).toBeGreaterThan(at(0.5).precision);
    expect(at(0.18).coverage).toBeCloseTo(0.82 + 0.09);
    expect(at(0.18)).toMatchObject({ inScopeAccuracy: 0.75, oosRecall: 0.5 });
    // Groups of off-topic outcomes share the off-topic weight equally, whatever their sizes.
    const grouped = [o(0.9, true), o(0.9, false, false, 'near'), o(0.1, false, false), o(0.1, false, false)];
    expect(figuresAtMix(grouped, 0.5, 0.5).precision).toBeCloseTo(0.5 / (0.5 + 0.25));
    // Or by the shares given: the near group takes 80 % of the off-topic weight, the others the rest.
    expect(figuresAtMix(grouped, 0.5, 0.5, { near: 0.8 }).precision).toBeCloseTo(0.5 / (0.5 + 0.4));
    expect(figuresAtMix(grouped, 0.5, 0.5, { near: 0 }).precision).toBeCloseTo(1);
    // A share of a group without outcomes goes to the others.
    expect(figuresAtMix(outcomes, 0.5, 0.18, { near: 0.9 }).precision).toBeCloseTo(at(0.18).precision);
    // The more weight on the near questions the bot answers, the higher the threshold that keeps 90 %.
    const nearly = [...outcomes, o(0.75, false, false, 'near'), o(0.1, false, false, 'near')];
    expect(thresholdForPrecisionAtMix(nearly, 0.9, 0.18, { near: 1 })).toBeGreaterThan(
      thresholdForPrecisionAtMix(nearly, 0.9, 0.18, { near: 0 }),
    );
    // The more off-topic traffic, the higher the threshold that keeps answers 90 % right.
    const t3 = thresholdForPrecisionAtMix(outcomes, 0.9, 0.03);
    const t50 = thresholdForPrecisionAtMix(outcomes, 0.9, 0.5);
    expect(t3).toBe(0.65);
    expect(t50).toBe(0.7);
    // Outcomes below the similarity floor (confidence -1) are never answered.
    expect(figuresAtMix([o(-1, true), o(0.9, true)], 0, 0.18).coverage).toBeCloseTo(0.5);
    const curve = precisionCurve(outcomes);
    expect(curve).toHaveLength(101);
    expect(curve[50]!.mixes.map((m) => m.mix)).toEqual([0.03, 0.18, 0.5]);
    expect(curve[50]!.mixes[1]!.precision).toBeCloseTo(at(0.18).precision);
  });

  it('judges a threshold by the lower bound of its precision when asked for a margin', () => {
    // Wilson score bound, checked against the closed form at p = 0.9, n = 100, z = 1.645: 0.8396.
    expect(wilsonLowerBound(0.9, 100, 1.645)).toBeCloseTo(0.8396, 3);
    expect(wilsonLowerBound(0.9, 100, 0)).toBe(0.9);
    expect(wilsonLowerBound(0.9, 0, 1)).toBe(0);
    // The bound tightens as evidence grows: 99 of 100 right is not yet "at least 97 %", 990 of 1,000 is.
    expect(wilsonLowerBound(0.99, 100, 1.645)).toBeLessThan(0.97);
    expect(wilsonLowerBound(0.99, 1000, 1.645)).toBeGreaterThan(0.97);
    const o = (confidence: number, correct: boolean, inScope = true): Outcome => ({ confidence, correct, inScope });
    // 40 right answers above 0.9, then a wrong one at 0.85, then 40 right ones down to 0.5, 20 off-topic at 0.1.
    const outcomes = [
      ...Array.from({ length: 40 }, (_, i) => o(0.99 - i * 0.002, true)),
      o(0.85, false),
      ...Array.from({ length: 40 }, (_, i) => o(0.8 - i * 0.0075, true)),
      ...Array.from({ length: 20 }, () => o(0.1, false, false)),
    ];
    const estimate = thresholdForPrecisionAtMix(outcomes, 0.97, 0.18);
    const margin = thresholdForPrecisionAtMix(outcomes, 0.97, 0.18, {}, 1);
    // The estimate takes the lowest threshold at 97 %; the bound has to see more right answers past the wrong one.
    expect(estimate).toBeCloseTo(0.5075, 4);
    expect(margin).toBeGreaterThan(estimate);
    expect(thresholdForPrecisionAtMix(outcomes, 0.97, 0.18, {}, 0)).toBe(estimate);
    // Ten times the evidence at the same rates: the margin's threshold moves back towards the estimate's.
    const more = Array.from({ length: 10 }, () => outcomes).flat();
    const marginMore = thresholdForPrecisionAtMix(more, 0.97, 0.18, {}, 1);
    expect(marginMore).toBeLessThan(margin);
    expect(marginMore).toBeGreaterThanOrEqual(estimate);
  });

  it('trains without holding the event loop when run step by step', async () => {
    const data = blobs(400, 6, 0.3, 5);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const model = await runStepsAsync(SoftmaxClassifier.trainSteps(data.vectors, data.labels, 6, { epochs: 40 }), 2);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(2);
    expect(accuracy((v) => model.scores(v), data)).toBeGreaterThan(0.9);
  });
});
