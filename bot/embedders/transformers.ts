/**
 * Any ONNX sentence-embedding model through transformers.js (@huggingface/transformers, the maintained
 * successor of @xenova/transformers), on onnxruntime-node, CPU only. The model is read from a local
 * directory laid out as on the hub (config.json, tokenizer.json, tokenizer_config.json,
 * onnx/model.onnx or onnx/model_quantized.onnx). Remote loading is off unless `allowRemoteModels` is
 * set, so with a model present nothing leaves the machine; with it on, transformers.js downloads the
 * model once into its cache.
 */
import { basename, dirname, resolve } from 'node:path';
import { type Embedder, l2normalize } from './types.ts';

export type TransformersDtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'bnb4' | 'q4f16';

export interface TransformersOptions {
  /** Hub-style id, e.g. "Xenova/all-MiniLM-L6-v2": the folder under `localModelPath`. */
  modelId?: string;
  /** Directory that holds `<modelId>/`. Ignored when `modelDir` is given. */
  localModelPath?: string;
  /** The model's own directory (absolute or relative to the working directory); overrides the two above. */
  modelDir?: string;
  /** Off by default: then only local files are read. */
  allowRemoteModels?: boolean;
  /** Which ONNX file: fp32 -> onnx/model.onnx, q8 -> onnx/model_quantized.onnx (the usual hub export). */
  dtype?: TransformersDtype;
  pooling?: 'mean' | 'cls';
  batchSize?: number;
}

type FeatureExtractor = ((
  texts: string[],
  options: { pooling: 'mean' | 'cls'; normalize: boolean },
) => Promise<{
  data: Float32Array | number[];
  dims: number[];
}>) & { dispose(): Promise<void> };

/**
 * Loaded pipelines by model file and options: creating an embedder for a model already loaded in this
 * process (the bot is rebuilt after every KB change) reuses its ONNX session instead of loading another.
 */
const loaded = new Map<string, Promise<{ extractor: FeatureExtractor; dimension: number }>>();

export class TransformersEmbedder implements Embedder {
  private constructor(
    readonly id: string,
    readonly dimension: number,
    private readonly extractor: FeatureExtractor,
    private readonly pooling: 'mean' | 'cls',
    private readonly batchSize: number,
    private readonly key: string,
  ) {}

  /** Loads tokenizer and ONNX session, and learns the dimension from one probe embedding. */
  static async create(options: TransformersOptions = {}): Promise<TransformersEmbedder> {
    let modelId = options.modelId ?? 'Xenova/all-MiniLM-L6-v2';
    let localModelPath = options.localModelPath;
    if (options.modelDir) {
      const dir = resolve(options.modelDir);
      localModelPath = dirname(dir);
      modelId = basename(dir);
    }
    const pooling = options.pooling ?? 'mean';
    const dtype = options.dtype ?? 'q8';
    const allowRemote = options.allowRemoteModels ?? false;
    const root = localModelPath ? resolve(localModelPath) + '/' : '';
    const key = JSON.stringify([root, modelId, dtype, pooling, allowRemote]);
    let entry = loaded.get(key);
    if (!entry) {
      entry = (async () => {
        const { env, pipeline } = await import('@huggingface/transformers');
        // transformers.js keeps these settings in one global object; they are read while the pipeline loads.
        env.allowRemoteModels = allowRemote;
        env.allowLocalModels = true;
        if (root) env.localModelPath = root;
        const extractor = (await pipeline('feature-extraction', modelId, {
          dtype,
          device: 'cpu',
          local_files_only: !allowRemote,
        })) as unknown as FeatureExtractor;
        const probe = await extractor(['dimension probe'], { pooling, normalize: true });
        return { extractor, dimension: probe.dims[probe.dims.length - 1]! };
      })();
      loaded.set(key, entry);
      entry.catch(() => loaded.delete(key));
    }
    const { extractor, dimension } = await entry;
    return new TransformersEmbedder(
      `transformers:${modelId}`,
      dimension,
      extractor,
      pooling,
      options.batchSize ?? 32,
      key,
    );
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      const batch = texts.slice(i, i + this.batchSize);
      const result = await this.extractor(batch, { pooling: this.pooling, normalize: true });
      const data = Float32Array.from(result.data);
      for (let b = 0; b < batch.length; b++)
        out.push(l2normalize(data.slice(b * this.dimension, (b + 1) * this.dimension)));
    }
    return out;
  }

  /** Frees the ONNX session, for every embedder sharing it: call only when the model is no longer used. */
  async dispose(): Promise<void> {
    loaded.delete(this.key);
    await this.extractor.dispose();
  }
}
