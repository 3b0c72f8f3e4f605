/**
 * The transformers.js loading path, end to end, with no downloadable weights: the real tokenizer and
 * config of all-MiniLM-L6-v2 (../shared/models) beside a tiny ONNX graph that this test writes itself,
 * with the same inputs and output as the real model (input_ids, attention_mask, token_type_ids int64
 * [batch, seq] -> last_hidden_state float [batch, seq, hidden]): a token-embedding lookup plus a
 * token-type embedding, masked. transformers.js tokenizes, runs it on onnxruntime-node and mean-pools;
 * the test recomputes the expected vectors from the tables.
 */
import net from 'node:net';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TransformersEmbedder } from '../../bot/embedders/transformers.ts';

const SHARED_MODEL = join(import.meta.dirname, '../../../shared/models/Xenova/all-MiniLM-L6-v2');
const VOCAB = 30522;
const HIDDEN = 8;
const wordValue = (token: number, h: number) => Math.sin(token * 0.37 + h * 1.3);
const typeValue = (type: number, h: number) => 0.05 * (h + 1) * (type === 0 ? 1 : -1);

// ---- a minimal protobuf writer, enough for an ONNX ModelProto ----
type Field = Uint8Array;
const enc = new TextEncoder();
function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}
const cat = (parts: Field[]) => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const int = (field: number, n: number | bigint) => Uint8Array.from([...varint(field << 3), ...varint(n)]);
const bytes = (field: number, b: Uint8Array) =>
  cat([Uint8Array.from([...varint((field << 3) | 2), ...varint(b.length)]), b]);
const str = (field: number, s: string) => bytes(field, enc.encode(s));
const msg = (field: number, ...parts: Field[]) => bytes(field, cat(parts));

const FLOAT = 1;
const INT64 = 7;
function tensor(name: string, dims: number[], type: number, raw: Uint8Array) {
  return msg(5, ...dims.map((d) => int(1, d)), int(2, type), str(8, name), bytes(9, raw));
}
function valueInfo(field: number, name: string, elemType: number, dims: Array<number | string>) {
  const shape = dims.map((d) => msg(1, typeof d === 'number' ? int(1, d) : str(2, d)));
  return msg(field, str(1, name), msg(2, msg(1, int(1, elemType), msg(2, ...shape))));
}
function node(inputs: string[], outputs: string[], op: string, ...attributes: Field[]) {
  return msg(
    1,
    ...inputs.map((i) => str(1, i)),
    ...outputs.map((o) => str(2, o)),
    str(3, `${op}_${outputs[0]}`),
    str(4, op),
    ...attributes,
  );
}
const intAttr = (name: string, value: number) => msg(5, str(1, name), int(20, 2), int(3, value));

function tinyModel(): Uint8Array {
  const words = new Float32Array(VOCAB * HIDDEN);
  for (let t = 0; t < VOCAB; t++) for (let h = 0; h < HIDDEN; h++) words[t * HIDDEN + h] = wordValue(t, h);
  const types = new Float32Array(2 * HIDDEN);
  for (let t = 0; t < 2; t++) for (let h = 0; h < HIDDEN; h++) types[t * HIDDEN + h] = typeValue(t, h);
  const axes = new BigInt64Array([2n]);
  const graph = msg(
    7,
    node(['word_embeddings', 'input_ids'], ['words'], 'Gather', intAttr('axis', 0)),
    node(['token_type_embeddings', 'token_type_ids'], ['types'], 'Gather', intAttr('axis', 0)),
    node(['words', 'types'], ['summed'], 'Add'),
    node(['attention_mask'], ['mask_float'], 'Cast', intAttr('to', FLOAT)),
    node(['mask_float', 'unsqueeze_axes'], ['mask_3d'], 'Unsqueeze'),
    node(['summed', 'mask_3d'], ['last_hidden_state'], 'Mul'),
    str(2, 'tiny-embedding-lookup'),
    tensor('word_embeddings', [VOCAB, HIDDEN], FLOAT, new Uint8Array(words.buffer)),
    tensor('token_type_embeddings', [2, HIDDEN], FLOAT, new Uint8Array(types.buffer)),
    tensor('unsqueeze_axes', [1], INT64, new Uint8Array(axes.buffer)),
    valueInfo(11, 'input_ids', INT64, ['batch_size', 'sequence_length']),
    valueInfo(11, 'attention_mask', INT64, ['batch_size', 'sequence_length']),
    valueInfo(11, 'token_type_ids', INT64, ['batch_size', 'sequence_length']),
    valueInfo(12, 'last_hidden_state', FLOAT, ['batch_size', 'sequence_length', HIDDEN]),
  );
  return cat([int(1, 8), str(2, 'bot-transformers.test'), graph, msg(8, str(1, ''), int(2, 13))]);
}

