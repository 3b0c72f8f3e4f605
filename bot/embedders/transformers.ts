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

type FeatureExtractor = ((texts: string[], options: { pooling: 'mean' | 'cls'; normalize: boolean }) => Promise<{
  data: Float32Array | number[];
  dims: number[];
}>) & { dispose(): Promise<void> };

export class TransformersEmbedder implements Embedder {
  private constructor(
    readonly id: string,
    readonly dimension: number,
    private readonly extractor: FeatureExtractor,
    private readonly pooling: 'mean' | 'cls',
    private readonly batchSize: number,
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
    const { env, pipeline } = await import('@huggingface/transformers');
    // transformers.js keeps these settings in one global object; they are read while the pipeline loads.
    env.allowRemoteModels = options.allowRemoteModels ?? false;
    env.allowLocalModels = true;
    if (localModelPath) env.localModelPath = resolve(localModelPath) + '/';
    const extractor = (await pipeline('feature-extraction', modelId, {
      dtype: options.dtype ?? 'q8',
      device: 'cpu',
      local_files_only: !env.allowRemoteModels,
    })) as unknown as FeatureExtractor;
    const pooling = options.pooling ?? 'mean';
    const probe = await extractor(['dimension probe'], { pooling, normalize: true });
    const dimension = probe.dims[probe.dims.length - 1]!;
    return new TransformersEmbedder(`transformers:${modelId}`, dimension, extractor, pooling, options.batchSize ?? 32);
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

  async dispose(): Promise<void> {
    await this.extractor.dispose();
  }
}
