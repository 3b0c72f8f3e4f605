/**
 * The fine-tuning experiment (test/bench/bot-finetune.ts) trains USE lite's top layer on cached inputs to it:
 * those inputs (the graph cut before the layer) through the layer must be the model's own vectors, and the
 * tuning must do what its objective says on real USE lite inputs.
 */
import { describe, expect, it } from 'vitest';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { buildUseLiteGraph, readUseLiteWeights, useLiteInput, useLiteTop } from '../../bot/embedders/use-lite-graph.ts';
import { UseLiteEmbedder } from '../../bot/embedders/use-lite.ts';
import { UseTokenizer } from '../../bot/embedders/use-tokenizer.ts';
import { DEFAULT_TOP_TUNING, applyTop, tuneTop } from '../bench/use-lite-top-tuning.ts';

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

const INTENTS = [
  ['How do I change the PIN of my card?', 'I want a new PIN', 'can I reset my pin number', 'change pin please'],
  ['my card has not arrived yet', 'where is my new card?', 'card still not delivered', 'when will my card come'],
  ['why was I charged a fee?', 'there is an extra charge on my account', 'what is this fee', 'unexpected fee'],
];

async function pooledOf(texts: string[]) {
  const weights = readUseLiteWeights();
  const session = await InferenceSession.create(buildUseLiteGraph(weights, { pooled: true }));
  const tokenizer = new UseTokenizer(weights.vocabulary);
  const out: Float32Array[] = [];
  for (const text of texts) {
    const ids = tokenizer.encode(text);
    const x = useLiteInput(weights, ids);
    const r = await session.run({ x: new Tensor('float32', x, [ids.length, x.length / ids.length]) });
    out.push(Float32Array.from(r.pooled!.data as Float32Array));
  }
  return { pooled: out, top: useLiteTop(weights) };
}

/** Mean cosine of same-intent pairs minus that of different-intent pairs. */
function separation(vectors: Float32Array[], labels: number[]) {
  let same = 0;
  let nSame = 0;
  let other = 0;
  let nOther = 0;
  for (let i = 0; i < vectors.length; i++)
    for (let j = i + 1; j < vectors.length; j++) {
      const c = cosine(vectors[i]!, vectors[j]!);
      if (labels[i] === labels[j]) {
        same += c;
        nSame++;
      } else {
        other += c;
        nOther++;
      }
    }
  return same / nSame - other / nOther;
}

describe('USE lite top layer on cached inputs', () => {
  const texts = INTENTS.flat();
  const labels = INTENTS.flatMap((qs, l) => qs.map(() => l));

  it('gives the model’s vectors through the pretrained layer', async () => {
    const { pooled, top } = await pooledOf(texts);
    const model = await new UseLiteEmbedder().embed(texts);
    pooled.forEach((p, i) => expect(cosine(applyTop(top, p), model[i]!), texts[i]).toBeGreaterThan(0.99999));
  }, 60_000);

  for (const objective of ['contrastive', 'supervised'] as const)
    it(`${objective} tuning pulls an intent's questions together, the pretrained layer untouched`, async () => {
      const { pooled, top } = await pooledOf(texts);
      const before = Float32Array.from(top.kernel);
      const tuned = tuneTop(top, pooled, labels, {
        ...DEFAULT_TOP_TUNING,
        objective,
        epochs: 20,
        learningRate: 1e-3,
        intentsPerBatch: 3,
      });
      expect(top.kernel).toEqual(before);
      const was = separation(
        pooled.map((p) => applyTop(top, p)),
        labels,
      );
      const now = separation(
        pooled.map((p) => applyTop(tuned, p)),
        labels,
      );
      expect(now).toBeGreaterThan(was + 0.05);
    }, 60_000);
});
