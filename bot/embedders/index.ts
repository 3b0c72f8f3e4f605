/**
 * Which embedder the bot runs is configuration. The default, "hybrid", is the best that works offline
 * on a fresh install (see bot/README.md for the measurements): Universal Sentence Encoder lite from an
 * npm package, concatenated with the lexical embedder.
 */
import { HybridEmbedder } from './hybrid.ts';
import { LexicalEmbedder, type LexicalOptions } from './lexical.ts';
import { TransformersEmbedder, type TransformersOptions } from './transformers.ts';
import type { Embedder } from './types.ts';
import { UseLiteEmbedder } from './use-lite.ts';
import { UseLiteTfjsEmbedder } from './use-lite-tfjs.ts';

export type { Embedder, SparseVector } from './types.ts';
export { HybridEmbedder, LexicalEmbedder, TransformersEmbedder, UseLiteEmbedder, UseLiteTfjsEmbedder };

export const EMBEDDER_KINDS = ['hybrid', 'use-lite', 'lexical', 'transformers', 'transformers-hybrid'] as const;
export type EmbedderKind = (typeof EMBEDDER_KINDS)[number];

export interface EmbedderConfig {
  kind: EmbedderKind;
  lexical?: LexicalOptions;
  transformers?: TransformersOptions;
  /** Weight of the sentence encoder in the hybrids (the lexical part gets the rest). */
  encoderWeight?: number;
  /** USE lite with int8 weights (use-lite, hybrid): faster per query, vectors slightly different. */
  useInt8?: boolean;
}

export const DEFAULT_EMBEDDER: EmbedderConfig = { kind: 'hybrid' };
export const DEFAULT_ENCODER_WEIGHT = 0.5;

export async function createEmbedder(config: EmbedderConfig = DEFAULT_EMBEDDER): Promise<Embedder> {
  const w = config.encoderWeight ?? DEFAULT_ENCODER_WEIGHT;
  switch (config.kind) {
    case 'lexical':
      return new LexicalEmbedder(config.lexical);
    case 'use-lite': {
      const use = new UseLiteEmbedder({ int8: config.useInt8 ?? false });
      await use.load();
      return use;
    }
    case 'hybrid': {
      const use = new UseLiteEmbedder({ int8: config.useInt8 ?? false });
      await use.load();
      return new HybridEmbedder([
        { embedder: use, weight: w },
        { embedder: new LexicalEmbedder(config.lexical), weight: 1 - w },
      ]);
    }
    case 'transformers':
      return TransformersEmbedder.create(config.transformers);
    case 'transformers-hybrid':
      return new HybridEmbedder([
        { embedder: await TransformersEmbedder.create(config.transformers), weight: w },
        { embedder: new LexicalEmbedder(config.lexical), weight: 1 - w },
      ]);
  }
}

/**
 * Reads the embedder choice from environment variables, for the server's validated config:
 *   BOT_EMBEDDER            hybrid (default) | use-lite | lexical | transformers | transformers-hybrid
 *   BOT_MODEL_DIR           transformers: the model's directory (config.json, tokenizer.json, onnx/...)
 *   BOT_MODEL_ID            transformers: hub-style id under BOT_MODEL_PATH (default Xenova/all-MiniLM-L6-v2)
 *   BOT_MODEL_PATH          transformers: directory that holds <BOT_MODEL_ID>/
 *   BOT_MODEL_DTYPE         transformers: q8 (onnx/model_quantized.onnx, default) | fp32 (onnx/model.onnx) | ...
 *   BOT_ALLOW_REMOTE_MODELS transformers: "true" lets transformers.js download the model once (off by default)
 *   BOT_USE_INT8            use-lite, hybrid: "true" runs USE lite with int8 weights (default "false")
 * Throws an Error naming the variable when a value is invalid.
 */
export function embedderConfigFromEnv(env: Record<string, string | undefined>): EmbedderConfig {
  const kind = (env.BOT_EMBEDDER ?? 'hybrid') as EmbedderKind;
  if (!EMBEDDER_KINDS.includes(kind))
    throw new Error(`BOT_EMBEDDER must be one of ${EMBEDDER_KINDS.join(', ')}, got "${kind}"`);
  const remote = env.BOT_ALLOW_REMOTE_MODELS ?? 'false';
  if (remote !== 'true' && remote !== 'false')
    throw new Error(`BOT_ALLOW_REMOTE_MODELS must be "true" or "false", got "${remote}"`);
  const int8 = env.BOT_USE_INT8 ?? 'false';
  if (int8 !== 'true' && int8 !== 'false') throw new Error(`BOT_USE_INT8 must be "true" or "false", got "${int8}"`);
  const dtypes = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'bnb4', 'q4f16'] as const;
  const dtype = env.BOT_MODEL_DTYPE ?? 'q8';
  if (!(dtypes as readonly string[]).includes(dtype))
    throw new Error(`BOT_MODEL_DTYPE must be one of ${dtypes.join(', ')}, got "${dtype}"`);
  const transformers: TransformersOptions = {
    allowRemoteModels: remote === 'true',
    dtype: dtype as (typeof dtypes)[number],
    ...(env.BOT_MODEL_DIR ? { modelDir: env.BOT_MODEL_DIR } : {}),
    ...(env.BOT_MODEL_ID ? { modelId: env.BOT_MODEL_ID } : {}),
    ...(env.BOT_MODEL_PATH ? { localModelPath: env.BOT_MODEL_PATH } : {}),
  };
  if (kind.startsWith('transformers')) return { kind, transformers };
  return int8 === 'true' ? { kind, useInt8: true } : { kind };
}