/** Mean of the rows of the tokens (type 0), L2-normalized: what the model plus mean pooling must give. */
function expected(tokenIds: number[]): number[] {
  const v = new Array<number>(HIDDEN).fill(0);
  for (const t of tokenIds)
    for (let h = 0; h < HIDDEN; h++) v[h]! += (wordValue(t, h) + typeValue(0, h)) / tokenIds.length;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

let root: string;
// No network access may happen: transformers.js downloads through fetch; http, https and other
// clients connect through net.Socket#connect.
const fetchSpy = vi.spyOn(globalThis, 'fetch');
const connectSpy = vi.spyOn(net.Socket.prototype, 'connect');

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'bot-transformers-'));
  const dir = join(root, 'Xenova', 'all-MiniLM-L6-v2');
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json'])
    copyFileSync(join(SHARED_MODEL, file), join(dir, file));
  const model = tinyModel();
  writeFileSync(join(dir, 'onnx', 'model_quantized.onnx'), model);
  writeFileSync(join(dir, 'onnx', 'model.onnx'), model);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  expect(fetchSpy).not.toHaveBeenCalled();
  expect(connectSpy).not.toHaveBeenCalled();
});

describe('TransformersEmbedder', () => {
  it('loads tokenizer and ONNX graph from a local model directory and mean-pools the hidden states', async () => {
    const embedder = await TransformersEmbedder.create({ modelId: 'Xenova/all-MiniLM-L6-v2', localModelPath: root });
    try {
      expect(embedder.id).toBe('transformers:Xenova/all-MiniLM-L6-v2');
      expect(embedder.dimension).toBe(HIDDEN);
      // "hello world" in the uncased BERT vocabulary: [CLS] hello world [SEP].
      const [hello, longer] = await embedder.embed(['Hello world', 'How do I reset the PIN of my card?']);
      expect(hello).toHaveLength(HIDDEN);
      expected([101, 7592, 2088, 102]).forEach((x, h) => expect(hello![h]).toBeCloseTo(x, 5));
      // Padding in a batch must not change a vector: the mask and the pooling ignore pad tokens.
      const [alone] = await embedder.embed(['Hello world']);
      alone!.forEach((x, h) => expect(x).toBeCloseTo(hello![h]!, 6));
      expect(Math.hypot(...longer!)).toBeCloseTo(1, 5);
      // Deterministic run to run.
      const [again] = await embedder.embed(['How do I reset the PIN of my card?']);
      again!.forEach((x, h) => expect(x).toBe(longer![h]));
      // A second embedder for the same model (the bot rebuilt after a KB change) reuses the session.
      const twin = await TransformersEmbedder.create({ modelId: 'Xenova/all-MiniLM-L6-v2', localModelPath: root });
      const [fromTwin] = await twin.embed(['How do I reset the PIN of my card?']);
      expect(Array.from(fromTwin!)).toEqual(Array.from(longer!));
    } finally {
      await embedder.dispose();
    }
  });

  it('loads by model directory and by the fp32 file name as well', async () => {
    const embedder = await TransformersEmbedder.create({
      modelDir: join(root, 'Xenova', 'all-MiniLM-L6-v2'),
      dtype: 'fp32',
    });
    try {
      expect(embedder.id).toBe('transformers:all-MiniLM-L6-v2');
      const [v] = await embedder.embed(['Hello world']);
      expected([101, 7592, 2088, 102]).forEach((x, h) => expect(v![h]).toBeCloseTo(x, 5));
    } finally {
      await embedder.dispose();
    }
  });

  it('fails fast, without a network call, when the model is not present locally', async () => {
    await expect(TransformersEmbedder.create({ modelId: 'nobody/not-here', localModelPath: root })).rejects.toThrow();
  });
});
